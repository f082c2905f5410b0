// yescrypt's base-64: "./0-9A-Za-z", least significant bits first, and its variable-length integers.
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** The 6-bit value of the character at `at`, or 64 when it is not one of ITOA64's. */
export const atoi64 = (s: string, at: number): number => {
  const c = s.charCodeAt(at)
  if (c >= 0x2e && c <= 0x39) return c - 0x2e
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 12
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 38
  return 64
}

/** A decoded integer and the index just past its characters. */
export interface Decoded {
  value: number
  end: number
}

/**
 * Decodes one of yescrypt's variable-length integers (1 to 6 characters; the first character's
 * range says how many follow), as yescrypt-common.c's decode64_uint32 does.
 */
export const decodeUint32 = (s: string, at: number, min: number): Decoded | null => {
  let c = atoi64(s, at++)
  if (c > 63) return null
  let start = 0
  let end = 47
  let chars = 1
  let bits = 0
  let value = min
  while (c > end) {
    value += (end + 1 - start) * 2 ** bits
    start = end + 1
    end = start + ((62 - end) >> 1)
    chars++
    bits += 6
  }
  value += (c - start) * 2 ** bits
  while (--chars) {
    c = atoi64(s, at++)
    if (c > 63) return null
    bits -= 6
    value += c * 2 ** bits
  }
  return value > 0xffffffff ? null : { value, end: at }
}

/** Encodes a variable-length integer; the inverse of decodeUint32. */
export const encodeUint32 = (n: number, min: number): string => {
  let src = n - min
  let start = 0
  let end = 47
  let chars = 1
  let bits = 0
  for (;;) {
    const count = (end + 1 - start) * 2 ** bits
    if (src < count) break
    if (start >= 63) throw new RangeError('yescrypt parameter too large')
    start = end + 1
    end = start + ((62 - end) >> 1)
    src -= count
    chars++
    bits += 6
  }
  let out = ITOA64[start + Math.floor(src / 2 ** bits)]!
  while (--chars) {
    bits -= 6
    out += ITOA64[Math.floor(src / 2 ** bits) & 0x3f]!
  }
  return out
}

/** Encodes bytes in groups of three, little-endian, emitting only the characters that carry bits. */
export const encode64 = (src: Uint8Array): string => {
  let out = ''
  for (let i = 0; i < src.length;) {
    let value = 0
    let bits = 0
    do {
      value |= src[i++]! << bits
      bits += 8
    } while (bits < 24 && i < src.length)
    for (let b = 0; b < bits; b += 6) {
      out += ITOA64[value & 0x3f]!
      value >>>= 6
    }
  }
  return out
}

/**
 * Decodes `s` whole into at most `max` bytes, or returns null. Like yescrypt-common.c's decode64,
 * it refuses a lone trailing character and unused bits that are not zero, so that each byte
 * string has one encoding.
 */
export const decode64 = (s: string, max: number): Uint8Array | null => {
  const out: number[] = []
  let at = 0
  while (at < s.length) {
    let value = 0
    let bits = 0
    while (at < s.length && bits < 24) {
      const c = atoi64(s, at++)
      if (c > 63) return null
      value |= c << bits
      bits += 6
    }
    if (bits < 12) return null
    while (bits >= 8) {
      out.push(value & 0xff)
      value >>>= 8
      bits -= 8
    }
    if (value !== 0) return null
  }
  return out.length > max ? null : Uint8Array.from(out)
}
