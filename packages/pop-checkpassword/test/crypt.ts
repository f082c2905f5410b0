// Every crypt(3) scheme against mkpasswd's vectors: right passwords pass, wrong ones fail, truncation as libxcrypt does.
import t from 'tap'
import { cryptKind, verifyCrypt } from '../src/crypt.js'
import { md5Crypt } from '../src/md5-crypt.js'
import { shaCrypt } from '../src/sha-crypt.js'
import { unsupported, vectors, wrong } from './fixtures/vectors.js'

// yescrypt's vectors are in crypt-yescrypt.ts: they are slow, and tap runs files in parallel.
const methods = [
  ...new Set(
    vectors.filter((v) => v.method !== 'yescrypt').map((v) => `${v.method} ${v.opts}`.trim()),
  ),
]
for (const m of methods) {
  t.test(m, async (t) => {
    for (const v of vectors.filter((v) => `${v.method} ${v.opts}`.trim() === m)) {
      const label = `${v.password.length} bytes ${v.password.toString('latin1').slice(0, 12)}`
      t.equal(await verifyCrypt(v.password, v.hash), true, `right: ${label}`)
      t.equal(await verifyCrypt(wrong(v.password), v.hash), false, `wrong: ${label}`)
    }
  })
}

t.test('the full strings come out exactly as libxcrypt writes them', async (t) => {
  for (const v of vectors.filter((v) => /^\$[156]\$/.test(v.hash)))
    t.equal(
      v.hash.startsWith('$1$') ? md5Crypt(v.password, v.hash) : shaCrypt(v.password, v.hash),
      v.hash,
    )
})

t.test('truncation: DES uses 8 bytes, bcrypt 72', async (t) => {
  const des = vectors.find((v) => v.method === 'descrypt' && v.password.length === 100)!
  t.ok(await verifyCrypt(Buffer.from('e'.repeat(8)), des.hash), 'DES: the first 8 bytes are enough')
  t.notOk(await verifyCrypt(Buffer.from('e'.repeat(7)), des.hash), 'DES: 7 are not')
  const bf = vectors.find((v) => v.method === 'bcrypt' && v.password.length === 100)!
  t.ok(
    await verifyCrypt(Buffer.from('e'.repeat(72)), bf.hash),
    'bcrypt: the first 72 bytes are enough',
  )
  t.notOk(await verifyCrypt(Buffer.from('e'.repeat(71)), bf.hash), 'bcrypt: 71 are not')
  const sha = vectors.find((v) => v.method === 'sha512crypt' && v.password.length === 100)!
  t.notOk(await verifyCrypt(Buffer.from('e'.repeat(72)), sha.hash), 'SHA-512 crypt uses every byte')
})

t.test('$2y$ is bcrypt as $2b$', async (t) => {
  const bf = vectors.find((v) => v.method === 'bcrypt' && v.password.toString() === 'pass')!
  t.ok(await verifyCrypt(bf.password, bf.hash.replace('$2b$', '$2y$')))
  t.ok(await verifyCrypt(bf.password, bf.hash.replace('$2b$', '$2a$')))
})

t.test('schemes popchain cannot check are refused, not crashed on', async (t) => {
  t.ok(unsupported.length >= 3)
  for (const v of unsupported) {
    t.equal(cryptKind(v.hash), null, v.method)
    t.equal(await verifyCrypt(v.password, v.hash), false, v.method)
  }
  for (const junk of [
    '',
    '*',
    '!',
    '!!',
    'x',
    '$6$',
    '$6$rounds=$',
    '$1$',
    '$2b$04$short',
    '$y$',
    '$y$j9T$',
    '$9$abc',
  ])
    t.equal(await verifyCrypt(Buffer.from('pass'), junk), false, JSON.stringify(junk))
})

t.test('SHA crypt rounds are clamped to the spec range', async (t) => {
  const low = shaCrypt(Buffer.from('pass'), '$5$rounds=10$saltsalt$')
  t.match(low, /^\$5\$rounds=1000\$saltsalt\$/)
  t.equal(
    shaCrypt(Buffer.from('pass'), '$6$saltsaltsaltsaltsalt$'),
    shaCrypt(Buffer.from('pass'), '$6$saltsaltsaltsalt$'),
    '16 salt bytes at most',
  )
})

t.test('$2a$ keeps crypt_blowfish safety mark apart from $2b$', async (t) => {
  const pw = Buffer.from([0xff, 0x80, 0x61])
  const a = vectors.find((v) => v.method === 'bcrypt-a' && v.password.equals(pw))!
  t.ok(await verifyCrypt(pw, a.hash))
  t.notOk(
    await verifyCrypt(pw, a.hash.replace('$2a$', '$2b$')),
    'the same setting as $2b$ gives another hash',
  )
})
