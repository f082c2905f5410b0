// MD5 crypt ($1$, Poul-Henning Kamp's FreeBSD scheme), computed with node:crypto's MD5.
import { createHash } from 'node:crypto'
import { encodeGroups } from './crypt-b64.js'

const MAGIC = Buffer.from('$1$')
const ORDER = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5], [11]] as const

/** The `$1$salt$hash` string for a password and the salt part of a stored hash (at most 8 bytes, up to `$`). */
export const md5Crypt = (pw: Buffer, setting: string): string => {
  const salt = Buffer.from(
    setting
      .replace(/^\$1\$/, '')
      .split('$')[0]!
      .slice(0, 8),
    'latin1',
  )
  const alt = createHash('md5').update(pw).update(salt).update(pw).digest()
  const h = createHash('md5').update(pw).update(MAGIC).update(salt)
  for (let left = pw.length; left > 0; left -= 16) h.update(alt.subarray(0, Math.min(left, 16)))
  // The original adds a byte of a zeroed buffer for each 1 bit, the password's first byte for each 0 bit.
  for (let i = pw.length; i > 0; i >>= 1) h.update(Buffer.from([i & 1 ? 0 : (pw[0] ?? 0)]))
  let d = h.digest()
  for (let i = 0; i < 1000; i++) {
    const r = createHash('md5')
    r.update(i & 1 ? pw : d)
    if (i % 3) r.update(salt)
    if (i % 7) r.update(pw)
    r.update(i & 1 ? d : pw)
    d = r.digest()
  }
  return `$1$${salt.toString('latin1')}$${encodeGroups(d, ORDER)}`
}
