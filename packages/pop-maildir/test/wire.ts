// The wire form of messages: CRLF, dot-stuffing, TOP limits, and sizes that match what is sent.
import t from 'tap'
import fc from 'fast-check'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WireEncoder, WireCounter } from '../src/wire.js'
import { simd, SimdEncoder } from '../src/wire-simd.js'
import { referenceWire } from './fixtures/wire-reference.js'

const enc = (text: string | Buffer, limit: number | null = null, chunks: number[] = []): string => {
  const buf = typeof text === 'string' ? Buffer.from(text, 'latin1') : text
  const e = new WireEncoder(limit)
  const parts: Buffer[] = []
  let at = 0
  for (const c of [...chunks, buf.length]) {
    const end = Math.min(buf.length, at + c)
    parts.push(e.encode(buf.subarray(at, end)))
    at = end
    if (at >= buf.length) break
  }
  const tail = Buffer.alloc(2)
  parts.push(tail.subarray(0, e.finishInto(tail, 0)))
  return Buffer.concat(parts).toString('latin1')
}

const size = (text: Buffer, chunks: number[] = []): number => {
  const c = new WireCounter()
  let at = 0
  for (const n of [...chunks, text.length]) {
    c.add(text.subarray(at, Math.min(text.length, at + n)))
    at = Math.min(text.length, at + n)
  }
  return c.total()
}

/** The body a client gets back after undoing dot-stuffing (and keeping CRLF). */
const unstuffed = (wire: string): string => wire.replace(/(^|\r\n)\./g, '$1')

t.test('LF files get CRLF; CRLF files stay; lines starting with a dot are stuffed', async (t) => {
  t.equal(enc('a\nb\n'), 'a\r\nb\r\n')
  t.equal(enc('a\r\nb\r\n'), 'a\r\nb\r\n')
  t.equal(enc('.\n..x\nx.\n'), '..\r\n...x\r\nx.\r\n')
  t.equal(enc('.starts'), '..starts\r\n')
  t.equal(enc(''), '')
  t.equal(enc('\n'), '\r\n')
})

t.test('a last line without a line end gets one, a lone last CR just its LF', async (t) => {
  t.equal(enc('a\nno end'), 'a\r\nno end\r\n')
  t.equal(enc('a\r'), 'a\r\n')
  t.equal(enc('mid\rline\n'), 'mid\rline\r\n')
})

t.test('state carries across chunk boundaries', async (t) => {
  t.equal(enc('ab\r\n.c\n', null, [3]), 'ab\r\n..c\r\n')
  t.equal(enc('ab\n.c\n', null, [3]), 'ab\r\n..c\r\n')
  t.equal(enc('x'.repeat(10) + '\n', null, [1, 1, 1]), 'x'.repeat(10) + '\r\n')
})

t.test('TOP: the header, the blank line, then n body lines', async (t) => {
  const m = 'H: 1\nH: 2\n\nb1\nb2\n.b3\n'
  t.equal(enc(m, 0), 'H: 1\r\nH: 2\r\n\r\n')
  t.equal(enc(m, 1), 'H: 1\r\nH: 2\r\n\r\nb1\r\n')
  t.equal(enc(m, 3), 'H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\n..b3\r\n')
  t.equal(enc(m, 99), enc(m))
  t.equal(enc('H: 1\r\n\r\nb1\r\nb2', 1), 'H: 1\r\n\r\nb1\r\n')
  t.equal(enc('H: only header', 0), 'H: only header\r\n')
  t.equal(enc('H: 1\n\nb1\nb2', 5, [5, 1]), 'H: 1\r\n\r\nb1\r\nb2\r\n')
})

t.test('8-bit and NUL bytes pass untouched', async (t) => {
  const b = Buffer.from([0, 0xff, 0x80, 10, 0x2e, 0, 10])
  t.same(Buffer.from(enc(b), 'latin1'), Buffer.from([0, 0xff, 0x80, 13, 10, 0x2e, 0x2e, 0, 13, 10]))
})

const bytes = fc.uint8Array({ maxLength: 300 }).map((a) =>
  // Weight the bytes that matter: LF, CR and dot.
  Buffer.from(Array.from(a, (b) => [10, 13, 46, 120][b % 5] ?? b)),
)
const cuts = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 })

t.test(
  'property: the size is the length of what is sent, before stuffing, however chunked',
  async (t) => {
    fc.assert(
      fc.property(bytes, cuts, cuts, (b, c1, c2) => {
        const wire = enc(b, null, c1)
        return size(b, c2) === unstuffed(wire).length && enc(b) === wire
      }),
      { numRuns: 2000 },
    )
    t.pass('held')
  },
)

t.test('property: undoing CRLF and stuffing gives the message back', async (t) => {
  fc.assert(
    fc.property(bytes, (b) => {
      const back = unstuffed(enc(b)).replace(/\r\n/g, '\n')
      const want = b.toString('latin1').replace(/\r\n/g, '\n')
      const fixed =
        want === '' || want.endsWith('\n')
          ? want
          : want.endsWith('\r')
            ? want.slice(0, -1) + '\n'
            : want + '\n'
      return back === fixed
    }),
    { numRuns: 2000 },
  )
  t.pass('held')
})

/** Encodes b in the chunks cuts gives, each chunk placed in its own buffer behind the output. */
const inPlace = (b: Buffer, limit: number | null, cuts: number[], slack: number): Buffer => {
  const e = new WireEncoder(limit)
  const parts: Buffer[] = []
  let at = 0
  for (const c of [...cuts, b.length]) {
    const n = Math.min(b.length - at, c)
    const from = n + 2 + slack
    const buf = Buffer.alloc(from + n + 2, 0x55)
    b.copy(buf, from, at, at + n)
    parts.push(buf.subarray(0, e.encodeWithin(buf, from, from + n, 0)))
    at += n
    if (at >= b.length) break
  }
  const tail = Buffer.alloc(2)
  parts.push(tail.subarray(0, e.finishInto(tail, 0)))
  return Buffer.concat(parts)
}

const limits = fc.option(fc.integer({ min: 0, max: 6 }))

t.test('property: in-place encoding is byte for byte the line-by-line reference', async (t) => {
  fc.assert(
    fc.property(bytes, limits, cuts, fc.nat(4), (b, limit, c, slack) => {
      const want = referenceWire(b, limit).wire
      return (
        inPlace(b, limit, c, slack).equals(want) &&
        Buffer.from(enc(b, limit, c), 'latin1').equals(want)
      )
    }),
    { numRuns: 3000 },
  )
  t.pass('held')
})

t.test('in-place encoding refuses output that would overtake its input', async (t) => {
  const buf = Buffer.from('..........')
  t.throws(() => new WireEncoder().encodeWithin(buf, 4, 8, 0), RangeError)
  const e = new WireEncoder()
  t.equal(e.encodeWithin(buf, 6, 8, 0), 3)
  t.equal(e.finishInto(buf, 3), 5)
  t.equal(buf.subarray(0, 5).toString(), '...\r\n', 'a line of two dots gets a third')
})

const engine = simd(64 * 1024)

/** Like inPlace, in the SIMD engine's memory, which the chunks share. */
const inSimd = (b: Buffer, cuts: number[], slack: number): Buffer => {
  const e = new SimdEncoder(engine!)
  const buf = engine!.buf
  buf.fill(0x55)
  const parts: Buffer[] = []
  let at = 0
  for (const c of [...cuts, b.length]) {
    const n = Math.min(b.length - at, c)
    const from = n + 18 + slack
    b.copy(buf, from, at, at + n)
    parts.push(Buffer.from(buf.subarray(0, e.encodeWithin(buf, from, from + n, 0))))
    at += n
    if (at >= b.length) break
  }
  parts.push(Buffer.from(buf.subarray(0, e.finishInto(buf, 0))))
  return Buffer.concat(parts)
}

/** Lines of any length, so that LFs, CRs and dots fall everywhere in and across 16-byte steps. */
const lines = fc
  .array(
    fc.tuple(
      fc.constantFrom('', '.', '..', '\r', 'x.'),
      fc.nat(70),
      fc.constantFrom('\n', '\r\n', '\r', '', '\n\n', '\r\r\n'),
    ),
    { maxLength: 30 },
  )
  .map((ls) => Buffer.from(ls.map(([a, n, e]) => a + 'y'.repeat(n) + e).join(''), 'latin1'))
const simdCuts = fc.array(fc.integer({ min: 1, max: 90 }), { maxLength: 10 })

t.test('the SIMD engine is there (Node 20 and later have WebAssembly SIMD)', async (t) => {
  t.ok(engine)
  t.equal(simd(2 ** 33), null, 'and a memory it cannot have is no engine, not a crash')
})

t.test(
  'no SIMD engine under a limit on the address space before V8 13 (it would cost more than it saves)',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'popchain-limits-'))
    const limits = (as: string): string => {
      const p = join(dir, as)
      writeFileSync(
        p,
        `Limit  Soft Limit  Hard Limit  Units\nMax address space  ${as}  ${as}  bytes\n`,
      )
      return p
    }
    const v8 = Number(process.versions.v8.split('.')[0])
    t.equal(simd(1024, limits('4000000000')) === null, v8 < 13, `V8 ${v8}`)
    t.ok(simd(1024, limits('unlimited')))
    t.ok(simd(1024, join(dir, 'none')), 'where there is no such file, it is tried')
    t.ok(simd(1024), 'here, with or without a limit')
  },
)

t.test('property: the SIMD encoder is byte for byte the reference, however chunked', async (t) => {
  fc.assert(
    fc.property(fc.oneof(bytes, lines), simdCuts, fc.nat(20), (b, c, slack) =>
      inSimd(b, c, slack).equals(referenceWire(b).wire),
    ),
    { numRuns: 3000 },
  )
  t.pass('held')
})

t.test('the SIMD encoder counts the dots it adds and refuses overtaking input', async (t) => {
  const e = new SimdEncoder(engine!)
  const buf = engine!.buf
  const msg = Buffer.from('.a\n..b\nc.\n.')
  buf.fill(0)
  msg.copy(buf, 100)
  const o = e.finishInto(buf, e.encodeWithin(buf, 100, 100 + msg.length, 0))
  t.equal(buf.subarray(0, o).toString(), '..a\r\n...b\r\nc.\r\n..\r\n')
  t.equal(e.stuffed, 3)
  t.throws(() => e.encodeWithin(buf, 100, 190, 0), RangeError)
})
