// bcrypt ($2a$, $2b$, $2y$) through bcryptjs, which takes the password as a string and hashes its UTF-8 bytes.
import bcryptjs from 'bcryptjs'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The bcrypt hash of pw with the setting of hash, or null when pw is not UTF-8: bcryptjs hashes a
 * string's UTF-8 encoding, so other bytes cannot reach it unchanged. $2a$, $2b$ and $2y$ are one
 * algorithm for passwords of up to 255 bytes, and all use at most the first 72.
 */
export const bcrypt = (pw: Buffer, hash: string): string | null => {
  let text: string
  try {
    text = utf8.decode(pw)
  } catch {
    return null
  }
  return bcryptjs.hashSync(text, hash.slice(0, 29))
}
