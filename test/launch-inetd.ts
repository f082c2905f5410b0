// The chain under inetd (Debian openbsd-inetd): a nowait line, its own config on a loopback port.
import t from 'tap'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { makeWorld, chainUnderTest, recorder, readRecords } from './fixtures/world.js'
import {
  startServer,
  need,
  failedLogin,
  keepBadDelete,
  inetdWrapper,
  inetdConf,
  BAD_PASS,
} from './fixtures/servers.js'

t.test(
  'inetd nowait: the chain serves, the log stays off the connection, the remote address reaches the log',
  async (t) => {
    const inetd = need(t, 'inetd')
    if (!inetd) return
    const w = makeWorld(t)
    const log = join(w.dir, 'pop3.log')
    const rec = recorder(w)
    const wrapper = inetdWrapper(w, chainUnderTest(w, rec.argv), log)
    const conf = join(w.dir, 'inetd.conf')
    const s = await startServer(t, (port) => {
      w.file('inetd.conf', inetdConf(port, wrapper, 'pop3-inetd'))
      return { cmd: inetd, args: ['-d', conf], env: w.env }
    })
    // byte-identical messages also prove that no log line reached the client
    await keepBadDelete(t, w, s.port)
    await s.close()
    const text = readFileSync(log, 'latin1')
    t.match(
      text,
      failedLogin('127.0.0.1'),
      'the failed login is logged with the address and the login name',
    )
    t.notMatch(text, BAD_PASS, 'never the password')
    const records = readRecords(rec.dir)
    t.equal(records.length, 2, 'the stage after login ran for the two good logins')
    for (const r of records)
      t.notOk(
        [...r.env.keys()].some((k) => k.startsWith('TCP')),
        'inetd sets no TCP variables',
      )
  },
)
