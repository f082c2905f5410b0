// pwxform's 64-bit multiply and add in JavaScript is exact for all 32-bit words.
import fc from 'fast-check'
import t from 'tap'
import { mulAdd } from '../src/yescrypt-blockmix.js'

const u32 = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
)

t.test('mulAdd is the 64-bit (high * low + S) of BigInt arithmetic', async (t) => {
  fc.assert(
    fc.property(u32, u32, u32, u32, (xl, xh, sl, sh) => {
      const B = new Uint32Array([7, xl, xh, 9])
      const S = new Uint32Array([5, sl, sh])
      mulAdd(B, 1, S, 1)
      const want = (BigInt(xh) * BigInt(xl) + ((BigInt(sh) << 32n) | BigInt(sl))) % 2n ** 64n
      return (
        BigInt(B[1]!) === want % 2n ** 32n &&
        BigInt(B[2]!) === want >> 32n &&
        B[0] === 7 &&
        B[3] === 9
      )
    }),
    { numRuns: 20000 },
  )
  t.pass('20000 cases')
})
