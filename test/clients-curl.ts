// curl's pop3:// (AUTH PLAIN) and Python's poplib (USER/PASS) through the full chain under tcpserver.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { USER, PASS, lf, sameMessages } from './fixtures/world.js'
import { need } from './fixtures/servers.js'
import { clientWorld, left, MESSAGES } from './fixtures/clients.js'

// curl adds nothing to a message; it writes the message as sent, with CRLF line ends, dots unstuffed
t.test('curl pop3://: LIST, RETR n each (keep), then RETR and DELE (delete)', async (t) => {
  if (!need(t, 'tcpserver') || !need(t, 'curl')) return
  const c = await clientWorld(t)
  const url = `pop3://127.0.0.1:${c.port}/`
  const curl = (args: string[]): { status: number | null; out: Buffer; err: string } => {
    const r = spawnSync('curl', ['-sS', '-u', `${USER}:${PASS}`, ...args], { timeout: 30000 })
    return { status: r.status, out: r.stdout, err: r.stderr.toString('latin1') }
  }
  const list = curl(['-v', url])
  t.equal(list.status, 0, `curl ${url}: LIST${list.status === 0 ? '' : `\n${list.err}\n${c.s.log()}`}`)
  t.match(list.err, /> AUTH PLAIN/, 'curl logged in with SASL PLAIN')
  const n = list.out.toString('latin1').split('\r\n').filter((l) => /^\d+ \d+$/.test(l)).length
  t.equal(n, MESSAGES.length, 'LIST shows every message')
  const fetch = (): Buffer[] =>
    MESSAGES.map((_, i) => {
      const r = curl([`${url}${i + 1}`])
      t.equal(r.status, 0, `RETR ${i + 1}${r.status === 0 ? '' : `\n${r.err}`}`)
      return lf(r.out)
    })
  sameMessages(t, fetch(), MESSAGES, 'keep')
  t.equal(left(c.w), MESSAGES.length, 'RETR alone deletes nothing')
  sameMessages(t, fetch(), MESSAGES, 'again')
  for (let i = 1; i <= MESSAGES.length; i++) {
    // one session per DELE, so the first message is always number 1; DELE has a one-line
    // reply: -I (no body) tells curl not to wait for a multi-line one
    const r = curl(['-X', 'DELE', '-I', `${url}1`])
    t.equal(r.status, 0, `DELE 1, session ${i}${r.status === 0 ? '' : `\n${r.err}`}`)
    t.equal(left(c.w), MESSAGES.length - i, 'one message fewer')
  }
  t.equal(left(c.w), 0, 'the Maildir is empty after the DELE sessions')
})

const POPLIB = `
import poplib, sys, os
port, user, pw, out, dele = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == 'dele'
p = poplib.POP3('127.0.0.1', port, timeout=30)
p.user(user)
p.pass_(pw)
n, _ = p.stat()
for i in range(1, n + 1):
    resp, lines, octets = p.retr(i)
    with open(os.path.join(out, '%04d' % i), 'wb') as f:
        f.write(b''.join(l + b'\\n' for l in lines))
    if dele:
        p.dele(i)
print(p.quit().decode())
`

// poplib adds nothing; it returns the lines without CRLF and with dots unstuffed
t.test("Python's poplib: RETR every message (keep), then RETR and DELE (delete)", async (t) => {
  if (!need(t, 'tcpserver') || !need(t, 'python3')) return
  const c = await clientWorld(t)
  const run = (name: string, mode: string): Buffer[] => {
    const out = c.out(name)
    const r = spawnSync('python3', ['-c', POPLIB, String(c.port), USER, PASS, out, mode], { encoding: 'latin1', timeout: 30000 })
    t.equal(r.status, 0, `poplib ${mode}${r.status === 0 ? '' : `\n${r.stdout}${r.stderr}\n${c.s.log()}`}`)
    t.match(r.stdout, /^\+OK/, 'QUIT +OK')
    return c.got(out)
  }
  sameMessages(t, run('keep', 'keep'), MESSAGES, 'keep')
  t.equal(left(c.w), MESSAGES.length, 'keep left every message')
  sameMessages(t, run('dele', 'dele'), MESSAGES, 'delete')
  t.equal(left(c.w), 0, 'the Maildir is empty after DELE and QUIT')
})
