// The interoperability matrix: popchain's stages mixed with the classic ones (Debian cvm, mailfront).
import t from 'tap'
import { Client } from '../packages/pop-lib/test/fixtures/harness.js'
import {
  makeWorld,
  stage,
  sameMessages,
  MESSAGES,
  NAMES,
  USER,
  PASS,
  type World,
} from './fixtures/world.js'
import { tcpserver, fetchAll, need } from './fixtures/servers.js'

interface Row {
  name: string
  argv: (w: World) => string[]
  tools: string[]
  /** mailfront's pop3front-maildir sends an extra CRLF before each terminator (REFERENCE.md). */
  extraCrlf?: boolean
  /** pop3front-auth reads ahead and swallows commands pipelined after PASS (REFERENCE.md). */
  noPipelining?: boolean
}

const rows: Row[] = [
  {
    name: 'pop3front-auth cvm-pwfile + pop3front-maildir (the classic reference)',
    argv: () => [...stage.pop3frontAuth(), ...stage.pop3frontMaildir()],
    tools: ['pop3front-auth', 'pop3front-maildir', 'cvm-pwfile'],
    extraCrlf: true,
    noPipelining: true,
  },
  {
    name: 'pop-frontend + cvm-checkpassword cvm-pwfile + pop-maildir',
    argv: () => [...stage.frontend(), ...stage.cvmCheckpassword(), ...stage.maildir()],
    tools: ['cvm-checkpassword', 'cvm-pwfile'],
  },
  {
    name: 'pop3front-auth cvm-pwfile + pop-maildir',
    argv: () => [...stage.pop3frontAuth(), ...stage.maildir()],
    tools: ['pop3front-auth', 'cvm-pwfile'],
    noPipelining: true,
  },
  {
    name: 'pop-frontend + pop-checkpassword + pop3front-maildir',
    argv: (w) => [...stage.frontend(), ...stage.checkpassword(w), ...stage.pop3frontMaildir()],
    tools: ['pop3front-maildir'],
    extraCrlf: true,
  },
  {
    name: 'pop-frontend + cvm-checkpassword cvm-pwfile + pop3front-maildir (no stage gives the login signal)',
    argv: () => [...stage.frontend(), ...stage.cvmCheckpassword(), ...stage.pop3frontMaildir()],
    tools: ['cvm-checkpassword', 'cvm-pwfile', 'pop3front-maildir'],
    extraCrlf: true,
  },
  {
    name: 'pop-frontend + pop-checkpassword + pop-maildir',
    argv: (w) => [...stage.frontend(), ...stage.checkpassword(w), ...stage.maildir()],
    tools: [],
  },
]

for (const row of rows) {
  t.test(row.name, async (t) => {
    if (!need(t, 'tcpserver') || !row.tools.every((x) => need(t, x))) return
    const w = makeWorld(t)
    const s = await tcpserver(t, ['-R', '-H'], row.argv(w), w.env)
    const want =
      row.extraCrlf === true ? MESSAGES.map((m) => Buffer.concat([m, Buffer.from('\n')])) : MESSAGES
    const keep = await fetchAll(s.port)
    t.match(keep.login, /^\+OK/, 'logged in')
    t.same(
      keep.uidls.map((l) => l.split(' ')[1]),
      NAMES,
      'UIDLs are the file names',
    )
    sameMessages(
      t,
      keep.messages,
      want,
      row.extraCrlf === true ? 'keep (plus the known extra CRLF)' : 'keep',
    )
    t.equal(w.list().length, MESSAGES.length, 'QUIT without DELE deletes nothing')

    const bad = await fetchAll(s.port, { pass: 'wrong' })
    t.match(bad.login, /^-ERR/, 'a wrong password is refused')

    if (row.noPipelining !== true) {
      // one write across the login: no stage may read a byte meant for the next one
      const c = await Client.connect(s.port)
      t.match(await c.line(), /^\+OK/)
      c.send(`USER ${USER}\r\nPASS ${PASS}\r\nSTAT\r\nNOOP\r\nQUIT\r\n`)
      const lines = [await c.line(), await c.line(), await c.line(), await c.line(), await c.line()]
      c.close()
      t.match(
        lines,
        [/^\+OK/, /^\+OK/, new RegExp(`^\\+OK ${MESSAGES.length} `), /^\+OK/, /^\+OK/],
        'a pipelined burst across the login gets every reply',
      )
    }

    const del = await fetchAll(s.port, { dele: true })
    sameMessages(t, del.messages, want, 'delete')
    t.match(del.quit, /^\+OK/)
    t.same(w.list(), [], 'the Maildir is empty after DELE and QUIT')
    await s.close()
    if (row.argv(w)[0] === stage.frontend()[0]) {
      // whatever the later stages, pop-frontend logs the one failed login, with the address,
      // and none of the good sessions as failed (the login signal, or else the exit status)
      const failed = s
        .log()
        .split('\n')
        .filter((l) => /^pop-frontend\[\d+\]: .*fail/i.test(l))
      t.equal(failed.length, 1, `one failed login logged: ${failed.join(' | ')}`)
      t.match(failed[0] ?? '', /127\.0\.0\.1/, 'with the address')
      t.match(failed[0] ?? '', /alice/, 'and the login name')
    }
  })
}
