// The checkpassword interface through the built program: fd 3 as socket, FIFO and file; sizes; every exit code.
import t from 'tap'
import { creds, run, type Fd3 } from './fixtures/run.js'
import { NOBODY, passHash, world } from './fixtures/world.js'

const w = world()
const users = w.file('users', `alice:${passHash}:${NOBODY}:${NOBODY}::${w.home}:/bin/sh\n`)
const env = { NODE: process.execPath }
const ok = ['--users', users, 'sh', '-c', 'echo "in $(pwd) as $(id -u)"; exit 7']

for (const fd3 of ['socket', 'fifo', 'file'] as Fd3[]) {
  t.test(`fd 3 as a ${fd3}`, async (t) => {
    const good = await run(ok, creds('alice', 'pass'), { fd3, env })
    t.equal(good.code, 7, 'PROG ran; its status is ours')
    t.equal(good.stdout, `in ${w.home} as ${NOBODY}\n`)
    t.equal((await run(ok, creds('alice', 'wrong'), { fd3, env })).code, 1, 'wrong password: 1')
    t.equal((await run(ok, Buffer.alloc(600, 'a'), { fd3, env })).code, 2, 'over 512 bytes: 2')
  })
}

t.test('malformed data', async (t) => {
  for (const [data, why] of [
    ['alice\0pass', 'one NUL'],
    ['', 'empty'],
    ['alice', 'no NUL'],
  ] as const) {
    const r = await run(ok, Buffer.from(data), { env })
    t.equal(r.code, 2, `${why}: 2`)
    t.match(r.stderr, /malformed/)
  }
})

t.test('sizes', async (t) => {
  // 512 bytes exactly is allowed: the secret is padded, so it is wrong, but it is read: 1, not 2.
  const at512 = creds('alice', 'x'.repeat(512 - 'alice'.length - 3 - '<1@t>'.length), '<1@t>')
  t.equal(at512.length, 512)
  t.equal((await run(ok, at512, { env })).code, 1, '512 bytes: read, wrong password')
  const r513 = await run(ok, Buffer.concat([at512, Buffer.from('x')]), { env })
  t.equal(r513.code, 2, '513 bytes: misuse')
  t.match(r513.stderr, /more than 512 bytes/)
  t.equal(
    (await run(ok, Buffer.from('alice\0pass\0'), { env })).code,
    7,
    'no timestamp field at all is accepted',
  )
  t.equal(
    (await run(ok, Buffer.from('alice\0pass\0<1@t>\0more\0fields'), { env })).code,
    7,
    'fields after the timestamp are ignored',
  )
})

t.test('misuse and temporary failures', async (t) => {
  const none = await run(ok, null, { fd3: 'none', env })
  t.equal(none.code, 2, 'fd 3 not open: 2')
  t.match(none.stderr, /fd 3 is not open/)
  t.equal((await run(['--users', users], creds('alice', 'pass'), { env })).code, 2, 'no PROG: 2')
  t.equal(
    (await run(['--no-such-option', 'x'], creds('alice', 'pass'), { env })).code,
    2,
    'unknown option: 2',
  )
  const missing = await run(['--users', w.dir + '/nonexistent', 'true'], creds('alice', 'pass'), {
    env,
  })
  t.equal(missing.code, 111, 'unreadable users file: 111')
  t.match(missing.stderr, /cannot read .*nonexistent: ENOENT/)
  const noprog = await run(['--users', users, '/nonexistent/prog'], creds('alice', 'pass'), { env })
  t.equal(noprog.code, 111, 'PROG that cannot run: 111')
  const bad = await run(['--min-uid', 'lots', 'true'], creds('alice', 'pass'), { env })
  t.equal(bad.code, 2, 'a bad option value: 2')
})

t.test('options from the environment', async (t) => {
  const r = await run(['sh', '-c', 'exit 5'], creds('alice', 'pass'), {
    env: { ...env, POPCHECKPW_USERS: users },
  })
  t.equal(r.code, 5, 'POPCHECKPW_USERS chooses the users file')
})

t.test('bad login names are refused, not crashed on', async (t) => {
  // accounts.ts checks every refused name; a few go through the program here.
  for (const name of ['', '../alice', 'al\nice', '#alice']) {
    const r = await run(ok, creds(name, 'pass'), { env })
    t.equal(r.code, 1, JSON.stringify(name.slice(0, 20)))
    t.notMatch(r.stderr, /fatal/)
  }
})
