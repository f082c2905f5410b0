// SASL for POP3 AUTH (RFC 5034): strict base64 on bytes and the PLAIN message (RFC 4616).
import { secretBuffer } from '../../pop-lib/src/creds.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const VALUE = new Int16Array(256).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i

/**
 * Decodes base64 without ever making a string of it (the data may be a password). Returns null
 * for anything but canonical base64 (RFC 4648 section 4: length a multiple of 4, padding only at
 * the end). The caller zeroes the result.
 */
export const decodeBase64 = (text: Buffer): Buffer | null => {
  if (text.length % 4 !== 0) return null
  let pad = 0
  if (text.length > 0 && text[text.length - 1] === 61) pad++
  if (text.length > 1 && text[text.length - 2] === 61) pad++
  const out = secretBuffer((text.length / 4) * 3 - pad)
  let at = 0
  for (let i = 0; i < text.length; i += 4) {
    let n = 0
    for (let j = 0; j < 4; j++) {
      const c = text[i + j]!
      const v = c === 61 && i + j >= text.length - pad ? 0 : VALUE[c]!
      if (v < 0) {
        out.fill(0)
        return null
      }
      n = (n << 6) | v
    }
    for (const shift of [16, 8, 0]) if (at < out.length) out[at++] = (n >> shift) & 0xff
  }
  return out
}

/** Encodes text for a `+ ` continuation line. */
export const encodeBase64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64')

/** The identities and password of a PLAIN message. */
export interface Plain {
  authzid: Buffer
  authcid: Buffer
  passwd: Buffer
}

/** Splits `authzid NUL authcid NUL passwd` (RFC 4616 section 2); null when malformed. */
export const parsePlain = (msg: Buffer): Plain | null => {
  const a = msg.indexOf(0)
  const b = a < 0 ? -1 : msg.indexOf(0, a + 1)
  if (a < 0 || b < 0 || msg.indexOf(0, b + 1) >= 0) return null
  const plain = {
    authzid: msg.subarray(0, a),
    authcid: msg.subarray(a + 1, b),
    passwd: msg.subarray(b + 1),
  }
  return plain.authcid.length === 0 ? null : plain
}
