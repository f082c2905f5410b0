// The checkpassword interface's fd 3 data: login NUL secret NUL timestamp NUL (cr.yp.to/checkpwd/interface.html).
import { ExitError, EXIT_USAGE } from './exit-codes.js'

/** The most bytes a checkpassword program reads from fd 3. */
export const CREDS_MAX = 512

/** The fields of the fd 3 data. */
export interface Creds {
  login: Buffer
  secret: Buffer
  timestamp: Buffer
}

/**
 * A zero-filled buffer for secret bytes, always outside the JavaScript heap. V8 keeps a small
 * typed array (up to 64 bytes, as Buffer.alloc makes) inside the heap and moves it out the first
 * time native code touches it, leaving a stale copy that no fill(0) reaches; an ArrayBuffer's
 * store is never in the heap.
 */
export const secretBuffer = (size: number): Buffer => Buffer.from(new ArrayBuffer(size))

/** Encodes the fields; the caller zeroes the result after writing it. Returns null when over 512 bytes. */
export const encodeCreds = (login: Buffer, secret: Buffer, timestamp: Buffer): Buffer | null => {
  const size = login.length + secret.length + timestamp.length + 3
  if (size > CREDS_MAX) return null
  const out = secretBuffer(size)
  let at = login.copy(out, 0) + 1
  at += secret.copy(out, at) + 1
  timestamp.copy(out, at)
  return out
}

/**
 * Parses the fd 3 data. The login and secret must each end in NUL; whatever follows the second
 * NUL up to the next NUL (or the end) is the timestamp, and anything after it is ignored, as the
 * interface allows. Throws a misuse error (2) for data without two NULs.
 */
export const parseCreds = (data: Buffer): Creds => {
  const a = data.indexOf(0)
  const b = a < 0 ? -1 : data.indexOf(0, a + 1)
  if (a < 0 || b < 0) throw new ExitError(EXIT_USAGE, 'malformed checkpassword data on fd 3')
  const c = data.indexOf(0, b + 1)
  return {
    login: data.subarray(0, a),
    secret: data.subarray(a + 1, b),
    timestamp: data.subarray(b + 1, c < 0 ? data.length : c),
  }
}
