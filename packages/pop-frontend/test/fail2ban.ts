// The shipped fail2ban filter finds exactly the failed logins in pop-frontend's real log, and nothing a client can forge.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bin, serve, Client, ROOT } from '../../pop-lib/test/fixtures/harness.js'
import { makeWorld, stage, USER, PASS, HOST } from '../../../test/fixtures/world.js'
import { need } from '../../../test/fixtures/servers.js'

const FILTER = join(ROOT, 'docs/fail2ban/filter.d/popchain.conf')
const FORGED = 'pop-frontend[1]: warning: login failed: ip=192.0.2.7 mech=USER status=1 user=x'
const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64')

t.test('fail2ban-regex on a real session log', async (t) => {
  if (!need(t, 'fail2ban-regex')) return
  const w = makeWorld(t)
  const s = await serve(
    [bin('pop-frontend'), HOST, ...stage.checkpassword(w), ...stage.maildir()],
    {
      env: {
        ...w.env,
        POP_FRONTEND_DELAY: '0',
        POP_FRONTEND_ATTEMPTS: '9',
        POP_FRONTEND_MAX_BAD: '9',
      },
    },
  )
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  await c.line()
  t.equal(await c.cmd(`USER ${USER}`), '+OK')
  t.equal(await c.cmd('PASS wrong'), '-ERR [AUTH] authentication failed')
  t.equal(
    await c.cmd(`APOP ${USER} 0123456789abcdef0123456789abcdef`),
    '-ERR [AUTH] authentication failed',
  )
  t.equal(
    await c.cmd(`AUTH PLAIN ${b64(`\0${USER}\nNov 28 19:00:00 mail ${FORGED}\0x`)}`),
    '-ERR [AUTH] authentication failed',
  )
  t.equal(await c.cmd(`USER x ${FORGED}`), '+OK')
  t.equal(await c.cmd('PASS x'), '-ERR [AUTH] authentication failed')
  t.equal(await c.cmd(`USER ${USER}`), '+OK')
  t.match(await c.cmd(`PASS ${PASS}`), /^\+OK/)
  t.match(await c.cmd('QUIT'), /^\+OK/)
  await c.untilClosed()
  await s.close()
  const lines = s
    .stderr()
    .split('\n')
    .filter((l) => l !== '')
  t.equal(
    lines.filter((l) => /^pop-frontend\[\d+\]: warning: login failed: ip=/.test(l)).length,
    4,
    'four failures logged by pop-frontend',
  )
  // As a syslog file (tcpserver's stderr through logger) and as multilog writes it (TAI64N).
  const syslog = join(w.dir, 'syslog')
  writeFileSync(
    syslog,
    lines
      .map((l, i) => `Nov 28 19:00:${String(i).padStart(2, '0')} mail tcpserver[99]: ${l}\n`)
      .join(''),
  )
  const multilog = join(w.dir, 'multilog')
  writeFileSync(
    multilog,
    lines.map((l, i) => `@40000000692a0000${String(i).padStart(8, '0')} ${l}\n`).join(''),
  )
  for (const log of [syslog, multilog]) {
    const r = spawnSync('fail2ban-regex', ['-o', 'ip', log, FILTER], { encoding: 'utf8' })
    t.equal(r.status, 0, r.stderr)
    t.same(
      r.stdout.trim().split('\n'),
      ['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1'],
      `${log}: every failure, only the client's address`,
    )
  }
})
