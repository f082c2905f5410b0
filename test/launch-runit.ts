// The chain as a runit service: tcpserver in ./run, svlogd in ./log/run, as docs/launch-runit.md shows.
import t from 'tap'
import { join } from 'node:path'
import { mkdirSync, readFileSync, existsSync } from 'node:fs'
import { makeWorld, chainUnderTest, sameMessages, MESSAGES } from './fixtures/world.js'
import { startServer, fetchAll, need, failedLogin } from './fixtures/servers.js'

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

t.test(
  'runsv runs tcpserver and the chain; svlogd gets tcpserver and chain lines, timestamped',
  async (t) => {
    const runsv = need(t, 'runsv')
    if (!runsv || !need(t, 'svlogd') || !need(t, 'tcpserver')) return
    const w = makeWorld(t)
    const sv = join(w.dir, 'pop3')
    const logdir = join(w.dir, 'log-pop3')
    mkdirSync(join(sv, 'log'), { recursive: true })
    mkdirSync(logdir)
    const s = await startServer(t, (port) => {
      w.file(
        'pop3/run',
        `#!/bin/sh\nexec 2>&1\nexec tcpserver -v -R -H 127.0.0.1 ${port} ${chainUnderTest(w).map(q).join(' ')}\n`,
        true,
      )
      w.file('pop3/log/run', `#!/bin/sh\nexec svlogd -tt ${q(logdir)}\n`, true)
      return { cmd: runsv, args: [sv], env: w.env }
    })
    const keep = await fetchAll(s.port)
    sameMessages(t, keep.messages, MESSAGES, 'keep')
    const bad = await fetchAll(s.port, { pass: 'not-the-password' })
    t.match(bad.login, /^-ERR/, 'a wrong password is refused')
    // svlogd writes each line as it comes: wait (bounded) for the failed login to show
    const current = join(logdir, 'current')
    const read = (): string => (existsSync(current) ? readFileSync(current, 'latin1') : '')
    for (
      let i = 0;
      i < 400 && !/tcpserver: end/.test(read().slice(read().search(failedLogin('127.0.0.1'))));
      i++
    )
      await sleep(50)
    await s.close()
    const log = read()
    t.match(
      log,
      /^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.\d+ tcpserver: status: 0\/40$/m,
      'svlogd timestamps the lines; tcpserver reports its status',
    )
    t.match(log, /tcpserver: ok \d+ /, 'tcpserver logs each connection')
    t.match(log, failedLogin('127.0.0.1'), 'the failed login reaches the log with the address')
    t.notMatch(log, /not-the-password/, 'never the password')
  },
)
