// Assembles SHA-256 and SHA-512 (FIPS 180-4) and SHA crypt's rounds loop as WebAssembly, one
// module per hash. sha-crypt-wasm.ts carries the output; test/sha-crypt-wasm.ts checks they agree.

import { C, KS, MAX_PAGES, SCHED, TAIL } from './sha-crypt-wasm-layout.js'
import {
  BR_IF,
  CALL,
  COPY,
  func,
  funcType,
  get,
  HEADER,
  I32,
  I64,
  i32,
  ld32,
  section,
  set,
  sleb,
  st32,
  str,
  uleb,
  vec,
  type Code,
} from './wasm-encode.js'

const ST8 = (off: number): Code => [0x3a, 0, ...uleb(off)]
const [ADD, SUB, AND, REM_U, EQ, LT_U, GT_U, GE_U] = [
  0x6a, 0x6b, 0x71, 0x70, 0x46, 0x49, 0x4b, 0x4f,
]
const SELECT = 0x1b
const FILL = [0xfc, 0x0b, 0]
const [BLOCK, LOOP, IF] = [
  [0x02, 0x40],
  [0x03, 0x40],
  [0x04, 0x40],
]
const [ELSE, END] = [0x05, 0x0b]
const BR = (d: number): Code => [0x0c, d]

/** The word type of one hash: its width, opcodes and constants. */
interface Word {
  type: number
  bytes: number
  const: (v: bigint) => Code
  load: (off: number) => Code
  store: (off: number) => Code
  op: { add: number; and: number; or: number; xor: number; shl: number; shr: number }
}

const WORD64: Word = {
  type: I64,
  bytes: 8,
  const: (v) => [0x42, ...sleb(BigInt.asIntN(64, v))],
  load: (off) => [0x29, 3, ...uleb(off)],
  store: (off) => [0x37, 3, ...uleb(off)],
  op: { add: 0x7c, and: 0x83, or: 0x84, xor: 0x85, shl: 0x86, shr: 0x88 },
}
const WORD32: Word = {
  type: I32,
  bytes: 4,
  const: (v) => [0x41, ...sleb(BigInt.asIntN(32, v))],
  load: ld32,
  store: st32,
  op: { add: 0x6a, and: 0x71, or: 0x72, xor: 0x73, shl: 0x74, shr: 0x76 },
}

/** The parameters of one hash (FIPS 180-4 sections 4.1.2, 4.1.3, 5.1, 6.2, 6.4). */
interface Spec {
  bits: 32 | 64
  rounds: number
  /** Σ0, Σ1, σ0, σ1: three rotations, or two rotations and a shift. */
  S0: number[]
  S1: number[]
  s0: number[]
  s1: number[]
}
const SHA256: Spec = {
  bits: 32,
  rounds: 64,
  S0: [2, 13, 22],
  S1: [6, 11, 25],
  s0: [7, 18, 3],
  s1: [17, 19, 10],
}
const SHA512: Spec = {
  bits: 64,
  rounds: 80,
  S0: [28, 34, 39],
  S1: [14, 18, 41],
  s0: [1, 8, 7],
  s1: [19, 61, 6],
}

const primes = (n: number): bigint[] => {
  const out: bigint[] = []
  for (let p = 2; out.length < n; p++) if (out.every((q) => p % Number(q))) out.push(BigInt(p))
  return out
}

/** floor(x^(1/k)) for k = 2 or 3, by Newton's method on integers. */
const root = (x: bigint, k: bigint): bigint => {
  let r = 1n << BigInt(Math.ceil(x.toString(2).length / Number(k)) + 1)
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k
    if (next >= r) return r
    r = next
  }
}

/** The first `bits` bits of the fractional parts of the square (IV) or cube (K) roots of the primes. */
const fractions = (n: number, k: bigint, bits: number): bigint[] =>
  primes(n).map((p) => BigInt.asUintN(bits, root(p << (k * BigInt(bits)), k)))

/** k as `bytes` little-endian bytes (as the module's memory holds its words). */
const le = (k: bigint, bytes: number): Code =>
  Array.from({ length: bytes }, (_, i) => Number((k >> BigInt(8 * i)) & 0xffn))

/**
 * Rotates local x right by n bits, as two shifts and an or: V8's baseline compiler (Liftoff,
 * which runs a cold process's first calls) makes rotr/rotl with a constant about six times
 * slower than this (SHA-512 crypt: 23 ms against 4 ms); its optimising compiler makes either a
 * rotation.
 */
const ror = (W: Word, x: number, n: number): Code => [
  ...[...get(x), ...W.const(BigInt(n)), W.op.shr],
  ...[...get(x), ...W.const(BigInt(8 * W.bytes - n)), W.op.shl, W.op.or],
]

/** Byte-swaps the word on the stack (big-endian words to the module's little-endian), using local t. */
const bswap = (W: Word, t: number): Code => {
  const o = W.op
  // Swap neighbouring bytes, then 16-bit halves, then (64-bit) 32-bit halves.
  const step = (mask: bigint, n: number): Code => [
    ...set(t),
    ...[...get(t), ...W.const(BigInt(n)), o.shr, ...W.const(mask), o.and],
    ...[...get(t), ...W.const(mask), o.and, ...W.const(BigInt(n)), o.shl, o.or],
  ]
  return W.bytes === 4
    ? [...step(0x00ff00ffn, 8), ...set(t), ...ror(W, t, 16)]
    : [
        ...step(0x00ff00ff00ff00ffn, 8),
        ...step(0x0000ffff0000ffffn, 16),
        ...set(t),
        ...ror(W, t, 32),
      ]
}

/** Rounds per turn of digest's loop: 8, so that the renaming of the working variables comes round. */
const UNROLL = 8

/**
 * digest(ptr, len, out): the hash of len bytes at ptr, written big-endian at out. One function
 * does it all (padding, every block, the output), so that V8 has one function to optimise: a
 * cold process pays for the optimising compiler, and for the baseline code that runs meanwhile.
 * The schedule lives in memory at SCHED; the rounds run as a loop of UNROLL rounds with the
 * working variables renamed, not moved, which also computes the schedule UNROLL words at a time
 * (one loop fewer: 12% faster once optimised).
 */
const digest = (s: Spec, W: Word, K: bigint[], IV: bigint[]): { locals: Code; body: Code } => {
  const o = W.op
  const B = W.bytes
  const BS = 16 * B
  const [ptr, len, out] = [0, 1, 2]
  const v = (k: number) => 3 + k
  const H = (k: number) => 11 + k
  const [t1, t] = [19, 20]
  const [p, stop, tail, j, full, tailEnd] = [21, 22, 23, 24, 25, 26]
  const t64 = 27
  const sigma = (x: number, [a, b, n]: number[], shift: boolean): Code => [
    ...ror(W, x, a!),
    ...[...ror(W, x, b!), o.xor],
    ...(shift ? [...get(x), ...W.const(BigInt(n!)), o.shr] : ror(W, x, n!)),
    o.xor,
  ]
  const c: Code = [
    ...[...get(len), ...i32(-BS), AND, ...set(full)],
    // The last, padded block or two (FIPS 180-4 5.1): the rest of the bytes, 0x80, zeros, the
    // length in bits; SHA-512's 128-bit length has its high 64 bits zero here.
    ...[...i32(TAIL), ...i32(0), ...i32(2 * BS), ...FILL],
    ...[...i32(TAIL), ...get(ptr), ...get(full), ADD, ...get(len), ...get(full), SUB, ...COPY],
    ...[...get(len), ...get(full), SUB, ...i32(0x80), ...ST8(TAIL)],
    ...[...i32(TAIL + 2 * BS), ...i32(TAIL + BS)],
    ...[...get(len), ...get(full), SUB, ...i32(1 + 2 * B), ADD, ...i32(BS), GT_U, SELECT],
    ...[...set(tailEnd), ...get(tailEnd), ...i32(8), SUB],
    ...[...get(len), 0xad, ...WORD64.const(3n), WORD64.op.shl],
    ...[...bswap(WORD64, t64), ...WORD64.store(0)],
  ]
  for (let k = 0; k < 8; k++) c.push(...W.const(IV[k]!), ...set(H(k)))
  // Blocks from ptr, then from TAIL; tail says which.
  c.push(
    ...[...get(ptr), ...set(p), ...get(ptr), ...get(full), ADD, ...set(stop)],
    ...BLOCK,
    ...LOOP,
    ...[...get(p), ...get(stop), EQ, ...IF, ...get(tail), ...BR_IF(2)],
    ...[...i32(1), ...set(tail), ...i32(TAIL), ...set(p), ...get(tailEnd), ...set(stop), END],
    ...[...i32(0), ...set(j), ...LOOP],
    ...[...get(j), ...get(p), ...get(j), ADD, ...W.load(0), ...bswap(W, t), ...W.store(SCHED)],
    ...[...get(j), ...i32(B), ADD, ...set(j)],
    ...[...get(j), ...i32(16 * B), LT_U, ...BR_IF(0), END],
  )
  for (let k = 0; k < 8; k++) c.push(...get(H(k)), ...set(v(k)))
  c.push(...i32(0), ...set(j), ...LOOP)
  // While any are left, the next 8 words of the schedule, 16 ahead of the rounds that use them:
  // W[i] = σ1(W[i-2]) + W[i-7] + σ0(W[i-15]) + W[i-16], i = 16 + j / B + r.
  c.push(...get(j), ...i32((s.rounds - 16) * B), LT_U, ...IF)
  for (let r = 0; r < UNROLL; r++) {
    const at = (i: number) => SCHED + (i + r) * B
    c.push(
      ...[...get(j), ...get(j), ...W.load(at(14)), ...set(t), ...sigma(t, s.s1, true)],
      ...[...get(j), ...W.load(at(9)), o.add],
      ...[...get(j), ...W.load(at(1)), ...set(t), ...sigma(t, s.s0, true), o.add],
      ...[...get(j), ...W.load(at(0)), o.add, ...W.store(at(16))],
    )
  }
  c.push(END)
  let names = [0, 1, 2, 3, 4, 5, 6, 7].map(v)
  for (let r = 0; r < UNROLL; r++) {
    const [a, b, cc, d, e, f, g, h] = names as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    c.push(
      ...get(h),
      ...sigma(e, s.S1, false),
      o.add,
      ...[...get(g), ...get(e), ...get(f), ...get(g), o.xor, o.and, o.xor],
      o.add,
      ...[...get(j), ...W.load(KS + r * B), o.add],
      ...[...get(j), ...W.load(SCHED + r * B), o.add],
      ...set(t1),
      ...[...get(d), ...get(t1), o.add, ...set(d)],
      ...get(t1),
      ...sigma(a, s.S0, false),
      o.add,
      ...[...get(a), ...get(b), o.and, ...get(cc), ...get(a), ...get(b), o.or, o.and, o.or],
      o.add,
      ...set(h),
    )
    names = [h, a, b, cc, d, e, f, g]
  }
  c.push(
    ...[...get(j), ...i32(UNROLL * B), ADD, ...set(j)],
    ...[...get(j), ...i32(s.rounds * B), LT_U, ...BR_IF(0), END],
  )
  for (let k = 0; k < 8; k++) c.push(...get(H(k)), ...get(v(k)), o.add, ...set(H(k)))
  c.push(...get(p), ...i32(BS), ADD, ...set(p), ...BR(0), END, END)
  for (let k = 0; k < 8; k++) c.push(...get(out), ...get(H(k)), ...bswap(W, t), ...W.store(k * B))
  return {
    locals: vec([
      [18, W.type],
      [6, I32],
      [1, I64],
    ]),
    body: c,
  }
}

/**
 * rounds(n, p, plen, s, slen, msg): SHA crypt's loop (Drepper's steps 21a-21j) on the digest at
 * C, with the P sequence at p and the S sequence at s; each round's input is laid out at msg.
 * Locals: i 6, at 7.
 */
const rounds = (size: number): { locals: Code; body: Code } => {
  const [n, p, plen, s, slen, msg, i, at] = [0, 1, 2, 3, 4, 5, 6, 7]
  const put = (src: Code, len: Code): Code => [
    ...[...get(at), ...src, ...len, ...COPY],
    ...[...get(at), ...len, ADD, ...set(at)],
  ]
  const P = put(get(p), get(plen))
  const D = put(i32(C), i32(size))
  const c: Code = [
    ...BLOCK,
    ...LOOP,
    ...[...get(i), ...get(n), GE_U, ...BR_IF(1)],
    ...[...get(msg), ...set(at)],
    ...[...get(i), ...i32(1), AND, ...IF, ...P, ELSE, ...D, END],
    ...[...get(i), ...i32(3), REM_U, ...IF, ...put(get(s), get(slen)), END],
    ...[...get(i), ...i32(7), REM_U, ...IF, ...P, END],
    ...[...get(i), ...i32(1), AND, ...IF, ...D, ELSE, ...P, END],
    ...[...get(msg), ...get(at), ...get(msg), SUB, ...i32(C), ...CALL(0)],
    ...[...get(i), ...i32(1), ADD, ...set(i)],
    ...BR(0),
    END,
    END,
  ]
  return { locals: vec([[2, I32]]), body: c }
}

/** The module for SHA-256 (256) or SHA-512 (512): exports mem, digest and rounds. */
export const assemble = (hash: 256 | 512): Uint8Array<ArrayBuffer> => {
  const s = hash === 256 ? SHA256 : SHA512
  const W = s.bits === 64 ? WORD64 : WORD32
  const K = fractions(s.rounds, 3n, s.bits)
  const IV = fractions(8, 2n, s.bits)
  const kBytes = K.flatMap((k) => le(k, W.bytes)).map((b) => [b])
  const bytes = [
    ...HEADER,
    ...section(1, vec([funcType(3), funcType(6)])),
    ...section(3, vec([[0], [1]])),
    // A maximum: with one, V8 reserves only that much address space (Node 24; see wasm-memory.ts).
    ...section(5, vec([[0x01, 1, ...uleb(MAX_PAGES)]])),
    ...section(
      7,
      vec([
        [...str('mem'), 0x02, 0],
        [...str('digest'), 0x00, 0],
        [...str('rounds'), 0x00, 1],
      ]),
    ),
    ...section(10, vec([digest(s, W, K, IV), rounds(8 * W.bytes)].map(func))),
    ...section(11, vec([[0x00, ...i32(KS), END, ...vec(kBytes)]])),
  ]
  return new Uint8Array(bytes)
}
