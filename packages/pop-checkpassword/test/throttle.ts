// Brute-force protection: per-login and per-address failure counts, growing delays, lock-out, reset on success.
import t from 'tap'
import { readdirSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { ipKey, Throttle, userKey } from '../src/throttle.js'
import { decide } from './fixtures/login.js'
import { creds, run } from './fixtures/run.js'
import { NOBODY, NOGROUP, passHash, world } from './fixtures/world.js'

// No random sweep unless asked: it would make the counts flaky.
const opts = (dir: string, sweep = 0) => ({
  dir,
  window: 900,
  maxUser: 3,
  maxIp: 5,
  delay: 100,
  maxDelay: 1000,
  sweep,
})
const T0 = 1_800_000_000_000

t.test('keys', async (t) => {
  t.equal(userKey(Buffer.from('alice')), 'user-alice')
  t.equal(userKey(Buffer.from('a@example.org')), 'user-a@example.org')
  t.match(userKey(Buffer.from('odd name')), /^user-#[0-9a-f]{64}$/)
  t.equal(ipKey('192.0.2.1'), 'ip-192.0.2.1')
  t.equal(ipKey('2001:db8::1'), 'ip-2001:db8::1')
  t.equal(ipKey('../../etc'), null)
  t.equal(ipKey(undefined), null)
})

t.test('counting, delays, lock-out, window, reset', async (t) => {
  const dir = join(world().dir, 'state')
  const at = (ms: number, login = 'alice', ip = '192.0.2.1'): Throttle =>
    new Throttle(opts(dir), Buffer.from(login), ip, T0 + ms)
  t.notOk(at(0).locked())
  const delays: number[] = []
  for (let i = 0; i < 3; i++) {
    const th = at(i * 1000)
    th.failure()
    delays.push(th.delay())
  }
  t.same(delays, [100, 200, 400], 'the delay doubles')
  t.ok(at(3000).locked(), 'three failures lock the login')
  t.notOk(at(3000, 'bob', '192.0.2.2').locked(), 'another login from another address is not locked')
  t.ok(at(899_000).locked(), 'still locked while the failures are within the window')
  t.notOk(at(901_000).locked(), 'free once the first failures are older than the window')
  at(3000, 'bob').failure()
  at(3000, 'carol').failure()
  t.ok(at(3000, 'dave').locked(), 'five failures lock the address for every login')
  t.notOk(at(3000, 'dave', '192.0.2.9').locked())
  const one = at(4000, 'erin', '192.0.2.3')
  one.failure()
  t.equal(at(4000, 'erin', '192.0.2.3').counts().user, 1)
  one.success()
  t.same(
    at(4000, 'erin', '192.0.2.3').counts(),
    { user: 0, ip: 1 },
    'success resets the login, not the address',
  )
  for (let i = 0; i < 20; i++) at(5000, 'frank', '198.51.100.1').failure()
  t.equal(at(5000, 'frank', '198.51.100.1').delay(), 1000, 'the delay is capped')
})

t.test('stale files are swept', async (t) => {
  const dir = join(world().dir, 'state')
  const now = Date.now()
  new Throttle(opts(dir), Buffer.from('old'), '192.0.2.1', now).failure()
  utimesSync(join(dir, 'user-old'), new Date(now - 1000_000), new Date(now - 1000_000))
  utimesSync(join(dir, 'ip-192.0.2.1'), new Date(now - 1000_000), new Date(now - 1000_000))
  new Throttle(opts(dir, 1), Buffer.from('new'), '192.0.2.2', now).failure()
  t.same(readdirSync(dir).sort(), ['ip-192.0.2.2', 'user-new'])
})

t.test('concurrent failures are all counted; lock-out answers 1 without checking', async (t) => {
  const w = world()
  const users = w.file('users', `alice:${passHash}:${NOBODY}:${NOGROUP}::${w.home}:/bin/sh\n`)
  const state = join(w.dir, 'state')
  const env = {
    POPCHECKPW_STATE_DIR: state,
    POPCHECKPW_FAIL_DELAY: '0',
    POPCHECKPW_MAX_USER_FAILURES: '8',
    TCPREMOTEIP: '203.0.113.5',
  }
  const results = await Promise.all(
    Array.from({ length: 6 }, () =>
      run(['--users', users, 'true'], creds('alice', 'wrong'), { env }),
    ),
  )
  t.same(
    results.map((r) => r.code),
    [1, 1, 1, 1, 1, 1],
  )
  const lines = readFileSync(join(state, 'user-alice'), 'latin1')
    .split('\n')
    .filter((l) => l !== '')
  t.equal(lines.length, 6, 'six failures recorded')
  t.equal(
    readFileSync(join(state, 'ip-203.0.113.5'), 'latin1')
      .split('\n')
      .filter((l) => l !== '').length,
    6,
  )
  t.equal(
    (await run(['--users', users, 'true'], creds('alice', 'pass'), { env })).code,
    0,
    'under the limit the right password works',
  )
  t.notOk(readdirSync(state).includes('user-alice'), 'and resets the login')
  // The rest in-process, on the same state directory.
  const u = ['--users', users]
  for (let i = 0; i < 8; i++) await decide(u, 'alice', 'wrong', { env, ip: '203.0.113.5' })
  t.same(
    await decide(u, 'alice', 'pass', { env, ip: '203.0.113.5' }),
    {
      refused: 'locked out after repeated failures',
    },
    'locked out: even the right password fails',
  )
  t.same(
    await decide(u, 'alice', 'pass', { env, ip: '203.0.113.6' }),
    {
      refused: 'locked out after repeated failures',
    },
    'the login is locked from every address',
  )
  const locked = await run(['--users', users, 'true'], creds('alice', 'pass'), { env })
  t.equal(locked.code, 1, 'the program answers 1')
  t.match(locked.stderr, /locked out/)
})
