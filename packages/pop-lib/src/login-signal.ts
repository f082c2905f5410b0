// The login signal: how a later stage tells pop-frontend that the credentials were good.
import { fstatSync, writeSync, closeSync } from 'node:fs'

/** The environment variable naming the descriptor of the login signal pipe. */
export const AUTHFD_VAR = 'POPCHAIN_AUTHFD'

/**
 * Tells the frontend that the login succeeded, once: writes one byte to the pipe named by
 * POPCHAIN_AUTHFD (only if that descriptor is really a pipe), closes it, and removes the variable
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
    if (!fstatSync(fd).isFIFO()) return
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
