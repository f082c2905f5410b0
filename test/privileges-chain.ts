// Privileges, as root: the mailbox stage runs with the user's ids and groups only, cannot regain root, holds fds 0-2 only.
import t from 'tap'
import { writeFileSync, chmodSync, chownSync, mkdirSync, rmSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bin, chainEnv } from '../packages/pop-lib/test/fixtures/harness.js'
import { Spawner, notRoot } from './fixtures/rel-serve.js'
import { makeHome, deliver, message, rng } from './fixtures/rel-mail.js'
import { descendants, cmdline, fds } from './fixtures/rel-proc.js'
import { makeAccounts } from './fixtures/rel-cpw.js'

const PW = 'Rel-Priv-pw-4417'
/** SHA-512 crypt of pw-erin, made with mkpasswd (libxcrypt). */
const ERIN_HASH =
  '$6$relsaltrelsalt$feDO6mGkjt6wDZkJyBL7fobwPwmZskR309CrBbdoXFTbxZ8M/1jJe5NeYvXWUVnJZFPSFKwdhWAA8jK2tyS0s.'

/**
 * The mailbox stage's stand-in: it reports what it was given, answers the client, then becomes
 * sleep(1), whose descriptors (read from outside) are exactly those the chain handed on.
 */
const PROBE = `r="$REL_REPORT"
cat /proc/$$/status > "$r/status"
tr '\\000' '\\n' < /proc/$$/environ > "$r/environ"
pwd > "$r/pwd"
"$REL_NODE" -e '
for (const [n, f] of [["setuid", () => process.setuid(0)], ["seteuid", () => process.seteuid(0)], ["setgid", () => process.setgid(0)], ["setegid", () => process.setegid(0)], ["setgroups", () => process.setgroups([0])]]) {
  try { f(); console.log(n + " REGAINED") } catch (e) { console.log(n + " " + e.code) }
}' > "$r/regain" 2>&1
printf '+OK probe\\r\\n'
exec /bin/sleep 30
`

const field = (status: string, name: string): number[] =>
  (new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '')
    .split(/\s+/)
    .filter((x) => x !== '')
    .map(Number)

t.test('privileges of the mailbox stage', { skip: notRoot() }, async (t) => {
  const { dir, home, users } = makeAccounts(
    t,
    'rel-priv',
    (home) => `relpriv:{PLAIN}${PW}:65534:65534::${home}::\n`,
  )
  const report = join(dir, 'report')
  mkdirSync(report)
  chownSync(report, 65534, 65534)
  const passwd = join(dir, 'passwd')
  const shadow = join(dir, 'shadow')
  const group = join(dir, 'group')
  writeFileSync(passwd, `erin:x:65534:65534:Erin:${home}:/bin/sh\n`)
  writeFileSync(shadow, `erin:${ERIN_HASH}:19000:0:99999:7:::\n`)
  writeFileSync(group, 'nogroup:x:65534:\nrelgrp:x:4242:erin\nrelother:x:4343:someone\nroot:x:0:\n')
  chmodSync(shadow, 0o600)

  const sources = [
    { name: 'users file', args: ['--users', users], login: 'relpriv', pw: PW, groups: [65534] },
    {
      name: 'system files',
      args: ['--passwd', passwd, '--shadow', shadow, '--group', group],
      login: 'erin',
      pw: 'pw-erin',
      groups: [4242, 65534],
    },
  ]
  for (const src of sources) {
    await t.test(src.name, async (t) => {
      for (const f of ['status', 'environ', 'pwd', 'regain'])
        rmSync(join(report, f), { force: true })
      const sp = await Spawner.start({
        argv: [
          process.execPath,
          bin('pop-frontend'),
          'mail.example.org',
          bin('pop-checkpassword'),
          ...src.args,
          '/bin/sh',
          '-c',
          PROBE,
        ],
        env: chainEnv({ TCPREMOTEIP: '127.0.0.1', REL_REPORT: report, REL_NODE: process.execPath }),
      })
      t.teardown(() => sp.close())
      const s = await sp.open()
      t.match(await s.c.line(), /^\+OK/, 'greeting')
      t.match(await s.c.cmd(`USER ${src.login}`), /^\+OK/)
      t.equal(await s.c.cmd(`PASS ${src.pw}`), '+OK probe', 'the probe ran as the mailbox stage')
      let sleeper: number | undefined
      for (let i = 0; i < 100 && sleeper === undefined; i++) {
        sleeper = descendants(s.pid).find((p) =>
          cmdline(p).toString('latin1').startsWith('/bin/sleep'),
        )
        if (sleeper === undefined) await new Promise((r) => setTimeout(r, 50))
      }
      const fdList = sleeper === undefined ? [] : fds(sleeper)
      if (sleeper !== undefined) process.kill(sleeper, 'SIGKILL')
      await s.c.untilClosed()
      await s.exited

      const status = readFileSync(join(report, 'status'), 'latin1')
      t.same(
        field(status, 'Uid'),
        [65534, 65534, 65534, 65534],
        'real, effective, saved and filesystem uid are the user',
      )
      t.same(
        field(status, 'Gid'),
        [65534, 65534, 65534, 65534],
        'real, effective, saved and filesystem gid are the user',
      )
      t.same(
        field(status, 'Groups').sort(),
        src.groups,
        `supplementary groups: ${src.groups.join(' ')} only`,
      )
      t.match(status, /^CapEff:\s*0+$/m, 'no effective capabilities')
      t.match(status, /^CapPrm:\s*0+$/m, 'no permitted capabilities')
      const regain = readFileSync(join(report, 'regain'), 'latin1')
      t.notMatch(
        regain,
        /REGAINED/,
        'setuid, seteuid, setgid, setegid and setgroups to root all fail',
      )
      t.match(regain, /setuid EPERM/, 'setuid(0): EPERM')
      t.ok(sleeper !== undefined, 'found the mailbox stage')
      t.same(
        fdList.map((f) => f.fd).sort(),
        [0, 1, 2],
        `descriptors 0, 1 and 2 only: ${fdList.map((f) => `${f.fd} -> ${f.target}`).join(', ')}`,
      )
      t.equal(readFileSync(join(report, 'pwd'), 'latin1').trim(), home, 'in the home directory')
      const env = readFileSync(join(report, 'environ'), 'latin1')
      t.notMatch(env, src.pw, 'no password in the environment')
      t.notMatch(env, /^POPCHAIN_AUTHFD=/m, 'the login signal variable is gone')
      t.match(env, new RegExp(`^USER=${src.login}$`, 'm'), 'USER set')
      t.match(env, new RegExp(`^HOME=${home}$`, 'm'), 'HOME set')
    })
  }
})

t.test('pop-maildir refuses to run as root', { skip: notRoot() }, async (t) => {
  const { home, maildir } = makeHome('rel-root', 0, 0)
  t.teardown(() => rmSync(home, { recursive: true, force: true }))
  const name = deliver(maildir, message('root-1', 500, rng(1)), 0, 0)
  const sp = await Spawner.start({
    argv: [process.execPath, bin('pop-maildir'), 'Maildir'],
    env: chainEnv({ USER: 'root', HOME: home }),
    cwd: home,
  })
  t.teardown(() => sp.close())
  const s = await sp.open()
  const first = await s.c.line()
  t.match(first, /^-ERR/, `the client gets -ERR: ${first}`)
  s.c.send('STAT\r\nDELE 1\r\nQUIT\r\n')
  await s.c.untilClosed()
  const ex = await s.exited
  t.not(ex.code, 0, `a failure exit (${ex.code})`)
  t.match(s.stderr(), /root/, `stderr says why: ${s.stderr().trim()}`)
  t.same(readFileSync(join(maildir, 'new', name)).length > 0, true, 'the Maildir is untouched')
})
