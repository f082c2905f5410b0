// Constant-time comparison of secrets of any length.
import { createHash, timingSafeEqual } from 'node:crypto'

/** True when a and b hold the same bytes; the time taken does not depend on where they differ or on their lengths. */
export const safeEqual = (a: Buffer | string, b: Buffer | string): boolean => {
  const da = createHash('sha256').update(a).digest()
  const db = createHash('sha256').update(b).digest()
  return timingSafeEqual(da, db)
}
