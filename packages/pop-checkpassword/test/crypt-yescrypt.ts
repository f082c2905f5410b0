// yescrypt ($y$) hashes from mkpasswd through the scheme dispatch, bare and with Dovecot's {CRYPT}.
import t from 'tap'
import { verifyCrypt } from '../src/crypt.js'
import { verifyStored } from '../src/stored.js'
import { vectors, wrong } from './fixtures/vectors.js'

const ys = vectors.filter((v) => v.method === 'yescrypt')

t.test('every yescrypt vector', async (t) => {
  t.ok(ys.length >= 4)
  for (const v of ys)
    t.ok(
      await verifyCrypt(v.password, v.hash),
      `${v.opts || 'default'}: ${v.password.length} bytes`,
    )
})

t.test('wrong passwords and the {CRYPT} prefix', async (t) => {
  const v = ys[0]!
  t.notOk(await verifyCrypt(wrong(v.password), v.hash))
  t.ok(await verifyStored(v.password, `{CRYPT}${v.hash}`))
  t.notOk(
    await verifyCrypt(v.password, v.hash.slice(0, -1) + (v.hash.endsWith('A') ? 'B' : 'A')),
    'a changed hash',
  )
})
