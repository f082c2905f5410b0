// getmail6 (Debian getmail6) through the full chain under tcpserver: keep, new-only by oldmail, delete into a Maildir.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { writeFileSync, mkdirSync } from 'node:fs'
import { USER, PASS, UID, GID, stripTop, sameMessages, readAll } from './fixtures/world.js'
import { chownTree } from '../packages/pop-lib/test/fixtures/harness.js'
import { need } from './fixtures/servers.js'
import { clientWorld, left, LATE, MESSAGES } from './fixtures/clients.js'

// getmail puts three header fields at the top, for both destinations: "Return-Path: <unknown>",
// "Delivered-To: unknown", "Received: from 127.0.0.1 (127.0.0.1:PORT) by HOST with POP3 getmail6 msgid:UIDL; DATE"
const ADDED = ['Return-Path', 'Delivered-To', 'Received']

t.test(
  'getmail: keep, then only the new message (oldmail), then read_all and delete into a Maildir',
  async (t) => {
    if (!need(t, 'tcpserver') || !need(t, 'getmail')) return
    const c = await clientWorld(t)
    const gm = join(c.w.dir, 'getmail')
    mkdirSync(gm)
    const run = (name: string, destination: string, options: string): void => {
      const rc = join(gm, `${name}.rc`)
      writeFileSync(
        rc,
        `[retriever]\ntype = SimplePOP3Retriever\nserver = 127.0.0.1\nport = ${c.port}\nusername = ${USER}\npassword = ${PASS}\n\n` +
          `[destination]\n${destination}\n\n[options]\nverbose = 0\n${options}\n`,
        { mode: 0o600 },
      )
      const r = spawnSync('getmail', ['--getmaildir', gm, '--rcfile', rc], {
        env: { ...process.env, HOME: gm },
        encoding: 'latin1',
        timeout: 60000,
      })
      t.equal(
        r.status,
        0,
        `getmail ${name}: exit 0${r.status === 0 ? '' : `\n${r.stdout}${r.stderr}\n${c.s.log()}`}`,
      )
    }
    // the same rc name for the first two runs: getmail keeps its oldmail file per server and user
    const mda = (dir: string): string =>
      `type = MDA_external\npath = ${c.save}\narguments = ("${dir}",)\nallow_root_commands = true`
    const keep = c.out('keep')
    run('keep', mda(keep), 'read_all = false\ndelete = false')
    sameMessages(
      t,
      c.got(keep).map((m) => stripTop(m, ADDED)),
      MESSAGES,
      'keep',
    )
    t.equal(left(c.w), MESSAGES.length, 'delete = false left every message')

    c.deliverLate()
    const fresh = c.out('new')
    run('keep', mda(fresh), 'read_all = false\ndelete = false')
    sameMessages(
      t,
      c.got(fresh).map((m) => stripTop(m, ADDED)),
      [LATE],
      'second run, read_all = false: only the new message',
    )

    const md = c.out('maildir')
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(md, sub))
    // getmail refuses to deliver into a Maildir as root: it delivers as the Maildir's owner
    const asRoot = process.getuid?.() === 0
    if (asRoot) chownTree(md, UID, GID)
    run(
      'all',
      `type = Maildir\npath = ${md}/${asRoot ? '\nuser = nobody' : ''}`,
      'read_all = true\ndelete = true',
    )
    const sorted = (ms: Buffer[]): string[] => ms.map((m) => m.toString('latin1')).sort()
    t.same(
      sorted(readAll(join(md, 'new')).map((m) => stripTop(m, ADDED))),
      sorted([...MESSAGES, LATE]),
      'read_all, delete: every message, byte-identical, in the Maildir',
    )
    t.equal(left(c.w), 0, 'the server Maildir is empty after delete = true')
  },
)
