// The login signal: how a later stage tells pop-frontend that the credentials were good.
import { fstatSync, writeSync, closeSync, type Stats } from 'node:fs'

/** The environment variable naming the descriptor of the login signal pipe. */
export const AUTHFD_VAR = 'POPCHAIN_AUTHFD'

const sameFile = (fd: number, st: Stats): boolean => {
  try {
    const other = fstatSync(fd)
    return other.ino === st.ino && other.dev === st.dev
  } catch {
    return false
  }
}

/**
 * Tells the frontend that the login succeeded, once: writes one byte to the pipe named by
 * POPCHAIN_AUTHFD (only if that descriptor is a pipe or a socket), closes it, and removes the variable
 * from env so that no later stage writes to a descriptor number that means something else there.
 * Stages that do not know the variable ignore it; the frontend then judges by the exit status.
 */
export const signalLogin = (env: NodeJS.ProcessEnv): void => {
  const raw = env[AUTHFD_VAR]
  delete env[AUTHFD_VAR]
  if (raw === undefined || !/^[0-9]{1,4}$/.test(raw)) return
  const fd = Number(raw)
  if (fd < 3) return
  try {
    // Node's spawn makes the pipe a socketpair; a shell or a C frontend makes a FIFO.
    const st = fstatSync(fd)
    if (!st.isFIFO() && !st.isSocket()) return
    if (st.isSocket() && [0, 1].some((n) => sameFile(n, st))) return
    writeSync(fd, '+')
  } catch {
    // the frontend went away or the descriptor is not ours: nothing to tell
  }
  try {
    closeSync(fd)
  } catch {
    // already closed
  }
}
