// mpop (Debian mpop) through the full chain under tcpserver: APOP, keep, new-only by its UIDL cache, delete into a Maildir.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { writeFileSync, mkdirSync } from 'node:fs'
import { USER, PASS, stripTop, sameMessages, readAll } from './fixtures/world.js'
import { need } from './fixtures/servers.js'
import { clientWorld, left, LATE, MESSAGES } from './fixtures/clients.js'

// mpop puts one header field at the top: "Received: from 127.0.0.1 by HOST with POP3 ..." (received_header on)
const ADDED = ['Received']

t.test(
  'mpop: APOP login, keep, then only the new message, then delete into a Maildir',
  async (t) => {
    if (!need(t, 'tcpserver') || !need(t, 'mpop')) return
    const c = await clientWorld(t)
    const home = join(c.w.dir, 'mpop-home')
    mkdirSync(home)
    const run = (name: string, opts: string): string => {
      const conf = join(home, `${name}.conf`)
      writeFileSync(
        conf,
        `account pop\nhost 127.0.0.1\nport ${c.port}\ntls off\nuser ${USER}\npassword ${PASS}\nuidls_file ${join(home, 'uidls')}\n${opts}\n`,
        { mode: 0o600 },
      )
      const r = spawnSync('mpop', ['--debug', '-C', conf, 'pop'], {
        env: { ...process.env, HOME: home },
        encoding: 'latin1',
        timeout: 60000,
      })
      t.equal(
        r.status,
        0,
        `mpop ${name}: exit 0${r.status === 0 ? '' : `\n${r.stdout}${r.stderr}\n${c.s.log()}`}`,
      )
      return r.stdout + r.stderr
    }
    const keep = c.out('keep')
    const first = run('keep', `auth apop\nkeep on\ndelivery mda "${c.save} ${keep}"`)
    t.match(
      first,
      /APOP alice [0-9a-f]{32}/,
      'APOP login (auth apop: mpop 1.4 picks no APOP by itself without TLS)',
    )
    sameMessages(
      t,
      c.got(keep).map((m) => stripTop(m, ADDED)),
      MESSAGES,
      'keep',
    )
    t.equal(left(c.w), MESSAGES.length, 'keep left every message')

    c.deliverLate()
    const fresh = c.out('new')
    run('new', `auth user\nkeep on\ndelivery mda "${c.save} ${fresh}"`)
    sameMessages(
      t,
      c.got(fresh).map((m) => stripTop(m, ADDED)),
      [LATE],
      'second run: only the new message (UIDL cache)',
    )

    const md = c.out('maildir')
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(md, sub))
    run('all', `auth user\nonly_new off\nkeep off\ndelivery maildir ${md}`)
    const got = readAll(join(md, 'new')).map((m) => stripTop(m, ADDED))
    // a Maildir's file names do not keep the order: compare as sets, by Message-ID
    const byId = (ms: Buffer[]): string[] => ms.map((m) => m.toString('latin1')).sort()
    t.same(
      byId(got),
      byId([...MESSAGES, LATE]),
      'only_new off, keep off: every message, byte-identical, in the Maildir',
    )
    t.equal(left(c.w), 0, 'the server Maildir is empty after keep off')
  },
)
