// Assembles yescrypt's hot loops (RW-mode SMix1/SMix2 with BlockMix_pwxform, the S-box fill) as
// WebAssembly. yescrypt-wasm.ts carries the output; test/yescrypt-wasm.ts checks they agree.

import {
  BR_IF,
  CALL,
  COPY,
  func,
  funcType,
  get,
  HEADER,
  I32,
  i32,
  ld32,
  section,
  set,
  st32,
  str,
  uleb,
  V128,
  vec,
  type Code,
} from './wasm-encode.js'

// Instructions.
const tee = (l: number): Code => [0x22, ...uleb(l)]
const gget = (g: number): Code => [0x23, g]
const gset = (g: number): Code => [0x24, g]
const ld128 = (off = 0): Code => [0xfd, 0x00, 4, ...uleb(off)]
const st128 = (off = 0): Code => [0xfd, 0x0b, 4, ...uleb(off)]
const XOR128 = [0xfd, 0x51]
const ADD64X2 = [0xfd, 0xce, 0x01]
const EXTMUL_LOW_U = [0xfd, 0xde, 0x01] // i64x2.extmul_low_i32x4_u
const EXTMUL_HIGH_U = [0xfd, 0xdf, 0x01] // i64x2.extmul_high_i32x4_u
const LANE32 = (l: number): Code => [0xfd, 0x1b, l] // i32x4.extract_lane
/** i8x16.shuffle picking 32-bit lanes: 0-3 from the first v128, 4-7 from the second. */
const SHUFFLE32 = (...lanes: number[]): Code => [
  0xfd,
  0x0d,
  ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
]
const ADD = [0x6a]
const SUB = [0x6b]
const MUL = [0x6c]
const AND = [0x71]
const XOR = [0x73]
const SHL = [0x74]
const ROTL = [0x77]
const CLZ = [0x67]
const EQZ = [0x45]
const LTU = [0x49]
const GTU = [0x4b]
const SELECT = [0x1b]
const LOOP = [0x03, 0x40]
const BLOCK = [0x02, 0x40]
const IF = [0x04, 0x40]
const ELSE = [0x05]
const END = [0x0b]

// Globals: the pwxform context's S0, S1, S2 addresses and the S2 write offset, in bytes.
const G_S0 = 0
const G_S1 = 1
const G_S2 = 2
const G_W = 3

/** Where Salsa20's word j sits in a block: yescrypt keeps word i of a block at (5i mod 16). */
const at = (j: number) => ((13 * j) & 15) * 4

const COLUMNS = [
  [0, 4, 8, 12],
  [5, 9, 13, 1],
  [10, 14, 2, 6],
  [15, 3, 7, 11],
] as const
const ROWS = [
  [0, 1, 2, 3],
  [5, 6, 7, 4],
  [10, 11, 8, 9],
  [15, 12, 13, 14],
] as const

/** Emits `rounds` rounds of Salsa20 (without the final addition) on the i32 locals a(0..15). */
const salsa = (c: Code, a: (j: number) => number, rounds: number): void => {
  const step = (d: number, s1: number, s2: number, n: number) =>
    c.push(
      ...get(a(d)),
      ...get(a(s1)),
      ...get(a(s2)),
      ...ADD,
      ...i32(n),
      ...ROTL,
      ...XOR,
      ...set(a(d)),
    )
  for (let i = 0; i < rounds; i += 2) {
    for (const [y0, y1, y2, y3] of [...COLUMNS, ...ROWS]) {
      step(y1, y0, y3, 7)
      step(y2, y1, y0, 9)
      step(y3, y2, y1, 13)
      step(y0, y3, y2, 18)
    }
  }
}

/**
 * blockmix(x, r, dst, src, wb): BlockMix_pwxform on the 2r 64-byte blocks at x xor those at src
 * (none when src is 0), then Salsa20/2 of the last. With wb, the xor goes back to src (SMix2's
 * RW write-back); the result goes to x and dst (SMix1's next V block, or x again). Doing the
 * xor and the copies here spares SMix a pass over the block for each.
 * Each of pwxform's 4 lanes is one v128 of two 64-bit words; extmul does both multiplies.
 */
const blockmix = (): { locals: Code; body: Code } => {
  const [X, R, DST, SRC, WB] = [0, 1, 2, 3, 4]
  const lane = (j: number) => 5 + j // v128 x0..x3
  const [o, end, s0, s1, s2, w, p0, p1, sw, tmp] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
  const a = (j: number) => 19 + j // i32 salsa state
  const swEnd = 35
  const [lo, hi, q0, q1, dd, ds] = [36, 37, 38, 39, 40, 41]
  const c: Code = [...get(DST), ...get(X), ...SUB, ...set(dd), ...get(SRC), ...get(X), ...SUB]
  c.push(...set(ds))
  c.push(...gget(G_S0), ...set(s0), ...gget(G_S1), ...set(s1))
  c.push(...gget(G_S2), ...set(s2), ...gget(G_W), ...set(w))
  c.push(...get(X), ...set(o), ...get(X), ...get(R), ...i32(7), ...SHL, ...ADD, ...set(end))
  c.push(...get(end), ...i32(64), ...SUB, ...set(tmp))
  for (let j = 0; j < 4; j++) c.push(...get(tmp), ...ld128(16 * j), ...set(lane(j)))
  c.push(...get(SRC), ...IF)
  for (let j = 0; j < 4; j++) {
    c.push(...get(lane(j)), ...get(tmp), ...get(ds), ...ADD, ...ld128(16 * j), ...XOR128)
    c.push(...set(lane(j)))
  }
  c.push(...END, ...LOOP)
  // x_j ^= X_i (^ SRC_i, written back to SRC_i with WB).
  const srcAt = [...get(o), ...get(ds), ...ADD]
  c.push(...get(SRC), ...IF, ...get(WB), ...IF)
  for (let j = 0; j < 4; j++) {
    c.push(...srcAt, ...get(o), ...ld128(16 * j), ...srcAt, ...ld128(16 * j), ...XOR128)
    c.push(...tee(lo), ...st128(16 * j), ...get(lane(j)), ...get(lo), ...XOR128, ...set(lane(j)))
  }
  c.push(...ELSE)
  for (let j = 0; j < 4; j++) {
    c.push(...get(lane(j)), ...get(o), ...ld128(16 * j), ...XOR128)
    c.push(...srcAt, ...ld128(16 * j), ...XOR128, ...set(lane(j)))
  }
  c.push(...END, ...ELSE)
  for (let j = 0; j < 4; j++)
    c.push(...get(lane(j)), ...get(o), ...ld128(16 * j), ...XOR128, ...set(lane(j)))
  c.push(...END)
  c.push(...get(s2), ...get(w), ...ADD, ...set(sw))
  // One pwxform round on the 4 lanes; the middle rounds also write each result into S2 at sw.
  const round = (keep: boolean) => {
    for (let j = 0; j < 4; j += 2) {
      const [xa, xb] = [lane(j), lane(j + 1)]
      c.push(...get(s0), ...get(xa), ...LANE32(0), ...i32(0xff0), ...AND, ...ADD, ...set(p0))
      c.push(...get(s1), ...get(xa), ...LANE32(1), ...i32(0xff0), ...AND, ...ADD, ...set(p1))
      c.push(...get(s0), ...get(xb), ...LANE32(0), ...i32(0xff0), ...AND, ...ADD, ...set(q0))
      c.push(...get(s1), ...get(xb), ...LANE32(1), ...i32(0xff0), ...AND, ...ADD, ...set(q1))
      // The low words of both lanes, then the high ones: extmul low and high do 2 multiplies each.
      c.push(...get(xa), ...get(xb), ...SHUFFLE32(0, 2, 4, 6), ...set(lo))
      c.push(...get(xa), ...get(xb), ...SHUFFLE32(1, 3, 5, 7), ...set(hi))
      if (keep) c.push(...get(sw))
      c.push(...get(lo), ...get(hi), ...EXTMUL_LOW_U)
      c.push(...get(p0), ...ld128(), ...ADD64X2, ...get(p1), ...ld128(), ...XOR128)
      if (keep) c.push(...tee(xa), ...st128(j * 16))
      else c.push(...set(xa))
      if (keep) c.push(...get(sw))
      c.push(...get(lo), ...get(hi), ...EXTMUL_HIGH_U)
      c.push(...get(q0), ...ld128(), ...ADD64X2, ...get(q1), ...ld128(), ...XOR128)
      if (keep) c.push(...tee(xb), ...st128(j * 16 + 16))
      else c.push(...set(xb))
    }
  }
  round(false)
  c.push(...get(sw), ...i32(256), ...ADD, ...set(swEnd), ...LOOP)
  round(true)
  c.push(...get(sw), ...i32(64), ...ADD, ...tee(sw), ...get(swEnd), ...LTU, ...BR_IF(0), ...END)
  round(false)
  for (let j = 0; j < 4; j++) {
    c.push(...get(o), ...get(lane(j)), ...st128(16 * j))
    c.push(...get(o), ...get(dd), ...ADD, ...get(lane(j)), ...st128(16 * j))
  }
  c.push(...get(s2), ...set(tmp), ...get(s1), ...set(s2), ...get(s0), ...set(s1), ...get(tmp))
  c.push(...set(s0), ...get(w), ...i32(256), ...ADD, ...i32(4095), ...AND, ...set(w))
  c.push(...get(o), ...i32(64), ...ADD, ...tee(o), ...get(end), ...LTU, ...BR_IF(0), ...END)
  c.push(...get(s0), ...gset(G_S0), ...get(s1), ...gset(G_S1))
  c.push(...get(s2), ...gset(G_S2), ...get(w), ...gset(G_W))
  // Salsa20/2 of the last block.
  c.push(...get(end), ...i32(64), ...SUB, ...set(tmp))
  for (let j = 0; j < 16; j++) c.push(...get(tmp), ...ld32(at(j)), ...set(a(j)))
  salsa(c, a, 2)
  for (let j = 0; j < 16; j++)
    c.push(...get(tmp), ...get(tmp), ...ld32(at(j)), ...get(a(j)), ...ADD, ...st32(at(j)))
  for (let j = 0; j < 4; j++)
    c.push(...get(tmp), ...get(dd), ...ADD, ...get(tmp), ...ld128(16 * j), ...st128(16 * j))
  return {
    locals: vec([
      [4, V128],
      [27, I32],
      [2, V128],
      [4, I32],
    ]),
    body: c,
  }
}

const F_BLOCKMIX = 0

const loadCtx = (ctx: number): Code => [
  ...[G_S0, G_S1, G_S2, G_W].flatMap((g, i) => [...get(ctx), ...ld32(4 * i), ...gset(g)]),
]
const storeCtx = (ctx: number): Code => [
  ...[G_S0, G_S1, G_S2, G_W].flatMap((g, i) => [...get(ctx), ...gget(g), ...st32(4 * i)]),
]

/**
 * smix1(x, v, n, r, ctx): SMix1 in RW mode; the block at x, V at v, n blocks. smix1 and smix2
 * are called once a pass, and V8 runs a function's first call to its end in baseline code (no
 * on-stack replacement for WebAssembly): all per-block work is in blockmix, which it optimises.
 */
const smix1 = (): { locals: Code; body: Code } => {
  const [x, v, n, r, ctx, i, s, last, vi, nn, src] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  const c: Code = [...loadCtx(ctx)]
  c.push(...get(r), ...i32(7), ...SHL, ...set(s))
  c.push(...get(x), ...get(s), ...ADD, ...i32(64), ...SUB, ...set(last))
  c.push(...get(v), ...get(x), ...get(s), ...COPY)
  c.push(...i32(0), ...set(i), ...get(v), ...set(vi), ...LOOP)
  // From i = 2, X ^= V_j, j = Wrap(Integerify(X), i): nn = p2floor(i), j = (X & (nn - 1)) + i - nn
  c.push(...i32(1), ...i32(31), ...get(i), ...CLZ, ...SUB, ...SHL, ...set(nn))
  c.push(...get(last), ...ld32(), ...get(nn), ...i32(1), ...SUB, ...AND, ...get(i), ...ADD)
  c.push(...get(nn), ...SUB, ...get(s), ...MUL, ...get(v), ...ADD, ...i32(0))
  c.push(...get(i), ...i32(1), ...GTU, ...SELECT, ...set(src))
  // The result is V's next block, but for the last.
  c.push(...get(vi), ...get(s), ...ADD, ...tee(vi), ...get(x), ...get(i), ...i32(1), ...ADD)
  c.push(...get(n), ...LTU, ...SELECT, ...set(nn))
  c.push(...get(x), ...get(r), ...get(nn), ...get(src), ...i32(0), ...CALL(F_BLOCKMIX))
  c.push(...get(i), ...i32(1), ...ADD, ...tee(i), ...get(n), ...LTU, ...BR_IF(0), ...END)
  c.push(...storeCtx(ctx))
  return { locals: vec([[6, I32]]), body: c }
}

/** smix2(x, v, n, nloop, r, rw, ctx): nloop rounds of SMix2; with rw, V is written back. */
const smix2 = (): { locals: Code; body: Code } => {
  const [x, v, n, nloop, r, rw, ctx, i, s, last, j] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  const c: Code = [...loadCtx(ctx)]
  c.push(...get(r), ...i32(7), ...SHL, ...set(s))
  c.push(...get(x), ...get(s), ...ADD, ...i32(64), ...SUB, ...set(last))
  c.push(...BLOCK, ...get(nloop), ...EQZ, ...BR_IF(0), ...i32(0), ...set(i), ...LOOP)
  c.push(...get(last), ...ld32(), ...get(n), ...i32(1), ...SUB, ...AND, ...get(s), ...MUL)
  c.push(...get(v), ...ADD, ...set(j))
  c.push(...get(x), ...get(r), ...get(x), ...get(j), ...get(rw), ...CALL(F_BLOCKMIX))
  c.push(...get(i), ...i32(1), ...ADD, ...tee(i), ...get(nloop), ...LTU, ...BR_IF(0), ...END)
  c.push(...END, ...storeCtx(ctx))
  return { locals: vec([[4, I32]]), body: c }
}

/**
 * sbox(x, s): the S-boxes, SMix1 with r = 1 and Salsa20/8 over 96 blocks (12 KiB at s), no
 * reads back; the block at x is left as SMix1 leaves it.
 */
const sbox = (): { locals: Code; body: Code } => {
  const [x, s] = [0, 1]
  const a = (j: number) => 2 + j
  const b = (j: number) => 18 + j
  const [sp, stop, n] = [34, 35, 36]
  const c: Code = [...get(s), ...tee(sp), ...i32(96 * 128), ...ADD, ...set(stop), ...LOOP]
  c.push(...get(sp), ...get(x), ...i32(128), ...COPY)
  for (let half = 0; half < 2; half++) {
    for (let j = 0; j < 16; j++) {
      if (half === 0) c.push(...get(x), ...ld32(at(j)))
      else c.push(...get(a(j)))
      c.push(...get(x), ...ld32(64 + at(j)), ...XOR, ...tee(a(j)), ...set(b(j)))
    }
    c.push(...i32(4), ...set(n), ...LOOP)
    salsa(c, a, 2)
    c.push(...get(n), ...i32(1), ...SUB, ...tee(n), ...BR_IF(0), ...END)
    for (let j = 0; j < 16; j++) {
      c.push(
        ...get(x),
        ...get(a(j)),
        ...get(b(j)),
        ...ADD,
        ...tee(a(j)),
        ...st32(64 * half + at(j)),
      )
    }
  }
  c.push(...get(sp), ...i32(128), ...ADD, ...tee(sp), ...get(stop), ...LTU, ...BR_IF(0), ...END)
  return { locals: vec([[35, I32]]), body: c }
}

/** The module: imports env.mem; exports smix1, smix2 and sbox. */
export const assemble = (): Uint8Array<ArrayBuffer> => {
  const bytes = [
    ...HEADER,
    ...section(1, vec([funcType(2), funcType(5), funcType(7)])),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[1], [1], [2], [0]])),
    ...section(6, vec([0, 1, 2, 3].map(() => [I32, 0x01, ...i32(0), ...END]))),
    ...section(
      7,
      vec([
        [...str('smix1'), 0x00, 1],
        [...str('smix2'), 0x00, 2],
        [...str('sbox'), 0x00, 3],
      ]),
    ),
    ...section(10, vec([blockmix(), smix1(), smix2(), sbox()].map(func))),
  ]
  return new Uint8Array(bytes)
}
