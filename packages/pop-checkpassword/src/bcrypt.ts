// bcrypt ($2a$, $2b$, $2y$): Provos and Mazières' EksBlowfish over the password's bytes, as libxcrypt computes it.
import { PI_HEX } from './blowfish-pi.js'

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const MAGIC = Buffer.from('OrpheanBeholderScryDoubt')

let initial: Uint32Array | null = null
const piWords = (): Uint32Array => {
  if (initial === null) {
    initial = new Uint32Array(1042)
    for (let i = 0; i < 1042; i++) initial[i] = parseInt(PI_HEX.slice(i * 8, i * 8 + 8), 16)
  }
  return initial
}

// bcrypt's base 64: its own alphabet, most significant bits first.
const encode = (b: Uint8Array, n: number): string => {
  let out = ''
  for (let i = 0; i < n; i += 3) {
    const c1 = b[i]!
    const c2 = i + 1 < n ? b[i + 1]! : 0
    const c3 = i + 2 < n ? b[i + 2]! : 0
    out += ALPHABET[c1 >> 2]! + ALPHABET[((c1 & 3) << 4) | (c2 >> 4)]!
    if (i + 1 < n) out += ALPHABET[((c2 & 15) << 2) | (c3 >> 6)]!
    if (i + 2 < n) out += ALPHABET[c3 & 63]!
  }
  return out
}

const decode = (s: string, n: number): Uint8Array | null => {
  const v = [...s].map((c) => ALPHABET.indexOf(c))
  if (v.some((x) => x < 0)) return null
  const out = new Uint8Array(n)
  let bits = 0
  let acc = 0
  let at = 0
  for (const x of v) {
    acc = (acc << 6) | x
    bits += 6
    if (bits >= 8 && at < n) {
      bits -= 8
      out[at++] = (acc >> bits) & 0xff
    }
  }
  return at === n ? out : null
}

/** The Blowfish state: P (18 words) then the four S-boxes (256 words each), in one array. */
class Eks {
  readonly s = new Uint32Array(piWords())
  readonly lr = new Uint32Array(2)

  encipher(l: number, r: number): void {
    const s = this.s
    l ^= s[0]!
    for (let i = 1; i <= 16; i += 2) {
      r ^=
        (((s[18 + (l >>> 24)]! + s[274 + ((l >>> 16) & 0xff)]!) ^ s[530 + ((l >>> 8) & 0xff)]!) +
          s[786 + (l & 0xff)]!) ^
        s[i]!
      l ^=
        (((s[18 + (r >>> 24)]! + s[274 + ((r >>> 16) & 0xff)]!) ^ s[530 + ((r >>> 8) & 0xff)]!) +
          s[786 + (r & 0xff)]!) ^
        s[i + 1]!
    }
    this.lr[0] = r ^ s[17]!
    this.lr[1] = l
  }

  /** ExpandKey: P ^= key words, then P and S replaced by successive encryptions (with salt words mixed in, if any). */
  expand(key: Uint32Array, salt: Uint32Array | null): void {
    const s = this.s
    for (let i = 0; i < 18; i++) s[i] = s[i]! ^ key[i]!
    let l = 0
    let r = 0
    for (let i = 0, j = 0; i < 1042; i += 2, j = (j + 2) & 3) {
      if (salt !== null) {
        l ^= salt[j]!
        r ^= salt[j + 1]!
      }
      this.encipher(l, r)
      l = s[i] = this.lr[0]!
      r = s[i + 1] = this.lr[1]!
    }
  }
}

// 18 key words from the password and its NUL, cycled (72 bytes at most), and for $2a$ the mark of
// crypt_blowfish's safety measure: a password with 8-bit bytes that the old sign-extension bug
// ($2x$) would hash the same way gets a bit flipped in the initial P[0], so the two never match.
const keyWords = (pw: Buffer, minor: string): { words: Uint32Array; mark: number } => {
  const key = Buffer.alloc(pw.length + 1)
  pw.copy(key)
  const out = new Uint32Array(18)
  let at = 0
  let sign = 0
  let diff = 0
  for (let i = 0; i < 18; i++) {
    let good = 0
    let buggy = 0
    for (let j = 0; j < 4; j++) {
      const c = key[at]!
      good = ((good << 8) | c) >>> 0
      buggy = ((buggy << 8) | (c >= 0x80 ? c - 256 : c)) >>> 0
      if (j > 0) sign |= buggy & 0x80
      at = (at + 1) % key.length
    }
    diff |= good ^ buggy
    out[i] = good
  }
  key.fill(0)
  return { words: out, mark: minor === 'a' && diff === 0 && sign !== 0 ? 0x10000 : 0 }
}

/** The bcrypt hash of pw with the cost and salt of hash, or null for a malformed setting. */
export const bcrypt = (pw: Buffer, hash: string): string | null => {
  const m = /^\$2([aby])\$([0-9]{2})\$([./A-Za-z0-9]{22})/.exec(hash)
  if (m === null) return null
  const cost = Number(m[2])
  const saltBytes = decode(m[3]!, 16)
  if (cost < 4 || cost > 31 || saltBytes === null) return null
  const salt = new Uint32Array(4)
  for (let i = 0; i < 4; i++) salt[i] = Buffer.from(saltBytes).readUInt32BE(i * 4)
  const { words: key, mark } = keyWords(pw, m[1]!)
  const saltKey = salt4to18(salt)
  const st = new Eks()
  st.s[0] = st.s[0]! ^ mark
  st.expand(key, salt)
  for (let n = 2 ** cost; n > 0; n--) {
    st.expand(key, null)
    st.expand(saltKey, null)
  }
  key.fill(0)
  const c = new Uint32Array(6)
  for (let i = 0; i < 6; i++) c[i] = MAGIC.readUInt32BE(i * 4)
  for (let n = 0; n < 64; n++) {
    for (let i = 0; i < 6; i += 2) {
      st.encipher(c[i]!, c[i + 1]!)
      c[i] = st.lr[0]!
      c[i + 1] = st.lr[1]!
    }
  }
  const out = Buffer.alloc(24)
  for (let i = 0; i < 6; i++) out.writeUInt32BE(c[i]!, i * 4)
  return `$2${m[1]}$${m[2]}$${encode(saltBytes, 16)}${encode(out, 23)}`
}

// The salt as an 18-word key: its four words cycled.
const salt4to18 = (salt: Uint32Array): Uint32Array => {
  const k = new Uint32Array(18)
  for (let i = 0; i < 18; i++) k[i] = salt[i & 3]!
  return k
}
