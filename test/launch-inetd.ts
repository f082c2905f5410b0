// The chain under inetd (Debian openbsd-inetd): a nowait line, its own config on a loopback port.
import t from 'tap'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import {
  makeWorld,
  chainUnderTest,
  recorder,
  readRecords,
  sameMessages,
  MESSAGES,
} from './fixtures/world.js'
import { startServer, fetchAll, need, failedLogin } from './fixtures/servers.js'

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

t.test(
  'inetd nowait: the chain serves, the log stays off the connection, the remote address reaches the log',
  async (t) => {
    const inetd = need(t, 'inetd')
    if (!inetd) return
    const w = makeWorld(t)
    const log = join(w.dir, 'pop3.log')
    const rec = recorder(w)
    // inetd puts the connection on fds 0, 1 and 2: the wrapper sends stderr to a logger (here a
    // file) and stdout back to the socket, exactly as docs/launch-inetd.md shows with logger(1)
    const wrapper = w.file(
      'pop3-inetd',
      `#!/bin/sh\n${chainUnderTest(w, rec.argv).map(q).join(' ')} 2>&1 >&0 | cat >> ${q(log)}\n`,
      true,
    )
    const conf = join(w.dir, 'inetd.conf')
    const s = await startServer(t, (port) => {
      w.file(
        'inetd.conf',
        `127.0.0.1:${port} stream tcp nowait ${userInfo().username} ${wrapper} pop3-inetd\n`,
      )
      return { cmd: inetd, args: ['-d', conf], env: w.env }
    })
    const keep = await fetchAll(s.port)
    t.match(keep.greeting, /^\+OK/, 'greeting')
    sameMessages(t, keep.messages, MESSAGES, 'keep')
    const bad = await fetchAll(s.port, { pass: 'not-the-password' })
    t.match(bad.login, /^-ERR/, 'a wrong password is refused')
    const del = await fetchAll(s.port, { dele: true })
    sameMessages(t, del.messages, MESSAGES, 'delete')
    t.same(w.list(), [], 'the Maildir is empty after DELE and QUIT')
    await s.close()
    const text = readFileSync(log, 'latin1')
    t.match(
      text,
      failedLogin('127.0.0.1'),
      'the failed login is logged with the remote address and the login name',
    )
    t.notMatch(text, /not-the-password/, 'never the password')
    const records = readRecords(rec.dir)
    t.equal(records.length, 2, 'the stage after login ran for the two good logins')
    for (const r of records)
      t.notOk(
        [...r.env.keys()].some((k) => k.startsWith('TCP')),
        'inetd sets no TCP variables',
      )
  },
)
