// Fuzz pop-frontend through the real program, with a checkpassword stub that refuses everyone.
import t from 'tap'
import { bin, chainEnv } from '../packages/pop-lib/test/fixtures/harness.js'
import { Spawner, notRoot } from './fixtures/rel-serve.js'
import { fuzzProperty, runCase } from './fixtures/rel-fuzz.js'
import { multiLine } from './fixtures/rel-pop.js'
import { peakKb } from './fixtures/rel-proc.js'

const RUNS = Number(process.env.REL_FUZZ_RUNS ?? 40)
const MAX_KB = Number(process.env.REL_MAX_KB ?? 160_000)
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms))

/** Reads the credentials (as a checkpassword tool must), checks their shape, refuses. */
const STUB = `n=$(head -c 2000 <&3 | wc -c); [ "$n" -le 512 ] || echo "rel-stub: $n bytes on fd 3" >&2; exit 1`

t.test('pop-frontend under fuzz and abuse', { skip: notRoot() }, async (t) => {
  const sp = await Spawner.start({
    argv: [
      process.execPath,
      bin('pop-frontend'),
      '--delay',
      '0',
      'mail.example.org',
      '/bin/sh',
      '-c',
      STUB,
    ],
    env: chainEnv({ TCPREMOTEIP: '127.0.0.1' }),
    uid: 65534,
    gid: 65534,
  })
  t.teardown(() => sp.close())
  const b = (s: string): Buffer => Buffer.from(s, 'latin1')

  await t.test('property: random command sequences and bytes', async (t) => {
    const n = await fuzzProperty(sp, multiLine.frontend, {
      runs: RUNS,
      maxKb: MAX_KB,
      extra: (r) => (r.stderr.includes('rel-stub:') ? [`oversized fd-3 data: ${r.stderr}`] : []),
    })
    t.pass(`${n.cases} cases, ${n.replies} replies checked, peak ${n.peakKb} kB`)
    t.comment(
      `fuzz-frontend: ${n.cases} random cases, ${n.replies} replies, peak RSS ${n.peakKb} kB`,
    )
  })

  const hostile = async (
    name: string,
    packets: Buffer[],
    expectReplies?: number,
  ): Promise<void> => {
    await t.test(name, async (t) => {
      const res = await runCase(sp, packets, multiLine.frontend, { maxKb: MAX_KB, ms: 30000 })
      t.same(res.problems, [], 'well-formed, no crash, no hang, memory bounded')
      t.notMatch(res.stderr, /rel-stub:/, 'never more than 512 bytes on fd 3')
      if (expectReplies !== undefined)
        t.equal(res.replies, expectReplies, `${expectReplies} replies`)
      t.comment(`${name}: ${res.replies} replies, peak ${res.peakKb} kB, exit ${res.code}`)
    })
  }
  // Exact reading costs a read(2) per byte: past 1 KB without a line end the frontend ends the session.
  const overlong = async (name: string, packets: Buffer[]): Promise<void> => {
    await t.test(name, async (t) => {
      const res = await runCase(sp, packets, multiLine.frontend, { maxKb: MAX_KB, ms: 30000 })
      t.same(res.problems, [], 'no crash, no hang, memory bounded, what arrived is well-formed')
      t.match(res.stderr, /line too long, session ended/, 'the session ends at the over-long line')
      t.equal(res.code, 0, 'exit 0')
      t.comment(`${name}: ${res.replies} replies, peak ${res.peakKb} kB, exit ${res.code}`)
    })
  }
  await overlong('a 1 MB line, then commands', [b('A'.repeat(1 << 20) + '\r\nNOOP\r\nCAPA\r\n')])
  await overlong(
    'a 1 MB line sent in pieces',
    Array.from({ length: 64 }, () => b('B'.repeat(16384))).concat([b('\r\nNOOP\r\n')]),
  )
  await overlong('1 MB without any line end', [b('C'.repeat(1 << 20))])
  await hostile(
    'lines of 300 and 1000 bytes are discarded, the session goes on',
    [b('D'.repeat(300) + '\r\nNOOP\r\n' + 'E'.repeat(1000) + '\r\nNOOP\r\n')],
    4,
  )
  await hostile('NUL bytes, 8-bit garbage, bare CR', [
    b('NO\0OP\r\nUSER a\0b\r\nNOOP\rQUIT\r\nNOOP\r\n'),
  ])
  await hostile('a 400-digit number', [b(`NOOP ${'9'.repeat(400)}\r\nNOOP\r\n`)], 2)
  await overlong('a 1 MB SASL response', [
    b('AUTH PLAIN\r\n' + 'QUFB'.repeat(1 << 18) + '\r\nNOOP\r\n'),
  ])
  await hostile('credentials over 512 bytes', [
    b(
      `USER ${'u'.repeat(250)}\r\nPASS ${'p'.repeat(250)}\r\nAPOP ${'u'.repeat(200)} 0123456789abcdef0123456789abcdef\r\nNOOP\r\n`,
    ),
  ])
  await hostile('3000 commands in one write', [b('NOOP\r\nCAPA\r\nAUTH\r\n'.repeat(1000))], 3000)
  // Nothing follows the third attempt: input left unread when the frontend ends the session would
  // make the kernel reset the connection, and the last -ERR could be lost.
  await hostile(
    'pipelined failed logins',
    [b('USER a\r\nPASS b\r\nUSER c\r\nPASS d\r\nAPOP e 0123456789abcdef0123456789abcdef\r\n')],
    5,
  )

  await t.test('a client that reads nothing: replies are not buffered without bound', async (t) => {
    const s = await sp.openRaw()
    await sleep(200)
    for (let i = 0; i < 20; i++) s.sock.write('CAPA\r\n'.repeat(20_000)) // 400,000 CAPA replies, about 60 MB
    let peak = 0
    for (let i = 0; i < 20; i++) {
      await sleep(100)
      peak = Math.max(peak, peakKb(s.pid) ?? 0)
    }
    t.ok(peak > 0, 'the server is still there, blocked on the client')
    t.ok(peak < MAX_KB, `peak memory ${peak} kB stays under ${MAX_KB} kB`)
    s.kill(true)
    s.sock.destroy()
    await s.exited
    t.comment(`reads-nothing client: peak ${peak} kB`)
  })

  await t.test('a client that sends one byte per half second', async (t) => {
    const s = await sp.open()
    t.match(await s.c.line(20000), /^\+OK/)
    for (const ch of 'CAPA\r\n') {
      s.c.send(ch)
      await sleep(500)
    }
    t.match(await s.c.line(5000), /^\+OK/, 'the slow command is answered')
    s.c.close()
    await s.exited
  })
})
