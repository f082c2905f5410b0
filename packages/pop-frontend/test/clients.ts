// Real clients log in through pop-frontend: curl (AUTH PLAIN, AUTH LOGIN), mpop (APOP, AUTH PLAIN), fetchmail (APOP).
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync, chmodSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { bin, serve } from '../../pop-lib/test/fixtures/harness.js'
import {
  makeWorld,
  stage,
  MESSAGES,
  USER,
  PASS,
  HOST,
  stripTop,
  type World,
} from '../../../test/fixtures/world.js'
import { need } from '../../../test/fixtures/servers.js'

const run = (
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; out: Buffer; err: string }> =>
  new Promise((resolve) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    p.stdout.on('data', (d: Buffer) => out.push(d))
    p.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')))
    const timer = setTimeout(() => p.kill('SIGKILL'), 30000)
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out: Buffer.concat(out), err })
    })
  })

/** Our chain, with APOP secrets for pop-checkpassword. */
const start = async (t: Test, w: World): Promise<Awaited<ReturnType<typeof serve>>> => {
  const apop = w.file('apop-secrets', `${USER}:{PLAIN}${PASS}\n`)
  chmodSync(apop, 0o600)
  const s = await serve(
    [
      bin('pop-frontend'),
      HOST,
      ...stage.checkpassword(w),
      '--apop-secrets',
      apop,
      ...stage.maildir(),
    ],
    { env: w.env },
  )
  t.teardown(() => s.close())
  return s
}

const mech = (log: string): string[] =>
  [
    ...log.matchAll(
      /pop-frontend\[\d+\]: info: session ended: ip=127\.0\.0\.1 mech=(\S+) user=alice/g,
    ),
  ].map((m) => m[1]!)

t.test('curl: AUTH PLAIN (SASL is listed) and AUTH LOGIN', async (t) => {
  if (!need(t, 'curl')) return
  const w = makeWorld(t)
  const s = await start(t, w)
  const plain = await run('curl', [
    '-sS',
    '--max-time',
    '20',
    `pop3://${USER}:${PASS}@127.0.0.1:${s.port}/1`,
  ])
  t.equal(plain.code, 0, plain.err)
  t.equal(plain.out.toString('latin1').replace(/\r\n/g, '\n'), MESSAGES[0]!.toString('latin1'))
  const login = await run('curl', [
    '-sS',
    '--max-time',
    '20',
    '--login-options',
    'AUTH=LOGIN',
    `pop3://${USER}:${PASS}@127.0.0.1:${s.port}/2`,
  ])
  t.equal(login.code, 0, login.err)
  const bad = await run(
    'curl',
    ['-sS', '--max-time', '20', `pop3://${USER}:wrong@127.0.0.1:${s.port}/1`],
    { ...process.env },
  )
  t.not(bad.code, 0, 'a wrong password fails')
  await s.close()
  t.same(mech(s.stderr()), ['PLAIN', 'LOGIN'])
  t.match(s.stderr(), /warning: login failed: ip=127\.0\.0\.1 mech=PLAIN status=1 user=alice/)
})

const mpoprc = (w: World, port: number, auth: string): { rc: string; out: string } => {
  const out = join(w.dir, `mpop-${auth}`)
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(out, sub), { recursive: true })
  const rc = join(w.dir, `mpoprc-${auth}`)
  writeFileSync(
    rc,
    [
      `account test`,
      `host 127.0.0.1`,
      `port ${port}`,
      `user ${USER}`,
      `password ${PASS}`,
      'tls off',
      `auth ${auth}`,
      `delivery maildir ${out}`,
      'keep on',
      `uidls_file ${join(w.dir, `uidls-${auth}`)}`,
      '',
    ].join('\n'),
  )
  chmodSync(rc, 0o600)
  return { rc, out }
}

t.test('mpop: APOP and AUTH PLAIN', async (t) => {
  if (!need(t, 'mpop')) return
  const w = makeWorld(t)
  const s = await start(t, w)
  for (const auth of ['apop', 'plain']) {
    const { rc, out } = mpoprc(w, s.port, auth)
    const r = await run('mpop', ['-C', rc, '-q', 'test'])
    t.equal(r.code, 0, `mpop auth ${auth}: ${r.err}`)
    const got = readdirSync(join(out, 'new')).map((f) =>
      stripTop(readFileSync(join(out, 'new', f)), ['Received']),
    )
    t.equal(got.length, MESSAGES.length, `mpop auth ${auth} fetched every message`)
  }
  await s.close()
  t.same(mech(s.stderr()), ['APOP', 'PLAIN'])
})

t.test('fetchmail: APOP', async (t) => {
  if (!need(t, 'fetchmail')) return
  const w = makeWorld(t)
  const s = await start(t, w)
  const home = join(w.dir, 'fetchmail-home')
  mkdirSync(home, { mode: 0o700 })
  const mbox = join(w.dir, 'fetchmail.mbox')
  const rc = join(home, 'fetchmailrc')
  writeFileSync(
    rc,
    `set no syslog\npoll 127.0.0.1 port ${s.port} protocol apop user "${USER}" password "${PASS}" sslproto "" keep mda "cat >> ${mbox}"\n`,
  )
  chmodSync(rc, 0o600)
  const r = await run('fetchmail', ['-f', rc, '-i', join(home, 'ids'), '--nodetach'], {
    ...process.env,
    HOME: home,
  })
  t.equal(r.code, 0, r.err)
  t.match(readFileSync(mbox, 'latin1'), /Hello Alice\./)
  await s.close()
  t.same(mech(s.stderr()), ['APOP'])
})
