// RETR's wire form in WebAssembly SIMD: 16 bytes copied and searched for LF per step, in place.
import { readFileSync } from 'node:fs'
import type { Encoder } from './wire.js'

const CR = 13
const LF = 10

/**
 * enc(i, end, o) -> o: WireEncoder.encodeWithin for a whole message (no TOP limit), as text for
 * the little assembler below. Each step stores 16 input bytes at o and looks for LF among them;
 * the store never reaches unread input, because the caller keeps input 18 bytes and more ahead.
 * Globals carry the state between chunks: atStart, prevCR (the chunk's last byte was CR), stuffed.
 */
const ENC = `
  get i  set first
  block
  loop                                        ;; a line, or the rest of one
    get i  get end  ge_u  br_if 1
    gget atStart  if                          ;; RFC 1939 section 3: a dot at line start doubles
      get i  load8  const 46  eq  if
        get o  const 46  store8  get o  const 1  add  set o
        gget stuffed  const 1  add  gset stuffed
      end
      const 0  gset atStart
    end
    loop                                      ;; 16 bytes a step until a LF
      get i  v128.load  set v
      get o  get v  v128.store
      get v  const 10  splat8  eq8  bitmask8  set m
      get m  eqz  if
        get i  const 16  add  get end  ge_u  if
          get o  get end  get i  sub  add  set o
          get end  const 1  sub  load8  const 13  eq  gset prevCR
          br 4
        end
        get i  const 16  add  set i  get o  const 16  add  set o
        br 1
      end
      get i  get m  ctz  add  set q           ;; the LF
      get q  get end  ge_u  if                ;; past the chunk: the line goes on in the next
        get o  get end  get i  sub  add  set o
        get end  const 1  sub  load8  const 13  eq  gset prevCR
        br 3
      end
      get o  get q  get i  sub  add  set o
      get q  get first  gt_u  if_i32          ;; was there a CR before it (maybe in the last chunk)?
        get q  const 1  sub  load8  const 13  eq
      else
        gget prevCR
      end
      eqz  if  get o  const 13  store8  get o  const 1  add  set o  end
      get o  const 10  store8  get o  const 1  add  set o
      get q  const 1  add  set i
      const 1  gset atStart  const 0  gset prevCR
      br 1
    end
  end
  end
  get o
  end`

const NAMES: Record<string, number> = { i: 0, end: 1, o: 2, first: 3, m: 4, q: 5, v: 6 }
const GLOBALS = ['atStart', 'prevCR', 'stuffed']
const OPS: Record<string, number[]> = {
  block: [2, 64],
  loop: [3, 64],
  if: [4, 64],
  if_i32: [4, 0x7f],
  else: [5],
  end: [11],
  br: [0x0c],
  br_if: [0x0d],
  get: [0x20],
  set: [0x21],
  gget: [0x23],
  gset: [0x24],
  load8: [0x2d, 0, 0],
  store8: [0x3a, 0, 0],
  const: [0x41], // immediates 0..63 only: one byte of signed LEB128
  eqz: [0x45],
  eq: [0x46],
  gt_u: [0x4b],
  ge_u: [0x4f],
  ctz: [0x68],
  add: [0x6a],
  sub: [0x6b],
  'v128.load': [0xfd, 0, 4, 0],
  'v128.store': [0xfd, 11, 4, 0],
  splat8: [0xfd, 15],
  eq8: [0xfd, 35],
  bitmask8: [0xfd, 100],
}
const TAKES = new Set(['br', 'br_if', 'get', 'set', 'gget', 'gset', 'const'])

const assemble = (text: string): number[] => {
  const words = text.replace(/;;.*/g, '').split(/\s+/).filter(Boolean)
  const out: number[] = []
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!
    out.push(...OPS[w]!)
    if (!TAKES.has(w)) continue
    const a = words[++k]!
    out.push(NAMES[a] ?? (GLOBALS.includes(a) ? GLOBALS.indexOf(a) : Number(a)))
  }
  return out
}

const uleb = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...uleb(n >>> 7)])
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]
const name = (s: string): number[] => vec([...Buffer.from(s)].map((b) => [b]))
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body]

const I32 = 0x7f
const V128 = 0x7b

const module = (pages: number): Uint8Array<ArrayBuffer> => {
  const code = [
    ...vec([
      [3, I32],
      [1, V128],
    ]),
    ...assemble(ENC),
  ]
  const global = (init: number): number[] => [I32, 1, 0x41, init, 11]
  return new Uint8Array([
    ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[1, ...uleb(pages), ...uleb(pages)]])), // a maximum: see dear()
    ...section(6, vec([global(1), global(0), global(0)])),
    ...section(
      7,
      vec([
        [...name('enc'), 0, 0],
        [...name('mem'), 2, 0],
        ...GLOBALS.map((g, k) => [...name(g), 3, k]),
      ]),
    ),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ])
}

interface Exports {
  enc: (i: number, end: number, o: number) => number
  mem: WebAssembly.Memory
  atStart: WebAssembly.Global
  prevCR: WebAssembly.Global
  stuffed: WebAssembly.Global
}

/** The SIMD engine: its memory (the buffer to read into and write from) and its function. */
export interface Simd {
  buf: Buffer
  x: Exports
}

/**
 * Whether setting up the engine costs more than it saves. Before V8 13 (Node 24), V8 reserves
 * about 10 GB of address space for any WebAssembly memory; under a limit on it (softlimit -a,
 * ulimit -v) it collects garbage for 10 to 70 ms before it settles for less or fails. V8 13
 * reserves just a memory's maximum (measured: 1.5 ms under ulimit -v 2000000, as without).
 */
const dear = (limits: string): boolean => {
  if (Number(process.versions.v8.split('.')[0]) >= 13) return false
  try {
    return !/^Max address space\s+unlimited/m.test(readFileSync(limits, 'latin1'))
  } catch {
    return false
  }
}

/**
 * Instantiates the engine with a memory of at least bytes (plus 16 that a last load may touch),
 * or returns null where WebAssembly SIMD is missing, refused or too dear (see dear()): the
 * caller keeps WireEncoder. limits: where the process's resource limits are read (Linux).
 */
export const simd = (bytes: number, limits = '/proc/self/limits'): Simd | null => {
  if (dear(limits)) return null
  try {
    const pages = Math.ceil((bytes + 16) / 65536)
    const x = new WebAssembly.Instance(new WebAssembly.Module(module(pages))).exports as unknown
    const e = x as Exports
    return { buf: Buffer.from(e.mem.buffer, 0, bytes), x: e }
  } catch {
    return null
  }
}

/**
 * WireEncoder's work for a whole message (no TOP limit) in the engine's memory, which buf must
 * be. Input must lie further behind the output than for WireEncoder: at + (to - from) + 18 <= from.
 */
export class SimdEncoder implements Encoder {
  readonly #x: Exports
  readonly done = false

  constructor(s: Simd) {
    this.#x = s.x
    this.#x.atStart.value = 1
    this.#x.prevCR.value = 0
    this.#x.stuffed.value = 0
  }

  get stuffed(): number {
    return this.#x.stuffed.value as number
  }

  encodeWithin(_buf: Buffer, from: number, to: number, at: number): number {
    if (at + (to - from) + 18 > from)
      throw new RangeError('encodeWithin: output would overtake input')
    return this.#x.enc(from, to, at)
  }

  finishInto(buf: Buffer, at: number): number {
    if (this.#x.atStart.value === 1) return at
    let o = at
    if (this.#x.prevCR.value === 0) buf[o++] = CR
    buf[o++] = LF
    this.#x.atStart.value = 1
    return o
  }
}
