// APOP (RFC 1939 section 7): the secret is MD5(greeting timestamp + shared secret) in hex.
import { safeEqual } from './safe-equal.js'

const isHex = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)

/** True when the fd 3 fields look like an APOP login: a 32-hex-digit digest and a `<...>` timestamp. */
export const looksLikeApop = (secret: Buffer, timestamp: Buffer): boolean =>
  secret.length === 32 && secret.every(isHex) && /^<[^<>]+>$/.test(timestamp.toString('latin1'))

/** True when digest is MD5(timestamp + plain) in hex of either case, compared in constant time. */
export const apopMatches = (digest: Buffer, timestamp: Buffer, plain: Buffer): boolean => {
  const want = Buffer.from(
    process
      .getBuiltinModule('node:crypto')
      .createHash('md5')
      .update(timestamp)
      .update(plain)
      .digest('hex'),
    'latin1',
  )
  // Lower-cased byte by byte: the secret field never becomes a string.
  const got = Buffer.from(digest.map((b) => (b >= 0x41 && b <= 0x46 ? b + 32 : b)))
  const ok = safeEqual(want, got)
  got.fill(0)
  return ok
}
