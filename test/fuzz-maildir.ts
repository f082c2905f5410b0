// Fuzz pop-maildir through the real program: random commands and bytes, hostile clients; well-formed replies, bounded memory.
import t from 'tap'
import { rmSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { maildirAsNobody, notRoot } from './fixtures/rel-serve.js'
import { fuzzProperty, runCase, crashed } from './fixtures/rel-fuzz.js'
import { multiLine, checkReplies } from './fixtures/rel-pop.js'
import { makeHome, deliver, message, rng } from './fixtures/rel-mail.js'
import { peakKb } from './fixtures/rel-proc.js'

const UID = 65534
const GID = 65534
const RUNS = Number(process.env.REL_FUZZ_RUNS ?? 60)
/** Peak resident memory allowed for one pop-maildir process: Node itself takes 40-60 MB. */
const MAX_KB = Number(process.env.REL_MAX_KB ?? 160_000)
const BIG = 8 * 1024 * 1024

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms))

t.test('pop-maildir under fuzz and abuse', { skip: notRoot() }, async (t) => {
  const { home, maildir } = makeHome('rel-fuzz-maildir', UID, GID)
  t.teardown(() => rmSync(home, { recursive: true, force: true }))
  const r = rng(7)
  const topUp = (): void => {
    const have = readdirSync(join(maildir, 'new')).length + readdirSync(join(maildir, 'cur')).length
    for (let i = have; i < 6; i++)
      deliver(maildir, message(`f${i}`, i === 0 ? 200_000 : 300 + i * 500, r), UID, GID)
  }
  topUp()
  const sp = await maildirAsNobody(home)
  t.teardown(() => sp.close())

  await t.test('property: random command sequences and bytes', async (t) => {
    const n = await fuzzProperty(sp, multiLine.maildir, {
      runs: RUNS,
      maxKb: MAX_KB,
      before: topUp,
    })
    t.pass(`${n.cases} cases, ${n.replies} replies checked, peak ${n.peakKb} kB`)
    t.comment(
      `fuzz-maildir: ${n.cases} random cases, ${n.replies} replies, peak RSS ${n.peakKb} kB`,
    )
  })

  const hostile = async (
    name: string,
    packets: Buffer[],
    expectReplies?: number,
  ): Promise<void> => {
    await t.test(name, async (t) => {
      topUp()
      const res = await runCase(sp, packets, multiLine.maildir, { maxKb: MAX_KB, ms: 30000 })
      t.same(res.problems, [], 'well-formed, no crash, no hang, memory bounded')
      if (expectReplies !== undefined)
        t.equal(res.replies, expectReplies, `${expectReplies} replies`)
      t.comment(`${name}: ${res.replies} replies, peak ${res.peakKb} kB, exit ${res.code}`)
    })
  }
  const b = (s: string): Buffer => Buffer.from(s, 'latin1')
  await hostile('a 1 MB line, then commands', [b('A'.repeat(1 << 20) + '\r\nNOOP\r\nSTAT\r\n')], 3)
  await hostile(
    'a 1 MB line sent in pieces',
    Array.from({ length: 64 }, () => b('B'.repeat(16384))).concat([b('\r\nNOOP\r\n')]),
    2,
  )
  await hostile('1 MB without any line end', [b('C'.repeat(1 << 20))], 0)
  await hostile('NUL bytes and 8-bit garbage', [b('NO\0OP\r\n\xff\xfe\x80\r\nST\0AT\r\nNOOP\r\n')])
  await hostile('bare CR', [b('NOOP\rSTAT\r\rLIST\r\nNOOP\r\n')], 2)
  await hostile('numbers with 400 digits', [
    b(
      `RETR ${'9'.repeat(400).slice(0, 240)}\r\nLIST ${'1'.repeat(200)}\r\nTOP 1 ${'9'.repeat(200)}\r\nDELE -${'0'.repeat(200)}1\r\nNOOP\r\n`,
    ),
  ])
  await hostile(
    'a 400-digit number in an over-long line',
    [b(`RETR ${'9'.repeat(400)}\r\nNOOP\r\n`)],
    2,
  )
  await hostile(
    '5000 commands in one write',
    [b('NOOP\r\nSTAT\r\nLIST 1\r\nUIDL 1\r\nLAST\r\n'.repeat(1000))],
    5000,
  )

  await t.test('a client that reads nothing: replies are not buffered without bound', async (t) => {
    topUp()
    t.equal(readdirSync(join(maildir, 'new')).length + readdirSync(join(maildir, 'cur')).length, 6)
    const big = deliver(maildir, message('big', BIG, r), UID, GID, new Date(Date.now() + 3600_000))
    const s = await sp.openRaw()
    await sleep(200)
    const cmds = 'RETR 7\r\n'.repeat(40) // 40 x 8 MB = 320 MB of replies
    s.sock.write('LIST\r\n' + cmds)
    let peak = 0
    for (let i = 0; i < 20; i++) {
      await sleep(100)
      peak = Math.max(peak, peakKb(s.pid) ?? 0)
    }
    t.ok(peak > 0, 'the server is still there, blocked on the client')
    t.ok(peak < MAX_KB, `peak memory ${peak} kB stays under ${MAX_KB} kB while 320 MB wait unread`)
    s.kill(true)
    s.sock.destroy()
    await s.exited
    t.comment(`reads-nothing client: peak ${peak} kB`)
    rmSync(join(maildir, 'new', big), { force: true })
  })

  await t.test('a client that sends one byte per half second', async (t) => {
    topUp()
    const s = await sp.open()
    t.match(await s.c.line(20000), /^\+OK/)
    for (const ch of 'NOOP\r\n') {
      s.c.send(ch)
      await sleep(500)
    }
    t.match(await s.c.line(5000), /^\+OK/, 'the slow command is answered')
    t.match(await s.c.cmd('QUIT'), /^\+OK/, 'QUIT still works')
    await s.exited
    t.notOk(crashed(s.stderr()))
  })

  t.ok(
    checkReplies(b('NOOP\r\n'), b('+OK\r\n'), multiLine.maildir).problems.length === 0,
    'the checker accepts a good reply',
  )
  t.ok(
    checkReplies(b('NOOP\r\n'), b('+OK\n'), multiLine.maildir).problems.length > 0,
    'the checker rejects a bare LF',
  )
})
