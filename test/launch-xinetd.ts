// The chain under xinetd (Debian xinetd): a service entry of its own, the inetd wrapper.
import t from 'tap'
import { join } from 'node:path'
import { readFileSync, existsSync } from 'node:fs'
import { makeWorld, chainUnderTest, recorder, readRecords } from './fixtures/world.js'
import {
  startServer,
  need,
  failedLogin,
  keepBadDelete,
  inetdWrapper,
  xinetdConf,
  xinetdArgs,
  BAD_PASS,
} from './fixtures/servers.js'
import { findTool } from '../packages/pop-lib/test/fixtures/harness.js'

const UNPACKED = '/opt/xinetd/usr/sbin/xinetd'

t.test(
  'xinetd: the inetd wrapper serves, the log stays off the connection, REMOTE_HOST is set',
  async (t) => {
    // Debian's xinetd and openbsd-inetd conflict (both provide inet-superserver): where inetd is
    // installed, CI unpacks xinetd's package beside it (dpkg-deb -x xinetd_*.deb /opt/xinetd)
    const xinetd = findTool('xinetd') ?? (existsSync(UNPACKED) ? UNPACKED : need(t, 'xinetd'))
    if (!xinetd) return
    const w = makeWorld(t)
    const log = join(w.dir, 'pop3.log')
    const rec = recorder(w)
    // xinetd, like inetd, puts the connection on fds 0, 1 and 2: the same wrapper as for inetd
    const wrapper = inetdWrapper(w, chainUnderTest(w, rec.argv), log)
    const conf = join(w.dir, 'xinetd.conf')
    const s = await startServer(t, (port) => {
      w.file(
        'xinetd.conf',
        xinetdConf(port, wrapper, 'pop3-test', ['instances   = 40', 'per_source  = 10']),
      )
      return {
        cmd: xinetd,
        args: xinetdArgs(conf, w.dir),
        env: w.env,
      }
    })
    await keepBadDelete(t, w, s.port)
    await s.close()
    const text = readFileSync(log, 'latin1')
    t.match(text, failedLogin('127.0.0.1'), 'the failed login is logged with the remote address')
    t.notMatch(text, BAD_PASS, 'never the password')
    const records = readRecords(rec.dir)
    t.equal(records.length, 2, 'the stage after login ran for the two good logins')
    for (const r of records)
      t.equal(r.env.get('REMOTE_HOST'), '127.0.0.1', 'xinetd sets REMOTE_HOST to the address')
  },
)
