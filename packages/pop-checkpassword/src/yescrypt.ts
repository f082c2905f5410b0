// yescrypt crypt strings ($y$params$salt$hash, libxcrypt's format): hash and verify in-process.
import { timingSafeEqual } from 'node:crypto'
import { decode64, decodeUint32, encode64 } from './yescrypt-base64.js'
import { paramsOk, yescryptKdf, YESCRYPT_RW, type YescryptParams } from './yescrypt-kdf.js'

/** A parsed setting: the text kept verbatim in the output, the salt bytes and the parameters. */
interface Setting {
  prefix: string
  salt: Uint8Array
  params: YescryptParams
}

/**
 * Parses `$y$` flavour, log2 N, r, then optionally a "have" bit set followed by p, t, g and
 * log2 NROM, then `$` and the salt, up to the last `$` (as yescrypt-common.c's yescrypt_r).
 * Returns null for anything it cannot compute: malformed text, hash upgrades (g), a ROM.
 */
const parseSetting = (setting: string): Setting | null => {
  if (!setting.startsWith('$y$')) return null
  const num = (at: number, min: number) => decodeUint32(setting, at, min)
  const flavor = num(3, 0)
  if (!flavor) return null
  let flags: number
  if (flavor.value < YESCRYPT_RW) flags = flavor.value
  else if (flavor.value <= YESCRYPT_RW + (0x3fc >> 2))
    flags = YESCRYPT_RW + (flavor.value - YESCRYPT_RW) * 4
  else return null
  const nLog2 = num(flavor.end, 1)
  if (!nLog2 || nLog2.value > 63) return null
  const r = num(nLog2.end, 1)
  if (!r) return null
  const params: YescryptParams = { flags, N: 2 ** nLog2.value, r: r.value, p: 1, t: 0 }
  let at = r.end
  if (setting[at] !== '$') {
    const have = num(at, 1)
    // Bit 4 (g, hash upgrades) and bit 8 (NROM, a ROM) cannot be computed; like libxcrypt,
    // ignore the bits above them.
    if (!have || have.value & 12) return null
    at = have.end
    if (have.value & 1) {
      const p = num(at, 2)
      if (!p) return null
      params.p = p.value
      at = p.end
    }
    if (have.value & 2) {
      const t = num(at, 1)
      if (!t) return null
      params.t = t.value
      at = t.end
    }
  }
  if (setting[at++] !== '$') return null
  const last = setting.lastIndexOf('$')
  const saltEnd = last >= at ? last : setting.length
  const salt = decode64(setting.slice(at, saltEnd), 64)
  if (!salt || !paramsOk(params)) return null
  return { prefix: setting.slice(0, saltEnd), salt, params }
}

const crypt = (password: Buffer, setting: string): string | null => {
  const s = parseSetting(setting)
  if (!s) return null
  return `${s.prefix}$${encode64(yescryptKdf(password, s.salt, s.params))}`
}

/**
 * Hashes `password` with the yescrypt `setting` (`$y$j9T$salt`, or a whole hash whose salt and
 * parameters are reused). Throws a RangeError for a setting it cannot use.
 */
export const yescryptHash = (password: Buffer, setting: string): string => {
  const out = crypt(password, setting)
  if (out === null) throw new RangeError('unusable yescrypt setting')
  return out
}

/**
 * Whether `password` matches the `$y$` `hash`, compared in constant time. False for a malformed
 * or unsupported hash (hash upgrades, ROMs, more than 1 GiB of memory); never throws for bad
 * input. Throws a RangeError only when the memory a valid hash needs cannot be had (a temporary
 * failure for the caller).
 */
export const yescryptVerify = (password: Buffer, hash: string): boolean => {
  if (hash.length > 256) return false
  const out = crypt(password, hash)
  if (out === null || out.length !== hash.length) return false
  const a = Buffer.from(out, 'latin1')
  const b = Buffer.from(hash, 'latin1')
  return a.length === b.length && timingSafeEqual(a, b)
}
