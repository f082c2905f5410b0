// APOP: the secret is MD5(timestamp + shared secret); only a plaintext-equivalent secret can check it.
import t from 'tap'
import { createHash } from 'node:crypto'
import { apopMatches, looksLikeApop } from '../src/apop.js'
import { outcome } from './fixtures/login.js'
import { creds, run } from './fixtures/run.js'
import { NOBODY, NOGROUP, passHash, world } from './fixtures/world.js'

// RFC 1939 section 7's example.
const TS = '<1896.697170952@dbc.mtview.ca.us>'
const DIGEST = 'c4c9334bac560ecc979e58001b3e22fb'

t.test('the RFC 1939 example', async (t) => {
  t.ok(looksLikeApop(Buffer.from(DIGEST), Buffer.from(TS)))
  t.ok(apopMatches(Buffer.from(DIGEST), Buffer.from(TS), Buffer.from('tanstaaf')))
  t.ok(
    apopMatches(Buffer.from(DIGEST.toUpperCase()), Buffer.from(TS), Buffer.from('tanstaaf')),
    'upper-case hex',
  )
  t.notOk(
    apopMatches(Buffer.from(DIGEST), Buffer.from('<1@x>'), Buffer.from('tanstaaf')),
    'another timestamp',
  )
  t.notOk(looksLikeApop(Buffer.from(DIGEST.slice(1)), Buffer.from(TS)), '31 digits')
  t.notOk(looksLikeApop(Buffer.from(DIGEST), Buffer.from('')), 'no timestamp')
})

t.test('through the login decision', async (t) => {
  const w = world()
  const line = (name: string, stored: string): string =>
    `${name}:${stored}:${NOBODY}:${NOGROUP}::${w.home}:/bin/sh\n`
  const hexPassword = createHash('md5').update('x').digest('hex')
  const users = w.file(
    'users',
    line('mrose', '{PLAIN}tanstaaf') +
      line('crypted', passHash) +
      line('hexpw', `{PLAIN}${hexPassword}`),
  )
  const secrets = w.file('apop', 'crypted:{PLAIN}tanstaaf\nmrose:{PLAIN}other\n')
  const code = async (args: string[], name: string, secret: string, ts = TS): Promise<number> =>
    (await outcome(args, name, secret, { ts })).startsWith('ok') ? 0 : 1
  const u = ['--users', users]
  t.equal(await code(u, 'mrose', DIGEST), 0, 'APOP with a {PLAIN} secret')
  t.equal(await code(u, 'mrose', 'tanstaaf'), 0, 'and USER/PASS with it')
  t.equal(await code(u, 'mrose', DIGEST, '<2@x>'), 1, 'another timestamp')
  t.equal(await code(u, 'mrose', 'f'.repeat(32)), 1, 'a wrong digest')
  t.equal(await code(u, 'crypted', DIGEST), 1, 'a crypt hash cannot check APOP')
  t.equal(
    await code(u, 'hexpw', hexPassword),
    0,
    'a password that looks like a digest still works as a password',
  )
  t.equal(await code(u, 'nosuch', DIGEST), 1)
  const s = [...u, '--apop-secrets', secrets]
  t.equal(await code(s, 'crypted', DIGEST), 0, 'the secrets file supplies the APOP secret')
  t.equal(await code(s, 'crypted', 'pass'), 0, 'the password still works')
  t.equal(await code(s, 'mrose', DIGEST), 1, 'the secrets file wins over the users file for APOP')
  t.equal(await code(s, 'mrose', 'tanstaaf'), 0, '... not for the password')
})

t.test('through the program', async (t) => {
  const w = world()
  const users = w.file('users', `mrose:{PLAIN}tanstaaf:${NOBODY}:${NOGROUP}::${w.home}:/bin/sh\n`)
  t.equal((await run(['--users', users, 'true'], creds('mrose', DIGEST, TS))).code, 0)
  t.equal((await run(['--users', users, 'true'], creds('mrose', DIGEST, '<2@x>'))).code, 1)
})
