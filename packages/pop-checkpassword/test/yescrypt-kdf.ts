// The yescrypt KDF's JavaScript path (used where WebAssembly is not) against the vectors and the WebAssembly path.
import t from 'tap'
import { vectors } from './fixtures/yescrypt-vectors.js'
import { decode64 } from '../src/yescrypt-base64.js'
import { yescryptKdf, YESCRYPT_DEFAULTS, type YescryptParams } from '../src/yescrypt-kdf.js'

t.test('the JavaScript path reproduces libxcrypt', async (t) => {
  // -R 1 ($y$j75$: N = 1024, r = 8) and the smallest ($y$j/.$: N = 4, r = 1).
  const cases: [string, YescryptParams][] = [
    ['-R 1', { flags: YESCRYPT_DEFAULTS, N: 1024, r: 8, p: 1, t: 0 }],
    ['N=4, r=1', { flags: YESCRYPT_DEFAULTS, N: 4, r: 1, p: 1, t: 0 }],
  ]
  for (const [note, params] of cases) {
    const v = vectors.find((v) => v.note === note)!
    const [, , , saltText, hashText] = v.hash.split('$') as [string, string, string, string, string]
    const want = Buffer.from(decode64(hashText, 32)!)
    const got = yescryptKdf(Buffer.from(v.password, 'hex'), decode64(saltText, 64)!, params, false)
    t.same(got, want, note)
  }
})

t.test('both paths agree on p, t and prehash variants', async (t) => {
  const salt = Buffer.from('0123456789abcdef')
  const variants: YescryptParams[] = [
    { flags: YESCRYPT_DEFAULTS, N: 256, r: 2, p: 2, t: 0 },
    { flags: YESCRYPT_DEFAULTS, N: 256, r: 1, p: 3, t: 1 },
    { flags: YESCRYPT_DEFAULTS, N: 512, r: 1, p: 1, t: 3 },
    { flags: YESCRYPT_DEFAULTS, N: 1024, r: 128, p: 1, t: 0 }, // N * r = 0x20000: prehash
  ]
  for (const params of variants) {
    const pw = Buffer.from(`pw ${JSON.stringify(params)}`)
    const js = yescryptKdf(pw, salt, params, false)
    t.same(yescryptKdf(pw, salt, params, true), js, JSON.stringify(params))
  }
})
