// Strict base64 on bytes and the PLAIN message.
import t from 'tap'
import fc from 'fast-check'
import { decodeBase64, encodeBase64, parsePlain } from '../src/sasl.js'

const dec = (s: string): string | null =>
  decodeBase64(Buffer.from(s, 'latin1'))?.toString('latin1') ?? null

t.test('decodes what Node encodes, for any bytes', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const b = Buffer.from(bytes)
      return decodeBase64(Buffer.from(b.toString('base64'), 'latin1'))?.equals(b) === true
    }),
  )
  t.equal(dec(''), '')
  t.equal(dec('AGJvYgBwdw=='), '\0bob\0pw')
  t.equal(encodeBase64('Username:'), 'VXNlcm5hbWU6')
})

t.test('refuses anything but canonical base64', async (t) => {
  for (const bad of ['A', 'AB=', 'AB=C', '=ABC', 'AB==AB==', 'YWJj ', 'YW*j', 'YWJj\n', 'YQ==='])
    t.equal(dec(bad), null, JSON.stringify(bad))
})

t.test('PLAIN: three fields, a non-empty authentication identity', async (t) => {
  const p = parsePlain(Buffer.from('zid\0cid\0pw d', 'latin1'))
  t.same(p && [p.authzid, p.authcid, p.passwd].map((b) => b.toString('latin1')), [
    'zid',
    'cid',
    'pw d',
  ])
  t.same(parsePlain(Buffer.from('\0cid\0', 'latin1'))?.passwd.length, 0)
  for (const bad of ['cid\0pw', '\0\0pw', 'a\0b\0c\0d', 'nothing'])
    t.equal(parsePlain(Buffer.from(bad, 'latin1')), null, JSON.stringify(bad))
})
