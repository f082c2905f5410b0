// APOP (RFC 1939 section 7): the secret field is MD5(greeting timestamp + shared secret) in hex.
import { createHash } from 'node:crypto'
import { safeEqual } from './safe-equal.js'

/** True when the fd 3 fields look like an APOP login: a 32-hex-digit digest and a `<...>` timestamp. */
export const looksLikeApop = (secret: Buffer, timestamp: Buffer): boolean =>
  secret.length === 32 &&
  /^[0-9a-fA-F]{32}$/.test(secret.toString('latin1')) &&
  /^<[^<>]+>$/.test(timestamp.toString('latin1'))

/** True when digest is MD5(timestamp + plain), compared in constant time. */
export const apopMatches = (digest: Buffer, timestamp: Buffer, plain: Buffer): boolean => {
  const want = createHash('md5').update(timestamp).update(plain).digest('hex')
  return safeEqual(want, digest.toString('latin1').toLowerCase())
}
