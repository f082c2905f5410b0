// Dovecot's {SCHEME} prefixes and plaintext forms, as a users file holds them.
import t from 'tap'
import { createHash } from 'node:crypto'
import { knownScheme, plaintextOf, splitStored, verifyStored } from '../src/stored.js'
import { vectors } from './fixtures/vectors.js'

const pw = Buffer.from('pässwörd', 'utf8')
const digest = (algo: string, ...parts: Buffer[]): Buffer => {
  const h = createHash(algo)
  for (const p of parts) h.update(p)
  return h.digest()
}
const salt = Buffer.from('0123abcd', 'latin1')

t.test('splitting', async (t) => {
  t.same(splitStored('{SHA512-CRYPT}$6$x$y'), {
    scheme: 'SHA512-CRYPT',
    encoding: null,
    value: '$6$x$y',
  })
  t.same(splitStored('{sha256.hex}abc'), { scheme: 'SHA256', encoding: 'hex', value: 'abc' })
  t.same(splitStored('{SSHA.b64}abc'), { scheme: 'SSHA', encoding: 'b64', value: 'abc' })
  t.same(splitStored('$y$j9T$abc'), { scheme: 'CRYPT', encoding: null, value: '$y$j9T$abc' })
  t.ok(knownScheme('BLF-CRYPT'))
  t.notOk(knownScheme('ARGON2ID'))
})

t.test('crypt schemes under their Dovecot names', async (t) => {
  const pick = (method: string): { password: Buffer; hash: string } =>
    vectors.find((v) => v.method === method && v.password.toString() === 'pass')!
  const cases: [string, string][] = [
    ['CRYPT', 'descrypt'],
    ['DES-CRYPT', 'descrypt'],
    ['MD5-CRYPT', 'md5crypt'],
    ['MD5', 'md5crypt'],
    ['SHA256-CRYPT', 'sha256crypt'],
    ['SHA512-CRYPT', 'sha512crypt'],
    ['BLF-CRYPT', 'bcrypt'],
    ['CRYPT', 'sha512crypt'],
  ]
  for (const [scheme, method] of cases) {
    const v = pick(method)
    t.ok(await verifyStored(v.password, `{${scheme}}${v.hash}`), `{${scheme}} ${method}`)
    t.notOk(
      await verifyStored(Buffer.from('Pass'), `{${scheme}}${v.hash}`),
      `{${scheme}} ${method} wrong`,
    )
    t.ok(await verifyStored(v.password, v.hash), `bare ${method}`)
  }
})

t.test('plaintext', async (t) => {
  for (const s of ['PLAIN', 'CLEARTEXT', 'plain']) {
    t.ok(await verifyStored(pw, `{${s}}pässwörd`.replace('pässwörd', pw.toString('latin1'))), s)
    t.notOk(
      await verifyStored(Buffer.from('pässwör', 'utf8'), `{${s}}${pw.toString('latin1')}`),
      `${s}: a prefix is wrong`,
    )
    t.notOk(
      await verifyStored(Buffer.concat([pw, Buffer.from('x')]), `{${s}}${pw.toString('latin1')}`),
      `${s}: longer is wrong`,
    )
  }
  t.same(plaintextOf('{PLAIN}abc'), Buffer.from('abc'))
  t.equal(plaintextOf('{SHA256}abc'), null)
  t.equal(plaintextOf('abc'), null, 'a bare value is a crypt hash, not plaintext')
})

t.test('digest schemes, base64 and hex, salted and not', async (t) => {
  const cases: [string, string][] = [
    ['SHA', digest('sha1', pw).toString('base64')],
    ['SHA1', digest('sha1', pw).toString('base64')],
    ['SHA256', digest('sha256', pw).toString('base64')],
    ['SHA512', digest('sha512', pw).toString('base64')],
    ['SHA256.HEX', digest('sha256', pw).toString('hex')],
    ['SHA512.hex', digest('sha512', pw).toString('hex').toUpperCase()],
    ['SHA256', digest('sha256', pw).toString('hex')],
    ['SSHA', Buffer.concat([digest('sha1', pw, salt), salt]).toString('base64')],
    ['SSHA256', Buffer.concat([digest('sha256', pw, salt), salt]).toString('base64')],
    ['SSHA512', Buffer.concat([digest('sha512', pw, salt), salt]).toString('base64')],
    ['SSHA512.HEX', Buffer.concat([digest('sha512', pw, salt), salt]).toString('hex')],
    ['PLAIN-MD5', digest('md5', pw).toString('hex')],
    ['LDAP-MD5', digest('md5', pw).toString('base64')],
    ['SMD5', Buffer.concat([digest('md5', pw, salt), salt]).toString('base64')],
  ]
  for (const [scheme, value] of cases) {
    t.ok(await verifyStored(pw, `{${scheme}}${value}`), scheme)
    t.notOk(await verifyStored(Buffer.from('password'), `{${scheme}}${value}`), `${scheme} wrong`)
  }
  t.notOk(
    await verifyStored(
      pw,
      `{SHA256}${Buffer.concat([digest('sha256', pw), salt]).toString('base64')}`,
    ),
    'an unsalted scheme with extra bytes',
  )
  t.notOk(await verifyStored(pw, '{SSHA256}c2hvcnQ='), 'a value shorter than the digest')
})

t.test('unknown schemes fail', async (t) => {
  for (const s of [
    '{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$abc$def',
    '{CRAM-MD5}abc',
    '{}abc',
    '{PLAIN',
  ])
    t.notOk(await verifyStored(Buffer.from('abc'), s), s)
})
