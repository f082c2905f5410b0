// Many messages: every one listed exactly, and a warm session that touches no message file.
import t from 'tap'
import { readFileSync, writeFileSync, mkdirSync, rmSync, chownSync } from 'node:fs'
import { join } from 'node:path'
import { bin, needTool } from '../../pop-lib/test/fixtures/harness.js'
import { nobodyMaildir, runPiped, untapped, asNobody, NOBODY } from './fixtures/serve.js'

const COUNT = 3000
const setup = (dir: string): string[] => {
  mkdirSync(dir)
  const body = (i: number): string =>
    `Subject: ${i}\n\n${'.'.repeat(i % 3)}line\n`.repeat(1 + (i % 5))
  const msgs = Array.from({ length: COUNT }, (_, i) => ({
    content: body(i),
    name: `${1700000000 + i}.M${i}P1.host:2,S`,
    sub: 'cur' as const,
  }))
  nobodyMaildir(dir, msgs)
  return msgs.map((m) => m.content)
}

const wire = (s: string): number => s.replace(/\n/g, '\r\n').length

t.test(`${COUNT} messages: STAT, LIST and UIDL exact, cold and warm alike`, async (t) => {
  const dir = join(t.testdir({}), 'Maildir')
  const bodies = setup(dir)
  const total = bodies.reduce((a, b) => a + wire(b), 0)
  const want =
    `+OK ${COUNT} messages\r\n+OK ${COUNT} ${total}\r\n` +
    `+OK ${COUNT} messages (${total} octets)\r\n` +
    bodies.map((b, i) => `${i + 1} ${wire(b)}\r\n`).join('') +
    '.\r\n+OK unique-id listing follows\r\n' +
    bodies.map((_, i) => `${i + 1} ${1700000000 + i}.M${i}P1.host\r\n`).join('') +
    '.\r\n'
  const argv = asNobody([process.execPath, bin('pop-maildir'), dir])
  const cold = await runPiped(argv, 'STAT\nLIST\nUIDL\n')
  t.equal(cold.out, want, 'cold')
  t.match(readFileSync(join(dir, 'popchain-sizes'), 'latin1'), /^popchain-sizes 2 /)
  const warm = await runPiped(argv, 'STAT\nLIST\nUIDL\n')
  t.equal(warm.out, want, 'warm')
})

t.test('a warm session opens and stats no message file for STAT, LIST and UIDL', async (t) => {
  if (needTool(t, 'strace') === null) return
  const home = t.testdir({})
  const dir = join(home, 'Maildir')
  setup(dir)
  const trace = join(home, 'trace')
  /** How many trace lines name a message file, and how many read a directory of messages. */
  const run = async (): Promise<[number, number]> => {
    writeFileSync(trace, '')
    const r = await runPiped(
      untapped([
        'strace',
        '-f',
        '-qq',
        '-e',
        'trace=%file,%desc',
        '-o',
        trace,
        ...asNobody([process.execPath, bin('pop-maildir'), dir]),
      ]),
      'STAT\nLIST\nUIDL\n',
    )
    t.equal(r.out, want, 'STAT, LIST and UIDL exact')
    const lines = readFileSync(trace, 'latin1').split('\n')
    return [
      lines.filter((l) => /"(new|cur)\/[^"]+"/.test(l)).length,
      lines.filter((l) => /open.*"(new|cur)", O_RDONLY\|.*O_DIRECTORY/.test(l)).length,
    ]
  }
  const want = (
    await runPiped(asNobody([process.execPath, bin('pop-maildir'), dir]), 'STAT\nLIST\nUIDL\n')
  ).out
  rmSync(join(dir, 'popchain-sizes'))
  t.ok((await run())[0] >= COUNT, 'the first session looks at every message')
  t.equal((await run())[0], 0, 'the next one at none')
  // Once new/ and cur/ have been left alone for 2 seconds, a session's listing is a snapshot,
  // and the sessions after it do not even list the directories.
  await new Promise((r) => setTimeout(r, 2100))
  t.equal((await run())[0], 0)
  t.same(await run(), [0, 0], 'a session after a session on a quiet Maildir lists nothing')
  const late = join(dir, 'new', '1800000000.M1P1.host')
  writeFileSync(late, 'late\n')
  if (process.getuid?.() === 0) chownSync(late, NOBODY, NOBODY)
  const after = await runPiped(asNobody([process.execPath, bin('pop-maildir'), dir]), 'STAT\n')
  t.match(after.out, new RegExp(`\\+OK ${COUNT + 1} `), 'a delivery after that is seen')
})
