// yescrypt's block mixing in JavaScript (Salsa20, BlockMix, pwxform), used where WebAssembly is not.

// pwxform's fixed shape, in 32-bit words: 64-byte blocks, three 4 KiB S-boxes, 512 S2 slots.
export const SWORDS = 3072
export const SBOX_WORDS = 1024
const SMASK = 0xff0

/** The S-boxes and write position of one pwxform context; offsets are in words into S. */
export interface Pwx {
  S: Uint32Array
  s0: number
  s1: number
  s2: number
  w: number
  /** Where the context is kept for the WebAssembly core (bytes), when there is one. */
  at: number
}

/**
 * Salsa20 with `rounds` rounds on 16 words at `at` in B, which hold the block in the "SIMD
 * shuffled" order yescrypt keeps blocks in: word i of the block is Salsa20's word (5i mod 16).
 */
const salsa20 = (B: Uint32Array, at: number, rounds: number, x: Uint32Array): void => {
  for (let i = 0; i < 16; i++) x[(i * 5) & 15] = B[at + i]!
  for (let i = 0; i < rounds; i += 2) {
    let u: number
    u = (x[0]! + x[12]!) | 0
    x[4]! ^= (u << 7) | (u >>> 25)
    u = (x[4]! + x[0]!) | 0
    x[8]! ^= (u << 9) | (u >>> 23)
    u = (x[8]! + x[4]!) | 0
    x[12]! ^= (u << 13) | (u >>> 19)
    u = (x[12]! + x[8]!) | 0
    x[0]! ^= (u << 18) | (u >>> 14)
    u = (x[5]! + x[1]!) | 0
    x[9]! ^= (u << 7) | (u >>> 25)
    u = (x[9]! + x[5]!) | 0
    x[13]! ^= (u << 9) | (u >>> 23)
    u = (x[13]! + x[9]!) | 0
    x[1]! ^= (u << 13) | (u >>> 19)
    u = (x[1]! + x[13]!) | 0
    x[5]! ^= (u << 18) | (u >>> 14)
    u = (x[10]! + x[6]!) | 0
    x[14]! ^= (u << 7) | (u >>> 25)
    u = (x[14]! + x[10]!) | 0
    x[2]! ^= (u << 9) | (u >>> 23)
    u = (x[2]! + x[14]!) | 0
    x[6]! ^= (u << 13) | (u >>> 19)
    u = (x[6]! + x[2]!) | 0
    x[10]! ^= (u << 18) | (u >>> 14)
    u = (x[15]! + x[11]!) | 0
    x[3]! ^= (u << 7) | (u >>> 25)
    u = (x[3]! + x[15]!) | 0
    x[7]! ^= (u << 9) | (u >>> 23)
    u = (x[7]! + x[3]!) | 0
    x[11]! ^= (u << 13) | (u >>> 19)
    u = (x[11]! + x[7]!) | 0
    x[15]! ^= (u << 18) | (u >>> 14)
    u = (x[0]! + x[3]!) | 0
    x[1]! ^= (u << 7) | (u >>> 25)
    u = (x[1]! + x[0]!) | 0
    x[2]! ^= (u << 9) | (u >>> 23)
    u = (x[2]! + x[1]!) | 0
    x[3]! ^= (u << 13) | (u >>> 19)
    u = (x[3]! + x[2]!) | 0
    x[0]! ^= (u << 18) | (u >>> 14)
    u = (x[5]! + x[4]!) | 0
    x[6]! ^= (u << 7) | (u >>> 25)
    u = (x[6]! + x[5]!) | 0
    x[7]! ^= (u << 9) | (u >>> 23)
    u = (x[7]! + x[6]!) | 0
    x[4]! ^= (u << 13) | (u >>> 19)
    u = (x[4]! + x[7]!) | 0
    x[5]! ^= (u << 18) | (u >>> 14)
    u = (x[10]! + x[9]!) | 0
    x[11]! ^= (u << 7) | (u >>> 25)
    u = (x[11]! + x[10]!) | 0
    x[8]! ^= (u << 9) | (u >>> 23)
    u = (x[8]! + x[11]!) | 0
    x[9]! ^= (u << 13) | (u >>> 19)
    u = (x[9]! + x[8]!) | 0
    x[10]! ^= (u << 18) | (u >>> 14)
    u = (x[15]! + x[14]!) | 0
    x[12]! ^= (u << 7) | (u >>> 25)
    u = (x[12]! + x[15]!) | 0
    x[13]! ^= (u << 9) | (u >>> 23)
    u = (x[13]! + x[12]!) | 0
    x[14]! ^= (u << 13) | (u >>> 19)
    u = (x[14]! + x[13]!) | 0
    x[15]! ^= (u << 18) | (u >>> 14)
  }
  for (let i = 0; i < 16; i++) B[at + i] = B[at + i]! + x[(i * 5) & 15]!
}

/** scrypt's BlockMix with Salsa20/8 on the 2r 64-byte blocks at `at` in X, using Y as scratch. */
export const blockmixSalsa8 = (
  X: Uint32Array,
  at: number,
  Y: Uint32Array,
  r: number,
  t: Uint32Array,
) => {
  const last = at + (2 * r - 1) * 16
  for (let k = 0; k < 16; k++) t[16 + k] = X[last + k]!
  for (let i = 0; i < 2 * r; i++) {
    for (let k = 0; k < 16; k++) t[16 + k]! ^= X[at + i * 16 + k]!
    salsa20(t, 16, 8, t)
    const to = (i & 1 ? r + (i >> 1) : i >> 1) * 16
    for (let k = 0; k < 16; k++) Y[to + k] = t[16 + k]!
  }
  X.set(Y.subarray(0, 32 * r), at)
}

/**
 * pwxform's multiply and add: B[o + 1] times B[o], as 64 bits, plus the 64-bit word at S[p],
 * into B[o] and B[o + 1] (low word first). The low word of the product is exact from imul; the
 * high one comes from the product in doubles, which is off by 2^11 at most, far below 2^31.
 */
export const mulAdd = (B: Uint32Array, o: number, S: Uint32Array, p: number): void => {
  const xl = B[o]!
  const xh = B[o + 1]!
  const ml = Math.imul(xh, xl) >>> 0
  const lo = ml + S[p]!
  B[o] = lo
  B[o + 1] = Math.round((xh * xl - ml) / 4294967296) + S[p + 1]! + (lo >= 4294967296 ? 1 : 0)
}

/**
 * pwxform on the 16 words at `at` in B: 6 rounds of 4 parallel lanes of 2 64-bit multiply,
 * add S0, xor S1 operations, the middle 4 rounds also writing their results into S2.
 */
const pwxform = (B: Uint32Array, at: number, ctx: Pwx): void => {
  const S = ctx.S
  const s0 = ctx.s0
  const s1 = ctx.s1
  const s2 = ctx.s2
  let w = ctx.w
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 4; j++) {
      const o = at + j * 4
      const p0 = s0 + ((B[o]! & SMASK) >>> 2)
      const p1 = s1 + ((B[o + 1]! & SMASK) >>> 2)
      for (let k = 0; k < 4; k += 2) {
        mulAdd(B, o + k, S, p0 + k)
        const yl = (B[o + k]! ^= S[p1 + k]!)
        const yh = (B[o + k + 1]! ^= S[p1 + k + 1]!)
        if (i !== 0 && i !== 5) {
          S[s2 + 2 * w] = yl
          S[s2 + 2 * w + 1] = yh
          w++
        }
      }
    }
  }
  ctx.s0 = s2
  ctx.s1 = s0
  ctx.s2 = s1
  ctx.w = w & 511
}

/** yescrypt's BlockMix_pwxform: pwxform chained over the 64-byte blocks, then Salsa20/2. */
export const blockmixPwxform = (
  X: Uint32Array,
  at: number,
  r: number,
  ctx: Pwx,
  t: Uint32Array,
) => {
  const n = 2 * r
  let prev = at + (n - 1) * 16
  for (let i = 0; i < n; i++) {
    const o = at + i * 16
    for (let k = 0; k < 16; k++) X[o + k]! ^= X[prev + k]!
    pwxform(X, o, ctx)
    prev = o
  }
  salsa20(X, at + (n - 1) * 16, 2, t)
}
