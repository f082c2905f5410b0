// RETR and TOP from files: byte for byte the reference wire form, in few writes, across read chunks.
import t from 'tap'
import fc from 'fast-check'
import { openSync, writeFileSync, mkdtempSync, fstatSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Out } from '../../pop-lib/src/out.js'
import { sendMessage, BrokenMessage, usingSimd } from '../src/retrieve.js'
import { WireCounter } from '../src/wire.js'
import { referenceWire } from './fixtures/wire-reference.js'

/** Keeps a copy of every write (the sender reuses its buffer), after a turn of the event loop. */
class Capture extends Out {
  writes: Buffer[] = []
  override async send(data: string | Buffer): Promise<void> {
    await new Promise((r) => setImmediate(r))
    this.writes.push(Buffer.from(typeof data === 'string' ? Buffer.from(data, 'latin1') : data))
  }
  get all(): Buffer {
    return Buffer.concat(this.writes)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'popchain-retrieve-'))
let files = 0
const opened = (msg: Buffer): { fd: number; disk: number } => {
  const p = join(dir, `m${files++}`)
  writeFileSync(p, msg)
  const fd = openSync(p, 'r')
  return { fd, disk: fstatSync(fd).size }
}

const send = async (msg: Buffer, limit: number | null = null, head = 'x') => {
  const out = new Capture()
  const size = await sendMessage(out, opened(msg), head, limit)
  return { out, size }
}

const expect = (msg: Buffer, limit: number | null = null, head = 'x'): Buffer =>
  Buffer.concat([
    Buffer.from(`+OK ${head}\r\n`),
    referenceWire(msg, limit).wire,
    Buffer.from('.\r\n'),
  ])

/** A message of lines of random lengths, some starting with a dot, some with CRLF, some CR inside. */
const message = (bytes: number, seed: number, longest = 200): Buffer => {
  let x = seed
  const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n)
  const parts: string[] = ['Subject: t\n\n']
  let n = parts[0]!.length
  while (n < bytes) {
    const len = rnd(longest)
    const line = (rnd(8) === 0 ? '.' : '') + 'x'.repeat(len) + (rnd(20) === 0 ? '\rx' : '')
    const end = rnd(4) === 0 ? '\r\n' : '\n'
    parts.push(line + end)
    n += line.length + end.length
  }
  return Buffer.from(parts.join(''), 'latin1')
}

t.test('a small message: status, message and terminator in one write', async (t) => {
  const msg = Buffer.from('Subject: a\n\n.dot\nbody\n')
  const { out, size } = await send(msg, null, '23 octets')
  t.notOk(usingSimd(), 'the first MB goes without the SIMD set-up')
  t.equal(out.writes.length, 1)
  t.same(out.all, expect(msg, null, '23 octets'))
  t.equal(size, referenceWire(msg).size)
})

t.test('messages over many read chunks, lines across chunk ends, byte for byte', async (t) => {
  for (const [bytes, seed, longest] of [
    [700 * 1024, 1, 200],
    [1024 * 1024 + 17, 2, 4000],
    [600 * 1024, 3, 300 * 1024],
  ] as const) {
    const msg = message(bytes, seed, longest)
    const { out, size } = await send(msg)
    t.ok(out.all.equals(expect(msg)), `${bytes} bytes, lines up to ${longest}`)
    const c = new WireCounter()
    c.add(msg)
    t.equal(size, c.total(), 'the size learnt is the wire size')
    t.ok(out.writes.length <= Math.ceil(bytes / (256 * 1024)) + 1, `${out.writes.length} writes`)
    for (const w of out.writes.slice(0, -1))
      t.ok(w.length >= 256 * 1024, 'no write but the last is smaller than a chunk')
  }
  t.ok(usingSimd(), 'after a MB, RETR uses the SIMD encoder')
})

t.test(
  'a message of exactly one chunk, or a chunk and a byte: status to terminator in one write',
  async (t) => {
    for (const bytes of [256 * 1024, 256 * 1024 + 1, 100 * 1024]) {
      const msg = Buffer.alloc(bytes, 'x')
      for (let i = 70; i < bytes; i += 71) msg[i] = 10
      const { out } = await send(msg)
      t.ok(out.all.equals(expect(msg)), `${bytes} bytes`)
      t.equal(out.writes.length, bytes > 256 * 1024 ? 2 : 1, `${bytes} bytes`)
    }
  },
)

t.test('a file longer or shorter than its size on opening is sent as it is read', async (t) => {
  const msg = message(300 * 1024, 7)
  const more = Buffer.from('.grown\nline\n')
  for (const [disk, file] of [
    [200 * 1024, msg],
    [msg.length, Buffer.concat([msg, more])],
    [msg.length + 5000, msg],
    [0, more],
  ] as const) {
    const f = opened(file)
    const out = new Capture()
    const size = await sendMessage(out, { fd: f.fd, disk }, 'x', null)
    t.ok(out.all.equals(expect(file)), `${file.length} bytes, ${disk} at opening`)
    t.equal(size, referenceWire(file).size)
  }
})

t.test('TOP across chunks stops after its lines', async (t) => {
  const msg = message(600 * 1024, 4, 90000)
  for (const limit of [0, 1, 5, 40]) {
    const { out } = await send(msg, limit)
    t.ok(out.all.equals(expect(msg, limit)), `TOP ${limit}`)
  }
})

t.test('property: RETR and TOP of random messages match the reference', async (t) => {
  const bytes = fc
    .uint8Array({ maxLength: 400 })
    .map((a) => Buffer.from(Array.from(a, (b) => [10, 13, 46, 120][b % 5] ?? b)))
  await fc.assert(
    fc.asyncProperty(bytes, fc.option(fc.integer({ min: 0, max: 5 })), async (b, limit) => {
      const { out, size } = await send(b, limit)
      return out.all.equals(expect(b, limit)) && (limit !== null || size === referenceWire(b).size)
    }),
    { numRuns: 300 },
  )
  t.pass('held')
})

t.test('two at once (never in a session, but safe): each gets its own buffer', async (t) => {
  const a = message(300 * 1024, 5)
  const b = message(300 * 1024, 6)
  const [ra, rb] = await Promise.all([send(a), send(b)])
  t.ok(ra.out.all.equals(expect(a)))
  t.ok(rb.out.all.equals(expect(b)))
  const again = await send(a)
  t.ok(again.out.all.equals(expect(a)), 'and the shared buffer is free again')
})

t.test('a status line too long for the room before the message goes out alone', async (t) => {
  const head = 'h'.repeat(2000)
  const msg = Buffer.from('a\n.b\n')
  const { out, size } = await send(msg, null, head)
  t.equal(out.writes.length, 2)
  t.same(out.all, expect(msg, null, head))
  t.equal(size, 7)
})

t.test('a file that cannot be read is a broken message', async (t) => {
  const fd = openSync(dir, 'r')
  const e: unknown = await sendMessage(new Capture(), { fd, disk: 0 }, 'x', null).catch((e) => e)
  t.ok(e instanceof BrokenMessage)
  t.equal((e as Error).message, 'EISDIR')
})
