// Brute force without a daemon: pop-checkpassword's --state-dir counts failures safely under concurrency and locks out.
import t from 'tap'
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { notRoot } from './fixtures/rel-serve.js'
import { check, creds, pool, RAN, makeAccounts } from './fixtures/rel-cpw.js'

t.test('brute-force counting in a state directory', { skip: notRoot() }, async (t) => {
  const { dir, users } = makeAccounts(
    t,
    'rel-brute',
    (home) =>
      `brute:{PLAIN}pw-brute:65534:65534::${home}::\nother:{PLAIN}pw-other:65534:65534::${home}::\n`,
  )
  let n = 0
  const state = (): string => join(dir, `state-${++n}`)
  const args = (st: string, more: string[] = []): string[] => [
    '--users',
    users,
    '--state-dir',
    st,
    '--fail-delay',
    '1',
    '--max-delay',
    '5',
    ...more,
  ]
  const ip = (addr: string): NodeJS.ProcessEnv => ({ TCPREMOTEIP: addr })
  const lines = (file: string): number =>
    existsSync(file)
      ? readFileSync(file, 'latin1')
          .split('\n')
          .filter((l) => l !== '').length
      : 0

  await t.test('off by default: no state, no lock-out', async (t) => {
    await pool(
      Array.from({ length: 12 }, (_, i) => i),
      4,
      async () =>
        void t.equal(
          (await check(['--users', users], creds('brute', 'wrong'), ip('192.0.2.1'))).code,
          1,
        ),
    )
    const r = await check(['--users', users], creds('brute', 'pw-brute'), ip('192.0.2.1'))
    t.equal(r.code, 0, 'after 12 failures the right password still works')
    t.match(r.stdout, RAN)
  })

  await t.test('concurrent failures are all counted', async (t) => {
    const st = state()
    const attempts = Array.from({ length: 24 }, (_, i) => i)
    await pool(attempts, 8, async () => {
      const r = await check(
        args(st, ['--max-user-failures', '1000', '--max-ip-failures', '1000']),
        creds('brute', 'wrong'),
        ip('192.0.2.2'),
      )
      t.equal(r.code, 1)
    })
    t.equal(lines(join(st, 'user-brute')), 24, '24 failures of the login recorded, none lost')
    t.equal(lines(join(st, 'ip-192.0.2.2')), 24, '24 failures of the address recorded')
    const mode = statSync(st)
    t.equal(mode.uid, 0, 'the state directory belongs to root (written before the drop)')
    t.equal(mode.mode & 0o077, 0, 'and nobody else may read or write it')
  })

  await t.test(
    'a login is locked out after its failures, from any address; others are not',
    async (t) => {
      const st = state()
      const a = args(st, ['--max-user-failures', '3'])
      for (let i = 0; i < 3; i++)
        t.equal((await check(a, creds('brute', 'wrong'), ip(`192.0.2.${10 + i}`))).code, 1)
      const locked = await check(a, creds('brute', 'pw-brute'), ip('198.51.100.7'))
      t.equal(locked.code, 1, 'the right password is refused while locked out')
      t.notMatch(locked.stdout, RAN, 'PROG did not run')
      t.match(locked.stderr, /locked out/, 'the log says why')
      t.equal(
        (await check(a, creds('other', 'pw-other'), ip('192.0.2.10'))).code,
        0,
        'another login works',
      )
    },
  )

  await t.test('an address is locked out after its failures', async (t) => {
    const st = state()
    const a = args(st, ['--max-ip-failures', '4', '--max-user-failures', '100'])
    for (const u of ['a1', 'a2', 'a3', 'a4'])
      t.equal((await check(a, creds(u, 'x'), ip('203.0.113.9'))).code, 1)
    t.equal(
      (await check(a, creds('brute', 'pw-brute'), ip('203.0.113.9'))).code,
      1,
      'locked address: refused',
    )
    t.equal(
      (await check(a, creds('brute', 'pw-brute'), ip('203.0.113.10'))).code,
      0,
      'another address: works',
    )
  })

  await t.test(
    'the lock-out ends with the window; a good login clears the login count',
    async (t) => {
      const st = state()
      const a = args(st, ['--max-user-failures', '2', '--failure-window', '6'])
      for (let i = 0; i < 2; i++) await check(a, creds('brute', 'wrong'), ip('192.0.2.20'))
      t.equal((await check(a, creds('brute', 'pw-brute'), ip('192.0.2.20'))).code, 1, 'locked')
      await new Promise((r) => setTimeout(r, 7000))
      t.equal(
        (await check(a, creds('brute', 'pw-brute'), ip('192.0.2.20'))).code,
        0,
        'after the window: works',
      )
      t.equal(lines(join(st, 'user-brute')), 0, 'the login count is cleared by the good login')
    },
  )

  await t.test('delays grow (lower bounds only)', async (t) => {
    const st = state()
    const a = ['--users', users, '--state-dir', st, '--fail-delay', '150', '--max-delay', '10000']
    const took: number[] = []
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now()
      await check(a, creds('brute', 'wrong'), ip('192.0.2.30'))
      took.push(Date.now() - t0)
    }
    t.ok(
      took[2]! >= 600,
      `the third failure waits at least 150 * 2^2 ms (took ${took.join(', ')} ms)`,
    )
  })

  await t.test('hostile logins cannot name files outside the state directory', async (t) => {
    const st = state()
    const escape = join(dir, 'escaped')
    for (const login of [
      `../escaped`,
      `../../${escape}`,
      `${escape}`,
      'a/../../escaped',
      'x\ny',
      '.',
      '..',
      'user-brute',
      ' ',
    ]) {
      t.equal((await check(args(st), creds(login, 'x'), ip('192.0.2.40'))).code, 1)
    }
    t.notOk(existsSync(escape), 'no file written outside')
    t.same(
      readdirSync(st).filter((f) => !/^(user|ip)-/.test(f)),
      [],
      'every state file is a user- or ip- key',
    )
    const r = await check(args(st), creds('brute', 'wrong'), ip('../../etc/passwd'))
    t.equal(r.code, 1)
    t.same(
      readdirSync(st).filter((f) => f.includes('etc')),
      [],
      'an address that is not an IP address names no file',
    )
  })
})
