// The checkpassword fd-3 data: encoding, the 512-byte limit, parsing.
import t from 'tap'
import { encodeCreds, parseCreds, CREDS_MAX } from '../src/creds.js'
import { ExitError } from '../src/exit-codes.js'

t.test('round trip', async (t) => {
  const data = encodeCreds(Buffer.from('user'), Buffer.from('secret'), Buffer.from('<1.2@host>'))
  t.equal(data?.toString('latin1'), 'user\0secret\0<1.2@host>\0')
  const c = parseCreds(data!)
  t.same(
    [c.login.toString(), c.secret.toString(), c.timestamp.toString()],
    ['user', 'secret', '<1.2@host>'],
  )
})

t.test('at most 512 bytes', async (t) => {
  const at = (n: number) => encodeCreds(Buffer.from('u'), Buffer.alloc(n, 0x61), Buffer.from('t'))
  t.equal(at(CREDS_MAX - 5)?.length, 512)
  t.equal(at(CREDS_MAX - 4), null)
})

t.test('an empty timestamp, and bytes after the third NUL, are allowed', async (t) => {
  t.equal(parseCreds(Buffer.from('u\0p\0')).timestamp.length, 0)
  t.equal(parseCreds(Buffer.from('u\0p\0ts\0extra')).timestamp.toString(), 'ts')
  t.equal(parseCreds(Buffer.from('u\0p\0ts')).timestamp.toString(), 'ts')
})

t.test('malformed data is misuse, exit 2', async (t) => {
  for (const bad of ['', 'user', 'user\0secret']) {
    t.throws(() => parseCreds(Buffer.from(bad)), { code: 2, constructor: ExitError })
  }
})
