// A stored password as a users file or /etc/shadow holds it: Dovecot's {SCHEME} prefixes, or a bare crypt(3) hash.
import { cryptKind, verifyCrypt } from './crypt.js'
import { safeEqual } from './safe-equal.js'

const CRYPTS = new Set([
  'CRYPT',
  'MD5-CRYPT',
  'MD5',
  'SHA256-CRYPT',
  'SHA512-CRYPT',
  'BLF-CRYPT',
  'DES-CRYPT',
])
const PLAINS = new Set(['PLAIN', 'CLEARTEXT'])
// Digest schemes: the hash function and whether a salt follows the digest (Dovecot's S* forms).
const DIGESTS: Record<string, { algo: string; salted: boolean; hex: boolean }> = {
  SHA: { algo: 'sha1', salted: false, hex: false },
  SHA1: { algo: 'sha1', salted: false, hex: false },
  SHA256: { algo: 'sha256', salted: false, hex: false },
  SHA512: { algo: 'sha512', salted: false, hex: false },
  SSHA: { algo: 'sha1', salted: true, hex: false },
  SSHA256: { algo: 'sha256', salted: true, hex: false },
  SSHA512: { algo: 'sha512', salted: true, hex: false },
  'PLAIN-MD5': { algo: 'md5', salted: false, hex: true },
  'LDAP-MD5': { algo: 'md5', salted: false, hex: false },
  SMD5: { algo: 'md5', salted: true, hex: false },
}

/** A stored password split into its scheme (upper case, without an encoding suffix), encoding and value. */
export interface Stored {
  scheme: string
  encoding: 'hex' | 'b64' | null
  value: string
}

/** Splits `{SCHEME.ENC}value`; a value without a prefix is a crypt(3) hash, as in /etc/shadow. */
export const splitStored = (stored: string): Stored => {
  const m = /^\{([A-Za-z0-9-]+)(?:\.(hex|b64|base64))?\}/i.exec(stored)
  if (m === null) return { scheme: 'CRYPT', encoding: null, value: stored }
  const enc = m[2]?.toLowerCase()
  return {
    scheme: m[1]!.toUpperCase(),
    encoding: enc === undefined ? null : enc === 'hex' ? 'hex' : 'b64',
    value: stored.slice(m[0].length),
  }
}

/** True when popchain can verify passwords stored in this scheme. */
export const knownScheme = (scheme: string): boolean =>
  CRYPTS.has(scheme) || PLAINS.has(scheme) || scheme in DIGESTS

/** True when popchain can check passwords against this stored value at all (a known scheme, a crypt hash it knows). */
export const verifiable = (stored: string): boolean => {
  const s = splitStored(stored)
  if (CRYPTS.has(s.scheme)) return cryptKind(s.value) !== null
  return knownScheme(s.scheme)
}

/** The plaintext of a {PLAIN} or {CLEARTEXT} stored password (for APOP), else null. */
export const plaintextOf = (stored: string): Buffer | null => {
  const s = splitStored(stored)
  return PLAINS.has(s.scheme) ? Buffer.from(s.value, 'latin1') : null
}

const decode = (s: Stored, size: number, hexDefault: boolean): Buffer => {
  // Dovecot guesses hex when the value is exactly a hex digest; an explicit suffix wins.
  const hex =
    s.encoding === 'hex' ||
    (s.encoding === null &&
      (hexDefault || (/^[0-9a-f]+$/i.test(s.value) && s.value.length === size * 2)))
  return Buffer.from(s.value, hex ? 'hex' : 'base64')
}

/** True when pw matches the stored password; false for a wrong password or an unknown scheme. */
export const verifyStored = async (pw: Buffer, stored: string): Promise<boolean> => {
  const s = splitStored(stored)
  if (CRYPTS.has(s.scheme)) return verifyCrypt(pw, s.value)
  if (PLAINS.has(s.scheme)) return safeEqual(pw, Buffer.from(s.value, 'latin1'))
  const d = DIGESTS[s.scheme]
  if (d === undefined) return false
  const { createHash } = process.getBuiltinModule('node:crypto')
  const size = createHash(d.algo).digest().length
  const raw = decode(s, size, d.hex)
  if (raw.length < size || (!d.salted && raw.length !== size)) return false
  const made = createHash(d.algo).update(pw).update(raw.subarray(size)).digest()
  return safeEqual(made, raw.subarray(0, size))
}
