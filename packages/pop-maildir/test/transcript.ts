// The built pop-maildir over a real TCP socket, as nobody: transcripts, then the Maildir on disk.
import t from 'tap'
import { writeFileSync, utimesSync, existsSync, chmodSync } from 'node:fs'
import {
  Client,
  listMaildir,
  unstuff,
  bin,
  makeMaildir,
  serve,
} from '../../pop-lib/test/fixtures/harness.js'
import {
  serveMaildir,
  nobodyMaildir,
  runPiped,
  maildirArgv,
  asNobody,
  untapped,
  nobodyEnv,
} from './fixtures/serve.js'

const at = (s: number): Date => new Date(s * 1000)
const msgs = [
  { content: 'Subject: one\n\n.dot line\nbody\n', name: '1700000001.M1P1.host' },
  {
    content: 'Subject: two\r\n\r\nno final newline',
    name: '1700000002.M2P1.host:2,S',
    sub: 'cur' as const,
  },
  { content: 'Subject: three\n\nline1\nline2\n', name: '1700000003.M3P1.host' },
]
const maildir = (dir: string) => {
  const files = nobodyMaildir(dir, msgs)
  files.forEach((f, i) => utimesSync(f, at(1700000001 + i), at(1700000001 + i)))
  return files
}

/** Waits (up to 30 s) until every session of the server has ended. */
const ended = async (s: { children: Set<unknown> }): Promise<void> => {
  for (let i = 0; i < 300 && s.children.size > 0; i++) await new Promise((r) => setTimeout(r, 100))
}

t.test('a whole session: every command, then UPDATE on disk', async (t) => {
  const dir = t.testdir({})
  maildir(dir)
  const s = await serveMaildir(dir)
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  t.equal(await c.line(), '+OK 3 messages')
  t.match((await c.multi('CAPA')).body?.toString(), /^TOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\n/)
  t.equal(await c.cmd('STAT'), '+OK 3 99')
  const list = await c.multi('LIST')
  t.equal(list.status, '+OK 3 messages (99 octets)')
  t.equal(list.body?.toString(), '1 33\r\n2 34\r\n3 32\r\n')
  t.equal(
    (await c.multi('UIDL')).body?.toString(),
    '1 1700000001.M1P1.host\r\n2 1700000002.M2P1.host\r\n3 1700000003.M3P1.host\r\n',
  )
  t.equal(await c.cmd('UIDL 2'), '+OK 2 1700000002.M2P1.host')
  t.equal(await c.cmd('LIST 3'), '+OK 3 32')
  const r1 = await c.multi('RETR 1')
  t.equal(r1.status, '+OK 33 octets')
  t.equal(r1.body?.toString(), 'Subject: one\r\n\r\n..dot line\r\nbody\r\n')
  t.equal(unstuff(r1.body!).toString(), msgs[0]!.content)
  t.equal((await c.multi('RETR 2')).body?.toString(), 'Subject: two\r\n\r\nno final newline\r\n')
  t.equal((await c.multi('TOP 3 1')).body?.toString(), 'Subject: three\r\n\r\nline1\r\n')
  t.equal(await c.cmd('DELE 1'), '+OK message 1 deleted')
  t.equal(await c.cmd('DELE 1'), '-ERR message 1 is deleted')
  for (const bad of ['RETR 0', 'RETR 9', 'RETR x', 'TOP 2', 'LIST -1', 'UIDL 1', 'DELE', 'FOO'])
    t.match(await c.cmd(bad), /^-ERR /, bad)
  t.equal(await c.cmd('LAST'), '+OK 2')
  t.equal(await c.cmd('STAT'), '+OK 2 66')
  t.equal(await c.cmd('NOOP'), '+OK')
  t.equal(await c.cmd('QUIT'), '+OK bye')
  t.equal(await c.untilClosed(), '')
  await s.close()
  t.same(listMaildir(dir), ['cur/1700000002.M2P1.host:2,S', 'cur/1700000003.M3P1.host:2,'])
  t.match(
    s.stderr(),
    /pop-maildir\[\d+\]: info: end user=nobody ip=127\.0\.0\.1 reason=quit listed=3\/99 retrieved=2\/67 top=1 deleted=1\/33\n/,
  )
})

t.test('a burst of commands in one packet gets every reply, in order', async (t) => {
  const dir = t.testdir({})
  maildir(dir)
  const s = await serveMaildir(dir)
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  t.equal(await c.line(), '+OK 3 messages')
  c.send('stat\nLIST 1\r\nUIDL 1\r\nRETR 3\r\nNOOP\r\nDELE 3\r\nQUIT\r\n')
  t.equal(
    await c.untilClosed(),
    '+OK 3 99\r\n+OK 1 33\r\n+OK 1 1700000001.M1P1.host\r\n+OK 32 octets\r\nSubject: three\r\n\r\nline1\r\nline2\r\n.\r\n+OK\r\n+OK message 3 deleted\r\n+OK bye\r\n',
  )
  await s.close()
  t.equal(listMaildir(dir).length, 2)
})

t.test(
  'a line over 255 octets: one -ERR, and the session goes on; many bad commands end it',
  async (t) => {
    const dir = t.testdir({})
    maildir(dir)
    const s = await serveMaildir(dir, { POPMAILDIR_MAXBAD: '3' })
    t.teardown(() => s.close())
    const c = await Client.connect(s.port)
    await c.line()
    t.equal(await c.cmd('NOOP ' + 'x'.repeat(1000)), '-ERR line too long')
    t.equal(await c.cmd('NOOP'), '+OK')
    t.match(await c.cmd('BAD1'), /^-ERR/)
    t.match(await c.cmd('BAD2'), /^-ERR/)
    t.match(await c.cmd('BAD3'), /^-ERR/)
    t.equal(await c.untilClosed(), '-ERR too many bad commands\r\n')
    await s.close()
    t.match(s.stderr(), /reason=errors/)
  },
)

t.test('a dropped connection or an idle timeout changes nothing', async (t) => {
  const dir = t.testdir({})
  maildir(dir)
  const before = listMaildir(dir)
  const s = await serveMaildir(dir, { POPMAILDIR_TIMEOUT: '1' })
  t.teardown(() => s.close())
  const a = await Client.connect(s.port)
  await a.line()
  t.equal(await a.cmd('DELE 1'), '+OK message 1 deleted')
  await a.multi('RETR 2')
  a.close()
  await ended(s)
  const b = await Client.connect(s.port)
  t.equal(await b.line(), '+OK 3 messages')
  t.equal(await b.cmd('DELE 2'), '+OK message 2 deleted')
  t.equal(await b.untilClosed(30000), '')
  await s.close()
  t.same(listMaildir(dir), before)
  t.match(s.stderr(), /reason=disconnect/)
  t.match(s.stderr(), /reason=timeout/)
})

t.test('one session at a time; a killed session leaves no lock behind; --no-lock', async (t) => {
  const dir = t.testdir({})
  maildir(dir)
  const s = await serveMaildir(dir)
  t.teardown(() => s.close())
  const a = await Client.connect(s.port)
  t.equal(await a.line(), '+OK 3 messages')
  const b = await Client.connect(s.port)
  t.equal(await b.line(), '-ERR [IN-USE] mailbox in use by another session')
  t.equal(await b.untilClosed(), '')
  for (const child of s.children) child.kill('SIGKILL')
  await a.untilClosed()
  const c = await Client.connect(s.port)
  t.equal(await c.line(), '+OK 3 messages')
  const unlocked = await serveMaildir(dir, { POPMAILDIR_LOCK: 'no' })
  t.teardown(() => unlocked.close())
  const d = await Client.connect(unlocked.port)
  t.equal(await d.line(), '+OK 3 messages', 'the lock can be turned off')
  t.equal(await d.cmd('QUIT'), '+OK bye')
  t.equal(await c.cmd('QUIT'), '+OK bye')
  await unlocked.close()
  await s.close()
})

t.test('refuses root; a missing Maildir is [SYS/PERM]', async (t) => {
  const dir = t.testdir({})
  maildir(dir)
  if (process.getuid?.() === 0) {
    const r = await runPiped(untapped([process.execPath, bin('pop-maildir'), dir]), 'STAT\r\n')
    t.equal(r.out, '-ERR [SYS/PERM] server misconfigured\r\n')
    t.equal(r.code, 100)
    t.match(r.err, /fatal: refusing to run as root/)
    t.same(listMaildir(dir).length, 3)
  }
  const r = await runPiped(maildirArgv(dir + '/nonesuch'), 'STAT\r\n')
  t.equal(r.out, '-ERR [SYS/PERM] no such Maildir\r\n')
  t.equal(r.code, 100)
  const u = await runPiped(maildirArgv(dir, ['--uidl=bogus']), 'STAT\r\n')
  t.equal(u.out, '-ERR [SYS/TEMP] server misconfigured\r\n')
  t.equal(u.code, 2)
  t.match(u.err, /pop-maildir\[\d+\]: fatal: /)
})

t.test(
  'MAILDIR from the environment; plain pipes instead of a socket; old tmp/ files removed',
  async (t) => {
    const dir = t.testdir({})
    maildir(dir)
    writeFileSync(`${dir}/tmp/old`, 'x')
    writeFileSync(`${dir}/tmp/fresh`, 'x')
    const old = new Date(Date.now() - 37 * 3600 * 1000)
    utimesSync(`${dir}/tmp/old`, old, old)
    const r = await runPiped(
      asNobody([process.execPath, bin('pop-maildir')]),
      'STAT\nRETR 2\nQUIT\n',
      { MAILDIR: dir },
    )
    t.equal(
      r.out,
      '+OK 3 messages\r\n+OK 3 99\r\n+OK 34 octets\r\nSubject: two\r\n\r\nno final newline\r\n.\r\n+OK bye\r\n',
    )
    t.equal(r.code, 0)
    t.notOk(existsSync(`${dir}/tmp/old`))
    t.ok(existsSync(`${dir}/tmp/fresh`))
  },
)

t.test('a file delivered this second is shown (qmail-pop3d hides it)', async (t) => {
  const dir = t.testdir({})
  nobodyMaildir(dir, [{ content: 'Subject: now\n\nhi\n' }])
  const s = await serveMaildir(dir)
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  t.equal(await c.line(), '+OK 1 messages')
  t.equal((await c.multi('RETR 1')).body?.toString(), 'Subject: now\r\n\r\nhi\r\n')
  t.equal(await c.cmd('QUIT'), '+OK bye')
  await s.close()
})

t.test(
  'a Maildir the user cannot write: mail can be read; QUIT with DELE is [SYS/TEMP]; nothing lost',
  async (t) => {
    if (process.getuid?.() !== 0) return t.pass('needs root to make a Maildir nobody cannot write')
    const dir = t.testdir({})
    makeMaildir(dir, msgs) // owned by root, mode 0700 dirs: open them to reading only
    for (const sub of ['', '/new', '/cur', '/tmp']) chmodSync(dir + sub, 0o755)
    const before = listMaildir(dir)
    const s = await serveMaildir(dir)
    t.teardown(() => s.close())
    const c = await Client.connect(s.port)
    t.equal(await c.line(), '+OK 3 messages')
    t.equal(await c.cmd('STAT'), '+OK 3 99')
    t.equal((await c.multi('RETR 3')).body?.toString(), 'Subject: three\r\n\r\nline1\r\nline2\r\n')
    t.equal(await c.cmd('QUIT'), '+OK bye', 'nothing to change, nothing failed')
    const d = await Client.connect(s.port)
    t.equal(await d.line(), '+OK 3 messages')
    t.equal(await d.cmd('DELE 1'), '+OK message 1 deleted')
    t.equal(await d.cmd('QUIT'), '-ERR [SYS/TEMP] some deleted messages were not removed')
    await s.close()
    t.same(listMaildir(dir), before)
    t.match(s.stderr(), /warning: cannot remove new\/1700000001\.M1P1\.host: EACCES/)
  },
)

t.test('the socket is left in blocking mode for whoever shares it after pop-maildir', async (t) => {
  const dir = t.testdir({})
  maildir(dir)
  // The shell runs pop-maildir, then reports the file status flags of the socket they share
  // (restore() puts blocking mode back; Node also resets fds 0-2 when it exits normally).
  const argv = untapped([
    'sh',
    '-c',
    '"$@"; grep flags /proc/self/fdinfo/0 >&2',
    'sh',
    ...maildirArgv(dir),
  ])
  const s = await serve(argv, { env: nobodyEnv() })
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  t.equal(await c.line(), '+OK 3 messages')
  t.equal(await c.cmd('QUIT'), '+OK bye')
  await c.untilClosed()
  await s.close()
  const flags = /flags:\s+([0-7]+)/.exec(s.stderr())
  t.ok(flags, 'flags reported')
  t.equal(parseInt(flags![1]!, 8) & 0o4000, 0, 'O_NONBLOCK is off')
})
