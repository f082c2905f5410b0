// Python's poplib (USER/PASS) through the full chain under tcpserver: keep, then delete.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { USER, PASS, sameMessages } from './fixtures/world.js'
import { need } from './fixtures/servers.js'
import { clientWorld, left, MESSAGES } from './fixtures/clients.js'

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
    const r = spawnSync('python3', ['-c', POPLIB, String(c.port), USER, PASS, out, mode], {
      encoding: 'latin1',
      timeout: 30000,
    })
    t.equal(
      r.status,
      0,
      `poplib ${mode}${r.status === 0 ? '' : `\n${r.stdout}${r.stderr}\n${c.s.log()}`}`,
    )
    t.match(r.stdout, /^\+OK/, 'QUIT +OK')
    return c.got(out)
  }
  sameMessages(t, run('keep', 'keep'), MESSAGES, 'keep')
  t.equal(left(c.w), MESSAGES.length, 'keep left every message')
  sameMessages(t, run('dele', 'dele'), MESSAGES, 'delete')
  t.equal(left(c.w), 0, 'the Maildir is empty after DELE and QUIT')
})
