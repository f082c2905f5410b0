// fetchmail (Debian fetchmail) through the full chain under tcpserver: keep, new-only by UIDL, fetch all and delete.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { writeFileSync, mkdirSync } from 'node:fs'
import { USER, PASS, stripTop, sameMessages } from './fixtures/world.js'
import { need } from './fixtures/servers.js'
import { clientWorld, left, LATE, MESSAGES } from './fixtures/clients.js'

// fetchmail puts one header field at the top: "Received: from 127.0.0.1 [127.0.0.1] by HOST with POP3 ..."
const ADDED = ['Received']

t.test(
  'fetchmail: keep, then only the new message (uidl), then fetchall nokeep empties the Maildir',
  async (t) => {
    if (!need(t, 'tcpserver') || !need(t, 'fetchmail')) return
    const c = await clientWorld(t)
    const home = join(c.w.dir, 'fetchmail-home')
    mkdirSync(home)
    const run = (name: string, opts: string): Buffer[] => {
      const out = c.out(name)
      const rc = join(home, `${name}.rc`)
      // Debian's fetchmail insists on STLS unless told sslproto ''
      writeFileSync(
        rc,
        `set no syslog\npoll 127.0.0.1 port ${c.port} proto pop3 uidl\n  user "${USER}" password "${PASS}" sslproto '' no sslcertck\n  mda "${c.save} ${out}" ${opts}\n`,
        { mode: 0o600 },
      )
      const r = spawnSync('fetchmail', ['-f', rc, '--idfile', join(home, 'ids'), '--nodetach'], {
        env: { ...process.env, HOME: home, FETCHMAILHOME: home },
        encoding: 'latin1',
        timeout: 60000,
      })
      t.equal(
        r.status,
        0,
        `fetchmail ${opts}: exit 0 (mail retrieved)${r.status === 0 ? '' : `\n${r.stdout}${r.stderr}\n${c.s.log()}`}`,
      )
      return c.got(out).map((m) => stripTop(m, ADDED))
    }
    sameMessages(t, run('keep', 'keep'), MESSAGES, 'keep')
    t.equal(left(c.w), MESSAGES.length, 'keep left every message')
    c.deliverLate()
    sameMessages(t, run('new', 'keep'), [LATE], 'second run without fetchall: only the new message')
    sameMessages(t, run('all', 'fetchall nokeep'), [...MESSAGES, LATE], 'fetchall nokeep')
    t.equal(left(c.w), 0, 'the Maildir is empty after nokeep')
  },
)
