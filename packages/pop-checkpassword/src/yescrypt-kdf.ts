// The yescrypt KDF (Solar Designer's yescrypt 1.1, as in libxcrypt): scrypt's SMix with pwxform.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import {
  blockmixPwxform,
  blockmixSalsa8,
  SBOX_WORDS,
  SWORDS,
  type Pwx,
} from './yescrypt-blockmix.js'
import { wasmCore, type WasmCore } from './yescrypt-wasm.js'

/** yescrypt's parameters, as in yescrypt.h's yescrypt_params_t (no ROM, no upgrades). */
export interface YescryptParams {
  flags: number
  N: number
  r: number
  p: number
  t: number
}

export const YESCRYPT_WORM = 1
export const YESCRYPT_RW = 2
/** The only pwxform flavour yescrypt defines: 6 rounds, gather 4, simple 2, 12 KiB S-boxes. */
export const YESCRYPT_DEFAULTS = 0xb6
const YESCRYPT_PREHASH = 0x10000000

/** The most memory this implementation uses (libxcrypt's dearest setting, -R 11, needs 1 GiB). */
export const MAX_BYTES = 2 ** 30 + 2 ** 24

/** Whether the parameters are ones yescrypt_kdf_body accepts and this code can afford. */
export const paramsOk = ({ flags, N, r, p, t }: YescryptParams): boolean => {
  if (flags === 0) {
    if (t !== 0) return false
  } else if (flags !== YESCRYPT_WORM && flags !== YESCRYPT_DEFAULTS) return false
  // As libxcrypt's yescrypt-opt.c (stricter than yescrypt-ref.c): N at least 4, and N / p too.
  if (!Number.isSafeInteger(N) || N < 4 || (N & (N - 1)) !== 0) return false
  if (r < 1 || p < 1 || r * p >= 2 ** 30) return false
  if (128 * r * (N + p) + 4 * SWORDS * p > MAX_BYTES) return false
  // SMix2's loop count, about N * t, must fit the WebAssembly core's 32-bit counters.
  if (N * (t + 1) * 2 > 2 ** 31) return false
  if (flags & YESCRYPT_RW && Math.floor(N / p) <= 3) return false
  return true
}

/** yescrypt's words are little-endian; on such hosts (all Node runs on, nearly) copy them whole. */
const LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

const toWords = (bytes: Uint8Array): Uint32Array => {
  const words = new Uint32Array(bytes.length >> 2)
  if (LE) {
    new Uint8Array(words.buffer).set(bytes.subarray(0, words.length * 4))
    return words
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, true)
  return words
}

const toBytes = (words: Uint32Array): Buffer => {
  if (LE)
    return Buffer.from(words.buffer.slice(words.byteOffset, words.byteOffset + words.byteLength))
  const bytes = Buffer.alloc(words.length * 4)
  for (let i = 0; i < words.length; i++) bytes.writeUInt32LE(words[i]!, i * 4)
  return bytes
}

const hmac = (key: Uint8Array, msg: Uint8Array): Buffer =>
  createHmac('sha256', key).update(msg).digest()

/** Working storage for one SMix: X (the block), Y (scratch), t (two 16-word temporaries). */
interface Work {
  X: Uint32Array
  Y: Uint32Array
  t: Uint32Array
  /** The WebAssembly core, whose memory holds X, V and the S-boxes, or null. */
  core: WasmCore | null
}

/** Hands a pwxform context to the WebAssembly core: S0, S1, S2 addresses and S2 offset, bytes. */
const ctxOut = (w: Work, ctx: Pwx): Int32Array => {
  const base = ctx.S.byteOffset
  const c = new Int32Array(w.core!.mem.buffer, ctx.at, 4)
  c.set([base + 4 * ctx.s0, base + 4 * ctx.s1, base + 4 * ctx.s2, 8 * ctx.w])
  return c
}

const ctxIn = (ctx: Pwx, c: Int32Array): void => {
  const base = ctx.S.byteOffset
  ctx.s0 = (c[0]! - base) >> 2
  ctx.s1 = (c[1]! - base) >> 2
  ctx.s2 = (c[2]! - base) >> 2
  ctx.w = c[3]! >> 3
}

const blockmix = (w: Work, r: number, ctx: Pwx | null): void => {
  if (ctx) blockmixPwxform(w.X, 0, r, ctx, w.t)
  else blockmixSalsa8(w.X, 0, w.Y, r, w.t)
}

/**
 * Loads block B (32r words at `at`) into X in the shuffled order: word i of each 64-byte block
 * of X is word 5i mod 16 of B's. Written out, so that the first call need not wait for the JIT.
 */
const shuffleIn = (X: Uint32Array, B: Uint32Array, at: number, r: number): void => {
  for (let x = 0, b = at; x < 32 * r; x += 16, b += 16) {
    X[x] = B[b]!
    X[x + 1] = B[b + 5]!
    X[x + 2] = B[b + 10]!
    X[x + 3] = B[b + 15]!
    X[x + 4] = B[b + 4]!
    X[x + 5] = B[b + 9]!
    X[x + 6] = B[b + 14]!
    X[x + 7] = B[b + 3]!
    X[x + 8] = B[b + 8]!
    X[x + 9] = B[b + 13]!
    X[x + 10] = B[b + 2]!
    X[x + 11] = B[b + 7]!
    X[x + 12] = B[b + 12]!
    X[x + 13] = B[b + 1]!
    X[x + 14] = B[b + 6]!
    X[x + 15] = B[b + 11]!
  }
}

const shuffleOut = (B: Uint32Array, at: number, X: Uint32Array, r: number): void => {
  for (let x = 0, b = at; x < 32 * r; x += 16, b += 16) {
    B[b] = X[x]!
    B[b + 5] = X[x + 1]!
    B[b + 10] = X[x + 2]!
    B[b + 15] = X[x + 3]!
    B[b + 4] = X[x + 4]!
    B[b + 9] = X[x + 5]!
    B[b + 14] = X[x + 6]!
    B[b + 3] = X[x + 7]!
    B[b + 8] = X[x + 8]!
    B[b + 13] = X[x + 9]!
    B[b + 2] = X[x + 10]!
    B[b + 7] = X[x + 11]!
    B[b + 12] = X[x + 12]!
    B[b + 1] = X[x + 13]!
    B[b + 6] = X[x + 14]!
    B[b + 11] = X[x + 15]!
  }
}

const xorInto = (X: Uint32Array, V: Uint32Array, at: number, s: number): void => {
  for (let k = 0; k < s; k++) X[k]! ^= V[at + k]!
}

/** The low 32 bits of Integerify(X): the first word of the last 64-byte block. */
const integerify = (X: Uint32Array, r: number): number => X[(2 * r - 1) * 16]!

/** The largest power of 2 not above x (x below 2^31). */
const p2floor = (x: number): number => 1 << (31 - Math.clz32(x))

/** SMix1: fill V (at word `v`) with N successive blocks, RW mode also reading back. */
const smix1 = (
  B: Uint32Array,
  at: number,
  r: number,
  N: number,
  flags: number,
  V: Uint32Array,
  v: number,
  w: Work,
  ctx: Pwx | null,
): void => {
  const s = 32 * r
  const X = w.X
  shuffleIn(X, B, at, r)
  if (ctx && w.core) {
    const c = ctxOut(w, ctx)
    w.core.smix1(X.byteOffset, V.byteOffset + 4 * v, N, r, ctx.at)
    ctxIn(ctx, c)
    return shuffleOut(B, at, X, r)
  }
  for (let i = 0; i < N; i++) {
    V.set(X.subarray(0, s), v + i * s)
    if (flags & YESCRYPT_RW && i > 1) {
      const n = p2floor(i)
      const j = (integerify(X, r) & (n - 1)) + (i - n)
      xorInto(X, V, v + j * s, s)
    }
    blockmix(w, r, ctx)
  }
  shuffleOut(B, at, X, r)
}

/** SMix2: Nloop data-dependent reads of V, RW mode writing each block back. */
const smix2 = (
  B: Uint32Array,
  at: number,
  r: number,
  N: number,
  Nloop: number,
  flags: number,
  V: Uint32Array,
  v: number,
  w: Work,
  ctx: Pwx | null,
): void => {
  const s = 32 * r
  const X = w.X
  shuffleIn(X, B, at, r)
  if (ctx && w.core) {
    const c = ctxOut(w, ctx)
    w.core.smix2(X.byteOffset, V.byteOffset + 4 * v, N, Nloop, r, flags & YESCRYPT_RW, ctx.at)
    ctxIn(ctx, c)
    return shuffleOut(B, at, X, r)
  }
  for (let i = 0; i < Nloop; i++) {
    const j = integerify(X, r) & (N - 1)
    xorInto(X, V, v + j * s, s)
    if (flags & YESCRYPT_RW) V.set(X.subarray(0, s), v + j * s)
    blockmix(w, r, ctx)
  }
  shuffleOut(B, at, X, r)
}

/** SMix over the p blocks of B; `passwd` (32 bytes) is replaced as yescrypt's step 24 says. */
const smix = (
  B: Uint32Array,
  r: number,
  N: number,
  p: number,
  t: number,
  flags: number,
  V: Uint32Array,
  w: Work,
  passwd: Buffer,
  mem: { buffer: ArrayBuffer; sAt: number } | null = null,
): Buffer => {
  const s = 32 * r
  let Nchunk = Math.floor(N / p)
  let NloopAll = Nchunk
  if (flags & YESCRYPT_RW) {
    if (t <= 1) {
      if (t) NloopAll *= 2
      NloopAll = Math.floor((NloopAll + 2) / 3)
    } else NloopAll *= t - 1
  } else if (t) {
    if (t === 1) NloopAll += Math.floor((NloopAll + 1) / 2)
    NloopAll *= t
  }
  let NloopRw = flags & YESCRYPT_RW ? Math.floor(NloopAll / p) : 0
  Nchunk -= Nchunk % 2
  NloopAll += NloopAll % 2
  NloopRw += NloopRw % 2
  const ctxs: (Pwx | null)[] = []
  for (let i = 0, vchunk = 0; i < p; i++, vchunk += Nchunk) {
    const Np = i < p - 1 ? Nchunk : N - vchunk
    let ctx: Pwx | null = null
    if (flags & YESCRYPT_RW) {
      const S = mem
        ? new Uint32Array(mem.buffer, mem.sAt + i * 4 * SWORDS, SWORDS)
        : new Uint32Array(SWORDS)
      if (w.core) {
        shuffleIn(w.X, B, i * s, 1)
        w.core.sbox(w.X.byteOffset, S.byteOffset)
        shuffleOut(B, i * s, w.X, 1)
      } else smix1(B, i * s, 1, SWORDS / 32, 0, S, 0, w, null)
      ctx = { S, s2: 0, s1: SBOX_WORDS, s0: 2 * SBOX_WORDS, w: 0, at: 16 * i }
      if (i === 0) {
        const key = toBytes(B.subarray(s - 16, s))
        const next = hmac(key, passwd)
        key.fill(0)
        passwd.fill(0)
        passwd = next
      }
    }
    ctxs.push(ctx)
    smix1(B, i * s, r, Np, flags, V, vchunk * s, w, ctx)
    smix2(B, i * s, r, p2floor(Np), NloopRw, flags, V, vchunk * s, w, ctx)
  }
  for (let i = 0; i < p; i++)
    smix2(B, i * s, r, N, NloopAll - NloopRw, flags & ~YESCRYPT_RW, V, 0, w, ctxs[i]!)
  for (const ctx of ctxs) ctx?.S.fill(0)
  return passwd
}

/**
 * Where X, the S-boxes and V go in the WebAssembly core's memory (bytes): the pwxform contexts
 * first (16 bytes each), then X, S and V. The prehash pass (N / 64) fits the same layout.
 */
const layout = (r: number, p: number) => {
  const xAt = Math.ceil((16 * p) / 64) * 64
  const sAt = xAt + 128 * r
  return { xAt, sAt, vAt: sAt + 4 * SWORDS * p }
}

/** yescrypt_kdf_body: one full pass, writing a 32-byte result. */
const kdfBody = (
  password: Buffer,
  salt: Uint8Array,
  prm: YescryptParams,
  core: WasmCore | null,
): Buffer => {
  const { flags, N, r, p, t } = prm
  const { xAt, sAt, vAt } = layout(r, p)
  const buffer = core?.mem.buffer
  const V = buffer ? new Uint32Array(buffer, vAt, 32 * r * N) : new Uint32Array(32 * r * N)
  const w: Work = {
    X: buffer ? new Uint32Array(buffer, xAt, 32 * r) : new Uint32Array(32 * r),
    Y: new Uint32Array(32 * r),
    t: new Uint32Array(32),
    core,
  }
  const prehash = flags & YESCRYPT_PREHASH ? 'yescrypt-prehash' : 'yescrypt'
  let passwd = flags ? hmac(Buffer.from(prehash), password) : password
  const B = toWords(pbkdf2Sync(passwd, salt, 1, 128 * r * p, 'sha256'))
  if (flags) {
    passwd.fill(0)
    passwd = toBytes(B.subarray(0, 8))
    if (flags & YESCRYPT_RW)
      passwd = smix(B, r, N, p, t, flags, V, w, passwd, buffer ? { buffer, sAt } : null)
    else for (let i = 0; i < p; i++) smix(B.subarray(32 * r * i), r, N, 1, t, flags, V, w, passwd)
  } else for (let i = 0; i < p; i++) smix(B.subarray(32 * r * i), r, N, 1, t, flags, V, w, passwd)
  const bytes = toBytes(B)
  const dk = pbkdf2Sync(passwd, bytes, 1, 32, 'sha256')
  // The WebAssembly memory (X, S, V) is zeroed once, by yescryptKdf.
  for (const secret of buffer ? [bytes, B] : [bytes, B, w.X, w.Y, w.t, V]) secret.fill(0)
  if (passwd !== password) passwd.fill(0)
  if (!flags || flags & YESCRYPT_PREHASH) return dk
  const clientKey = hmac(dk, Buffer.from('Client Key'))
  dk.fill(0)
  const storedKey = createHash('sha256').update(clientKey).digest()
  clientKey.fill(0)
  return storedKey
}

/**
 * yescrypt_kdf: the 32-byte yescrypt (or scrypt) of passwd and salt. Working memory is zeroed
 * before it is let go. `useWasm` false forces the JavaScript path (for tests).
 */
export const yescryptKdf = (
  passwd: Buffer,
  salt: Uint8Array,
  prm: YescryptParams,
  useWasm = true,
): Buffer => {
  const { flags, N, r, p } = prm
  // The core sees memory as little-endian, as the JavaScript views over it do only on such hosts.
  const core =
    flags & YESCRYPT_RW && useWasm && LE ? wasmCore(layout(r, p).vAt + 128 * r * N) : null
  try {
    if (flags & YESCRYPT_RW && Math.floor(N / p) >= 0x100 && Math.floor(N / p) * r >= 0x20000) {
      const pre = { flags: flags | YESCRYPT_PREHASH, N: N / 64, r, p, t: 0 }
      const dk = kdfBody(passwd, salt, pre, core)
      const out = kdfBody(dk, salt, prm, core)
      dk.fill(0)
      return out
    }
    return kdfBody(passwd, salt, prm, core)
  } finally {
    if (core) new Uint8Array(core.mem.buffer).fill(0)
  }
}
