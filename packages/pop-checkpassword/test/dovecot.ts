// Stored passwords written by Dovecot's own `doveadm pw` (dovecot-vectors.json), as a moved users file holds them.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { verifyStored } from '../src/stored.js'
import { outcome } from './fixtures/login.js'
import { wrong } from './fixtures/vectors.js'
import { NOBODY, NOGROUP, world } from './fixtures/world.js'

const raw = JSON.parse(
  readFileSync(new URL('fixtures/dovecot-vectors.json', import.meta.url), 'utf8'),
) as {
  vectors: { scheme: string; password: string; stored: string }[]
}
// The users file is bytes, read as latin1: the stored value as pop-checkpassword sees it.
const vectors = raw.vectors.map((v) => ({
  scheme: v.scheme,
  password: Buffer.from(v.password, 'hex'),
  stored: Buffer.from(v.stored, 'hex').toString('latin1'),
}))

for (const scheme of [...new Set(vectors.map((v) => v.scheme))]) {
  t.test(scheme, async (t) => {
    for (const v of vectors.filter((v) => v.scheme === scheme)) {
      t.ok(await verifyStored(v.password, v.stored), `right: ${v.password.length} bytes`)
      t.notOk(await verifyStored(wrong(v.password), v.stored), `wrong: ${v.password.length} bytes`)
    }
  })
}

t.test('a users file of doveadm lines', async (t) => {
  const w = world()
  const pass = vectors.filter((v) => v.password.toString() === 'pass')
  const lines = pass.map(
    (v, i) => `u${i}:${v.stored}:${NOBODY}:${NOGROUP}::${w.home}::userdb_x=y\n`,
  )
  const users = w.file('users', lines.join(''))
  for (let i = 0; i < pass.length; i++) {
    t.equal(await outcome(['--users', users], `u${i}`, 'pass'), `ok: u${i}`, pass[i]!.scheme)
    t.equal(
      await outcome(['--users', users], `u${i}`, 'Pass'),
      'refused: wrong password',
      pass[i]!.scheme,
    )
  }
})
