// checkSecret: unknown and unusable accounts cost a dummy check and always fail.
import t from 'tap'
import { checkSecret } from '../src/verify.js'
import { passHash } from './fixtures/vectors.js'

const c = (secret: string) => ({
  login: Buffer.from('u'),
  secret: Buffer.from(secret),
  timestamp: Buffer.from('<1@x>'),
})

t.test('the dummy is checked, and never opens anything', async (t) => {
  let calls = 0
  const dummy = (): string => {
    calls++
    return passHash
  }
  t.notOk(await checkSecret(null, dummy, c('pass'), null), 'unknown login with the dummy password')
  t.equal(calls, 1)
  for (const stored of ['', '*', '!', '{ARGON2ID}x', '$7$abc', 'x'])
    t.notOk(
      await checkSecret({ stored }, dummy, c(stored === '' ? '' : 'pass'), null),
      `stored ${JSON.stringify(stored)}`,
    )
  t.equal(calls, 7, 'each unusable stored password was replaced by the dummy')
  t.ok(await checkSecret({ stored: passHash }, dummy, c('pass'), null), 'a real hash')
  t.ok(
    await checkSecret({ stored: '!' + passHash }, dummy, c('pass'), null),
    'a locked hash is checked without its mark (the caller refuses it)',
  )
  t.equal(calls, 7, 'a usable hash needs no dummy')
})
