// curl's pop3:// (AUTH PLAIN) through the full chain under tcpserver: RETR n, then DELE session by session.
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
  t.equal(
    list.status,
    0,
    `curl ${url}: LIST${list.status === 0 ? '' : `\n${list.err}\n${c.s.log()}`}`,
  )
  t.match(list.err, /> AUTH PLAIN/, 'curl logged in with SASL PLAIN')
  const n = list.out
    .toString('latin1')
    .split('\r\n')
    .filter((l) => /^\d+ \d+$/.test(l)).length
  t.equal(n, MESSAGES.length, 'LIST shows every message')
  const fetched = MESSAGES.map((_, i) => {
    const r = curl([`${url}${i + 1}`])
    t.equal(r.status, 0, `RETR ${i + 1}${r.status === 0 ? '' : `\n${r.err}`}`)
    return lf(r.out)
  })
  sameMessages(t, fetched, MESSAGES, 'keep')
  t.equal(left(c.w), MESSAGES.length, 'RETR alone deletes nothing')
  for (let i = 1; i <= MESSAGES.length; i++) {
    // one session per DELE, so the first message is always number 1; DELE has a one-line
    // reply: -I (no body) tells curl not to wait for a multi-line one
    const r = curl(['-X', 'DELE', '-I', `${url}1`])
    t.equal(r.status, 0, `DELE 1, session ${i}${r.status === 0 ? '' : `\n${r.err}`}`)
    t.equal(left(c.w), MESSAGES.length - i, 'one message fewer')
  }
  t.equal(left(c.w), 0, 'the Maildir is empty after the DELE sessions')
})
