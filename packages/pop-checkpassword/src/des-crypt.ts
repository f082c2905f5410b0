// Traditional DES crypt(3): the first eight bytes of the password, seven bits each, and a two-character salt.
import unixCryptTD from 'unix-crypt-td-js'

/** The 13-character DES crypt of pw with the salt of hash. */
export const desCrypt = (pw: Buffer, hash: string): string => {
  // Raw bytes: the library takes seven bits of each itself, and a byte of 0x80 must not end the key.
  const bytes = [...pw.subarray(0, 8)]
  const out = unixCryptTD(bytes, hash.slice(0, 2))
  bytes.fill(0)
  return out
}
