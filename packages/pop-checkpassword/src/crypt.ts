// crypt(3) hashes as /etc/shadow holds them, recognised by their prefix and verified in-process.
import { safeEqual } from './safe-equal.js'

/** The crypt schemes popchain verifies. */
export type CryptKind = 'des' | 'md5' | 'sha256' | 'sha512' | 'bcrypt' | 'yescrypt'

const DES = /^[./0-9A-Za-z]{13}$/

/** Names the scheme of a crypt(3) hash by its prefix, or null for a hash popchain cannot check. */
export const cryptKind = (hash: string): CryptKind | null => {
  if (hash.startsWith('$1$')) return 'md5'
  if (hash.startsWith('$5$')) return 'sha256'
  if (hash.startsWith('$6$')) return 'sha512'
  if (/^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$/.test(hash)) return 'bcrypt'
  if (hash.startsWith('$y$')) return 'yescrypt'
  if (DES.test(hash)) return 'des'
  return null
}

// Each scheme's module is loaded only when a hash of its kind is checked: start-up stays cheap.
const compute: Record<
  Exclude<CryptKind, 'yescrypt'>,
  (pw: Buffer, hash: string) => Promise<string | null>
> = {
  md5: async (pw, hash) => (await import('./md5-crypt.js')).md5Crypt(pw, hash),
  sha256: async (pw, hash) => (await import('./sha-crypt.js')).shaCrypt(pw, hash),
  sha512: async (pw, hash) => (await import('./sha-crypt.js')).shaCrypt(pw, hash),
  bcrypt: async (pw, hash) => (await import('./bcrypt.js')).bcrypt(pw, hash),
  des: async (pw, hash) => (await import('./des-crypt.js')).desCrypt(pw, hash),
}

/** True when pw matches the crypt(3) hash; false for a wrong password or a scheme popchain cannot check. */
export const verifyCrypt = async (pw: Buffer, hash: string): Promise<boolean> => {
  const kind = cryptKind(hash)
  if (kind === null) return false
  // The yescrypt core is another file's work (yescrypt.ts); this is the one place that loads it.
  if (kind === 'yescrypt') return (await import('./yescrypt.js')).yescryptVerify(pw, hash)
  const made = await compute[kind](pw, hash)
  return made !== null && safeEqual(made, hash)
}
