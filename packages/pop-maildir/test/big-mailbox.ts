// Many messages: every one listed exactly, and a warm session that touches no message file.
import t from 'tap'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { bin, needTool } from '../../pop-lib/test/fixtures/harness.js'
import { nobodyMaildir, runPiped, untapped, asNobody } from './fixtures/serve.js'

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
  t.match(readFileSync(join(dir, 'popchain-sizes'), 'latin1'), /^popchain-sizes 1\n/)
  const warm = await runPiped(argv, 'STAT\nLIST\nUIDL\n')
  t.equal(warm.out, want, 'warm')
})

t.test('a warm session opens and stats no message file for STAT, LIST and UIDL', async (t) => {
  if (needTool(t, 'strace') === null) return
  const home = t.testdir({})
  const dir = join(home, 'Maildir')
  setup(dir)
  const trace = join(home, 'trace')
  const run = async (): Promise<number> => {
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
    t.match(r.out, new RegExp(`^\\+OK ${COUNT} messages\\r\\n`))
    return readFileSync(trace, 'latin1')
      .split('\n')
      .filter((l) => /"(new|cur)\/[^"]+"/.test(l)).length
  }
  t.ok((await run()) >= COUNT, 'the first session looks at every message')
  t.equal(await run(), 0, 'the next one at none')
})
