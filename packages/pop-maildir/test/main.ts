// main in-process: start-up refusals, the login signal, a session end to end with a scripted client.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { openSync, readSync, closeSync, constants } from 'node:fs'
import { join } from 'node:path'
import { LineReader, type Line } from '../../pop-lib/src/line-reader.js'
import { makeMaildir, listMaildir } from '../../pop-lib/test/fixtures/harness.js'
import { main, type Io } from '../src/main.js'
import { lockMaildir } from '../src/lock.js'
import { Capture } from './fixtures/session.js'

/** A client that sends these lines, then hangs up. */
class Script extends LineReader {
  readonly #lines: string[]
  constructor(lines: string[]) {
    super(-1, true)
    this.#lines = [...lines]
  }
  override async next(): Promise<Line> {
    const l = this.#lines.shift()
    return l === undefined ? { kind: 'eof' } : { kind: 'line', data: Buffer.from(l, 'latin1') }
  }
}

const io = (lines: string[], env: NodeJS.ProcessEnv = {}, uid = 1000) => {
  const out = new Capture()
  const x: Io = {
    env: { USER: 'alice', ...env },
    uid: () => uid,
    conn: () => ({ reader: new Script(lines), out, flush: async () => {}, restore: () => {} }),
  }
  return { io: x, out }
}

const home = t.testdir({})
const dir = join(home, 'Maildir')
makeMaildir(dir, [{ content: 'Subject: a\n\nhello\n', name: '1700000000.A.host' }])

t.test('a session: +OK first, then the replies; QUIT updates the Maildir', async (t) => {
  const { io: x, out } = io(['STAT', 'RETR 1', 'QUIT'])
  t.equal(await main([dir], x), 0)
  t.equal(
    out.text,
    '+OK 1 messages\r\n+OK 1 21\r\n+OK 21 octets\r\nSubject: a\r\n\r\nhello\r\n.\r\n+OK bye\r\n',
  )
  t.same(listMaildir(dir), ['cur/1700000000.A.host:2,S'])
})

t.test('MAILDIR from the environment, relative to the working directory', async (t) => {
  process.chdir(home)
  const { io: x, out } = io(['STAT'], { MAILDIR: 'Maildir' })
  t.equal(await main([], x), 0)
  t.equal(out.text, '+OK 1 messages\r\n+OK 1 21\r\n')
  process.chdir(home)
  const d = io(['STAT'])
  t.equal(await main([], d.io), 0, 'default: Maildir')
  t.equal(d.out.text, '+OK 1 messages\r\n+OK 1 21\r\n')
})

t.test('root is refused with [SYS/PERM] and 100, before the Maildir is touched', async (t) => {
  const { io: x, out } = io(['DELE 1', 'QUIT'], {}, 0)
  t.equal(await main([dir], x), 100)
  t.equal(out.text, '-ERR [SYS/PERM] server misconfigured\r\n')
  t.same(listMaildir(dir), ['cur/1700000000.A.host:2,S'])
})

t.test('no such Maildir, or a directory that is not one: [SYS/PERM], 100', async (t) => {
  for (const d of [join(home, 'nonesuch'), home]) {
    const { io: x, out } = io([])
    t.equal(await main([d], x), 100)
    t.equal(out.text, '-ERR [SYS/PERM] no such Maildir\r\n')
  }
})

t.test('a locked mailbox: [IN-USE], 111; --no-lock serves it', async (t) => {
  process.chdir(dir)
  const held = await lockMaildir()
  t.equal(held.kind, 'locked')
  const { io: x, out } = io(['STAT'])
  t.equal(await main([dir], x), 111)
  t.equal(out.text, '-ERR [IN-USE] mailbox in use by another session\r\n')
  const free = io(['STAT'])
  t.equal(await main(['--no-lock', dir], free.io), 0)
  t.equal(free.out.text, '+OK 1 messages\r\n+OK 1 21\r\n')
  if (held.kind === 'locked') held.release()
})

t.test(
  'the login signal: one byte on POPCHAIN_AUTHFD, which is closed and dropped from the environment',
  async (t) => {
    const fifo = join(home, 'authfd')
    execFileSync('mkfifo', [fifo])
    const r = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
    const w = openSync(fifo, constants.O_WRONLY)
    const { io: x } = io(['QUIT'], { POPCHAIN_AUTHFD: String(w) })
    t.equal(await main([dir], x), 0)
    const buf = Buffer.alloc(4)
    t.equal(readSync(r, buf, 0, 4, null), 1)
    t.equal(buf.toString('latin1', 0, 1), '+')
    t.equal(x.env.POPCHAIN_AUTHFD, undefined)
    t.equal(readSync(r, buf, 0, 4, null), 0, 'closed: end of file')
    closeSync(r)
  },
)
