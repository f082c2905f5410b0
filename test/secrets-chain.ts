// Secrets: a distinctive password never shows in logs, replies, argv or environments; copies in memory are reported.
import t from 'tap'
import {
  mkdtempSync,
  writeFileSync,
  chmodSync,
  rmSync,
  openSync,
  readSync,
  closeSync,
  readFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bin, chainEnv } from '../packages/pop-lib/test/fixtures/harness.js'
import { Spawner, notRoot, type Session } from './fixtures/rel-serve.js'
import { makeHome, deliver, message, rng } from './fixtures/rel-mail.js'
import { descendants, cmdline, environ } from './fixtures/rel-proc.js'

const PW = 'Zq7-RelSecret-pw-90210'
const WRONG = 'Wx3-RelWrong-pw-31337'
/** SHA-512 crypt of PW (mkpasswd): the users file must not hold the plaintext we look for. */
const PW_HASH =
  '$6$relsecretsalt12$YAOLr5kbdmrh9kD2CuFczo/hNVf88NjlCxdtLjv7qw5KRHnVkYZvHJE5gbfpQM1VKgzDzwgnrvaKISCPN/MPM1'
const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64')

/** The forms a secret can take on its way through: as typed, base64 inside SASL, UTF-16 in a JS heap. */
const forms = (secret: string, login: string): Buffer[] => [
  Buffer.from(secret, 'latin1'),
  Buffer.from(secret, 'utf16le'),
  Buffer.from(b64(`\0${login}\0${secret}`), 'latin1'),
  Buffer.from(b64(secret), 'latin1'),
]

/** Where in a process's writable memory a needle occurs (as root, through /proc/PID/mem). */
const inMemory = (pid: number, needles: Buffer[]): string[] => {
  let maps: string
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'latin1')
  } catch {
    return []
  }
  const hits = new Set<string>()
  const fd = openSync(`/proc/${pid}/mem`, 'r')
  try {
    for (const line of maps.split('\n')) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) rw/.exec(line)
      if (m === null) continue
      const start = parseInt(m[1]!, 16)
      const len = parseInt(m[2]!, 16) - start
      if (len > 512 * 1024 * 1024) continue
      const buf = Buffer.alloc(len)
      try {
        readSync(fd, buf, 0, len, start)
      } catch {
        continue
      }
      needles.forEach((n, i) => {
        if (buf.includes(n))
          hits.add(['as typed', 'UTF-16', 'SASL PLAIN base64', 'base64'][i] ?? String(i))
      })
    }
  } finally {
    closeSync(fd)
  }
  return [...hits]
}

/** Everything the session's processes show the system: argv and environment, for each pid. */
const exposed = (root: number): { pid: number; text: Buffer }[] =>
  [root, ...descendants(root)].map((pid) => ({
    pid,
    text: Buffer.concat([cmdline(pid), Buffer.from('\n'), environ(pid)]),
  }))

t.test('the password leaks nowhere', { skip: notRoot() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rel-secret-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { home, maildir } = makeHome('rel-secret-home', 65534, 65534)
  t.teardown(() => rmSync(home, { recursive: true, force: true }))
  deliver(maildir, message('s1', 800, rng(3)), 65534, 65534)
  const users = join(dir, 'users')
  writeFileSync(users, `relsecret:${PW_HASH}:65534:65534::${home}::\n`)
  chmodSync(users, 0o600)
  const sp = await Spawner.start({
    argv: [
      process.execPath,
      bin('pop-frontend'),
      '--delay',
      '0',
      'mail.example.org',
      bin('pop-checkpassword'),
      '--users',
      users,
      bin('pop-maildir'),
      'Maildir',
    ],
    env: chainEnv({ TCPREMOTEIP: '127.0.0.1' }),
  })
  t.teardown(() => sp.close())

  const logins: [string, (s: Session) => Promise<string | null>][] = [
    ['USER/PASS', async (s) => (await s.c.cmd('USER relsecret'), s.c.cmd(`PASS ${PW}`))],
    ['AUTH PLAIN, initial response', (s) => s.c.cmd(`AUTH PLAIN ${b64(`\0relsecret\0${PW}`)}`)],
    [
      'AUTH PLAIN, after a challenge',
      async (s) => (await s.c.cmd('AUTH PLAIN'), s.c.cmd(b64(`\0relsecret\0${PW}`))),
    ],
    [
      'AUTH LOGIN',
      async (s) => (await s.c.cmd('AUTH LOGIN'), await s.c.cmd(b64('relsecret')), s.c.cmd(b64(PW))),
    ],
  ]
  for (const [name, login] of logins) {
    await t.test(name, async (t) => {
      const s = await sp.open()
      let seen = (await s.c.line()) ?? ''
      // a failed attempt first, with another distinctive password
      seen += (await s.c.cmd('USER relsecret')) ?? ''
      seen += (await s.c.cmd(`PASS ${WRONG}`)) ?? ''
      const ok = await login(s)
      t.match(ok, /^\+OK/, 'logged in')
      seen += ok ?? ''
      const stat = await s.c.cmd('STAT')
      t.match(stat, /^\+OK 1 /, 'the mailbox is open')
      seen += stat ?? ''
      // while the session is open: every process of it, argv and environment, and memory
      const procs = exposed(s.pid)
      t.ok(procs.length >= 1, `${procs.length} processes in the session`)
      for (const p of procs) {
        for (const n of [...forms(PW, 'relsecret'), ...forms(WRONG, 'relsecret')]) {
          if (p.text.includes(n))
            t.fail(
              `pid ${p.pid} shows a password in argv or environment: ${p.text.toString('latin1')}`,
            )
        }
      }
      const memHits = procs.map((p) => ({
        pid: p.pid,
        argv: cmdline(p.pid).toString('latin1').split('\0').slice(0, 3).join(' '),
        hits: inMemory(p.pid, forms(PW, 'relsecret')),
      }))
      // XXX: copies left in freed memory come and go with the garbage collector and the crypt
      // code (seen now and then in pop-frontend and pop-checkpassword under Node 20, where both
      // stay alive for the session): measured and reported, not asserted, so the test is not flaky.
      for (const m of memHits)
        t.comment(
          `memory of pid ${m.pid} (${m.argv}): ${m.hits.length === 0 ? 'no copy' : `copies: ${m.hits.join(', ')}`}`,
        )
      seen += (await s.c.cmd('QUIT')) ?? ''
      seen += await s.c.untilClosed()
      await s.exited
      const err = s.stderr()
      t.match(err, /relsecret/, 'the log names the user')
      for (const [what, text] of [
        ['stderr of every stage', err],
        ['the replies to the client', seen],
      ] as const) {
        for (const n of [...forms(PW, 'relsecret'), ...forms(WRONG, 'relsecret')]) {
          t.notOk(
            Buffer.from(text, 'latin1').includes(n),
            `${what}: no password (${n.toString('latin1').slice(0, 6)}...)`,
          )
        }
      }
    })
  }

  await t.test('a password too long for a line, and one too long for fd 3', async (t) => {
    const s = await sp.open()
    await s.c.line()
    await s.c.cmd('USER relsecret')
    const long = await s.c.cmd(`PASS ${PW}${'x'.repeat(300)}`)
    t.match(long, /^-ERR/)
    await s.c.cmd(`USER ${'u'.repeat(200)}`)
    const big = await s.c.cmd(`PASS ${PW}${'y'.repeat(200)}`)
    t.match(big, /^-ERR/)
    s.c.send('QUIT\r\n')
    const rest = await s.c.untilClosed()
    await s.exited
    t.notMatch(s.stderr() + long + big + rest, PW, 'neither the log nor the replies echo it')
  })
})
