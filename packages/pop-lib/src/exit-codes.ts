// The one table of exit codes shared by every popchain program (docs/exit-codes.md).

/** Success; for pop-checkpassword, the next program's own status. */
export const EXIT_OK = 0
/** Unacceptable credentials (checkpassword interface). */
export const EXIT_BAD_LOGIN = 1
/** Misuse: bad command line, missing or malformed fd 3 data (checkpassword interface). */
export const EXIT_USAGE = 2
/** Permanent failure: refused to run (as root, no such Maildir). */
export const EXIT_PERM = 100
/** Temporary failure: I/O error, cannot run the next program (checkpassword interface). */
export const EXIT_TEMP = 111
/** Base for a child killed by signal n when the signal cannot be re-raised: 128 + n. */
export const EXIT_SIGNAL_BASE = 128

/** An error that knows the exit code it ends the program with. */
export class ExitError extends Error {
  readonly code: number
  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

/** Throws a temporary failure (111). */
export const temp = (message: string): never => {
  throw new ExitError(EXIT_TEMP, message)
}

/** Throws a usage error (2). */
export const usage = (message: string): never => {
  throw new ExitError(EXIT_USAGE, message)
}
