// After a good login: nothing yet.
/** Called with the pid of the child that owns the session. */
export const waitAfterExec = (_pid: number): void => {}
