// The crypt(3) base-64 alphabet and the byte-group encoding that MD5 and SHA crypt share.

/** crypt's alphabet: ./0-9A-Za-z, least significant six bits first. */
export const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/**
 * Encodes a digest taking bytes in the order of `groups`: each group of up to three byte indices
 * (first = most significant) becomes `chars` characters, least significant six bits first.
 */
export const encodeGroups = (digest: Buffer, groups: readonly (readonly number[])[]): string => {
  let out = ''
  for (const g of groups) {
    let w = 0
    for (const i of g) w = (w << 8) | digest[i]!
    const chars = g.length === 3 ? 4 : g.length === 2 ? 3 : 2
    for (let c = 0; c < chars; c++, w >>>= 6) out += CRYPT_ALPHABET[w & 63]
  }
  return out
}
