// The chain under systemd socket activation (Accept=yes, StandardInput=socket), imitated by systemd-socket-activate --inetd -a.
import t from 'tap'
import { join } from 'node:path'
import { readFileSync, rmSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import type { Test } from 'tap'
import { ROOT, bin } from '../packages/pop-lib/test/fixtures/harness.js'
import { makePki } from '../packages/pop-tls/test/fixtures/tls.js'
import {
  makeWorld,
  chainUnderTest,
  recorder,
  readRecords,
  sameMessages,
  lf,
  MESSAGES,
  HOST,
  USER,
  PASS,
  type World,
} from './fixtures/world.js'
import {
  fetchAll,
  need,
  failedLogin,
  keepBadDelete,
  socketActivate,
  BAD_PASS,
} from './fixtures/servers.js'

// like systemd, systemd-socket-activate gives the service a clean environment (HOME, TERM, PATH):
// the classic chain's cvm-pwfile needs its variable passed, as a unit's Environment= would
const passEnv = ['-E', 'CVM_PWFILE_PATH']

t.test(
  'systemd-socket-activate --inetd -a: fds 0/1 are the connection, stderr is the journal',
  async (t) => {
    const ssa = need(t, 'systemd-socket-activate')
    if (!ssa) return
    const w = makeWorld(t)
    const rec = recorder(w)
    const s = await socketActivate(t, ssa, passEnv, chainUnderTest(w, rec.argv), w.env)
    await keepBadDelete(t, w, s.port)
    // systemd-socket-activate sets no REMOTE_ADDR (systemd does): the address must come from the socket
    await s.waitLog(failedLogin('127.0.0.1'), 20000).then(
      () => t.pass('the failed login is logged with the address taken from the socket'),
      (e: Error) => t.fail(e.message),
    )
    await s.close()
    const records = readRecords(rec.dir)
    t.equal(records.length, 2, 'the stage after login ran twice')
    t.notMatch(s.log(), BAD_PASS, 'never the password')
  },
)

t.test(
  'REMOTE_ADDR and REMOTE_PORT, as systemd sets them for Accept=yes, reach the log',
  async (t) => {
    const ssa = need(t, 'systemd-socket-activate')
    if (!ssa) return
    const w = makeWorld(t)
    // 192.0.2.7 (TEST-NET-1) cannot be the socket's peer: seeing it proves the variable was used
    const s = await socketActivate(
      t,
      ssa,
      ['-E', 'REMOTE_ADDR=192.0.2.7', '-E', 'REMOTE_PORT=4711', ...passEnv],
      chainUnderTest(w),
      w.env,
    )
    const bad = await fetchAll(s.port, { pass: BAD_PASS })
    t.match(bad.login, /^-ERR/, 'a wrong password is refused')
    await s.waitLog(failedLogin('192.0.2.7'), 20000).then(
      () => t.pass('the failed login is logged with REMOTE_ADDR'),
      (e: Error) => t.fail(e.message),
    )
    await s.close()
  },
)

const UNITS = join(ROOT, 'docs/systemd')

/** Runs a client without blocking this process, so the server's log keeps being collected. */
const run = (
  cmd: string,
  args: string[],
): Promise<{ status: number | null; out: Buffer; err: string }> =>
  new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 })
    const out: Buffer[] = []
    let err = ''
    p.stdout.on('data', (d: Buffer) => out.push(d))
    p.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')))
    p.on('error', (e) => (err += String(e)))
    p.on('close', (status) => resolve({ status, out: Buffer.concat(out), err }))
  })

t.test('the shipped units pass systemd-analyze verify', async (t) => {
  const analyze = need(t, 'systemd-analyze')
  if (!analyze) return
  for (const socket of ['pop3.socket', 'pop3s.socket']) {
    const r = spawnSync(analyze, ['verify', join(UNITS, socket)], {
      encoding: 'latin1',
      cwd: UNITS,
    })
    t.equal(
      r.status,
      0,
      `systemd-analyze verify ${socket}${r.status === 0 ? '' : `\n${r.stdout}${r.stderr}`}`,
    )
    t.equal(r.stderr.trim(), '', `${socket}: no warnings`)
  }
})

/** A unit's ExecStart= with this checkout's programs, the test's users file and certificate. */
const unitLine = (
  t: Test,
  w: World,
  unitName: string,
  files: Map<string, string> = new Map(),
): string[] => {
  const unit = readFileSync(join(UNITS, unitName), 'latin1')
  t.match(unit, /^StandardInput=socket$/m, `${unitName}: StandardInput=socket`)
  t.match(
    unit,
    /^StandardError=journal$/m,
    `${unitName}: StandardError=journal (not the default, a copy of the socket)`,
  )
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(' ') ?? []
  t.comment(`ExecStart=${exec.join(' ')}`)
  return exec.flatMap((a) => {
    const m = /^\/usr\/local\/bin\/(pop-[a-z]+)$/.exec(a)
    if (m === null) return [files.get(a) ?? a]
    return m[1] === 'pop-checkpassword' ? [bin(m[1]), '--users', w.usersFile] : [bin(m[1]!)]
  })
}

t.test("pop3@.service's ExecStart line serves mail under systemd-socket-activate", async (t) => {
  const ssa = need(t, 'systemd-socket-activate')
  if (!ssa) return
  const w = makeWorld(t)
  const argv = unitLine(t, w, 'pop3@.service')
  t.equal(argv[0], bin('pop-frontend'), 'the chain starts with pop-frontend')
  const s = await socketActivate(t, ssa, [], argv, w.env)
  await keepBadDelete(t, w, s.port)
  await s.close()
})

t.test("pop3s@.service's ExecStart line serves mail over TLS (curl pop3s://)", async (t) => {
  const ssa = need(t, 'systemd-socket-activate')
  if (!ssa || !need(t, 'openssl') || !need(t, 'curl')) return
  const w = makeWorld(t)
  const pki = makePki([HOST])
  t.teardown(() => rmSync(pki.dir, { recursive: true, force: true }))
  const files = new Map([
    ['/etc/popchain/tls/cert.pem', pki.cert(HOST)],
    ['/etc/popchain/tls/key.pem', pki.key(HOST)],
  ])
  const argv = unitLine(t, w, 'pop3s@.service', files)
  t.equal(argv[0], bin('pop-tls'), 'the chain starts with pop-tls')
  const s = await socketActivate(t, ssa, [], argv, w.env)
  const got: Buffer[] = []
  for (let i = 1; i <= MESSAGES.length; i++) {
    const url = `pop3s://${HOST}:${s.port}/${i}`
    const args = ['-sS', '--cacert', pki.ca, '--resolve', `${HOST}:${s.port}:127.0.0.1`]
    const r = await run('curl', [...args, '-u', `${USER}:${PASS}`, url])
    t.equal(r.status, 0, `pop3s RETR ${i}${r.status === 0 ? '' : `\n${r.err}\n${s.log()}`}`)
    got.push(lf(r.out))
  }
  sameMessages(t, got, MESSAGES, 'over TLS, certificate checked')
  await s.close()
})
