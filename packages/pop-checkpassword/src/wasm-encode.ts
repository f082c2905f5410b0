// WebAssembly's binary format (the core specification, chapter 5) as far as the assemblers of
// the crypt engines (sha-crypt-wasm-asm.ts, yescrypt-wasm-asm.ts) need it.

/** Bytes of a module, or of a piece of one. */
export type Code = number[]

/** Unsigned LEB128. */
export const uleb = (n: number): Code => {
  const out: Code = []
  do {
    let b = n & 0x7f
    n = Math.floor(n / 128)
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}

/** Signed LEB128 of a two's-complement integer of any width. */
export const sleb = (n: bigint): Code => {
  const out: Code = []
  for (;;) {
    const b = Number(n & 0x7fn)
    n >>= 7n
    if ((n === 0n && !(b & 0x40)) || (n === -1n && b & 0x40)) return [...out, b]
    out.push(b | 0x80)
  }
}

export const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()]
export const str = (s: string): Code => {
  const b = Buffer.from(s)
  return [...uleb(b.length), ...b]
}
export const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body]

/** The magic number and version 1. */
export const HEADER: Code = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

export const I32 = 0x7f
export const I64 = 0x7e
export const V128 = 0x7b

/** A function type: n i32 parameters, no result. */
export const funcType = (n: number): Code => [
  0x60,
  ...vec(Array.from({ length: n }, () => [I32])),
  0,
]

/** A function's entry in the code section: its size, its locals (a vec), its body, end. */
export const func = ({ locals, body }: { locals: Code; body: Code }): Code => {
  const all = [...locals, ...body, 0x0b]
  return [...uleb(all.length), ...all]
}

// The instructions both assemblers use.
export const get = (l: number): Code => [0x20, ...uleb(l)]
export const set = (l: number): Code => [0x21, ...uleb(l)]
export const i32 = (n: number): Code => [0x41, ...sleb(BigInt(n | 0))]
export const ld32 = (off = 0): Code => [0x28, 2, ...uleb(off)]
export const st32 = (off = 0): Code => [0x36, 2, ...uleb(off)]
export const CALL = (f: number): Code => [0x10, f]
export const BR_IF = (d: number): Code => [0x0d, d]
/** memory.copy */
export const COPY: Code = [0xfc, 0x0a, 0, 0]
