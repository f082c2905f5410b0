// Constant-time comparison of secrets of any length, in plain code: no node:crypto on the login path.

const bytes = (x: Buffer | string): Uint8Array => (typeof x === 'string' ? Buffer.from(x) : x)

/**
 * True when a and b hold the same bytes. The time taken does not depend on their contents or on
 * where they differ, and on their lengths only in steps of 64 bytes (as hashing them would): every
 * byte up to the next multiple of 64 past the longer one is visited, with no early exit.
 */
export const safeEqual = (a: Buffer | string, b: Buffer | string): boolean => {
  const x = bytes(a)
  const y = bytes(b)
  const n = (Math.floor(Math.max(x.length, y.length) / 64) + 1) * 64
  let diff = x.length ^ y.length
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}
