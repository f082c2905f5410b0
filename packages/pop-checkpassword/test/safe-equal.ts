// safeEqual: equal bytes only, whatever the lengths, the position of a difference or the input types.
import t from 'tap'
import fc from 'fast-check'
import { safeEqual } from '../src/safe-equal.js'

t.test('equal and unequal secrets', async (t) => {
  t.equal(safeEqual('', ''), true)
  t.equal(safeEqual('$6$salt$abc', '$6$salt$abc'), true)
  t.equal(safeEqual(Buffer.from('secret'), 'secret'), true)
  t.equal(safeEqual('', 'a'), false)
  t.equal(safeEqual('a', ''), false)
  t.equal(safeEqual('secret', 'secreT'), false)
  t.equal(safeEqual('secret', 'secret\0'), false, 'a trailing NUL is a difference')
  t.equal(safeEqual(Buffer.from([0]), Buffer.alloc(0)), false)
  t.equal(safeEqual('\u00e9', Buffer.from([0xc3, 0xa9])), true, 'strings compare as UTF-8')
})

t.test('a difference at any position, across the 64-byte steps', async (t) => {
  for (const len of [1, 63, 64, 65, 128, 200]) {
    const a = Buffer.alloc(len, 0x61)
    t.equal(safeEqual(a, Buffer.from(a)), true, `${len} equal`)
    for (let i = 0; i < len; i++) {
      const b = Buffer.from(a)
      b[i] = 0x62
      if (safeEqual(a, b)) t.fail(`${len} bytes, differing at ${i}, compared equal`)
    }
    t.equal(safeEqual(a, a.subarray(0, len - 1)), false, `${len}: a prefix`)
    t.equal(safeEqual(a, Buffer.concat([a, Buffer.alloc(64)])), false, `${len}: zero padded`)
  }
})

t.test('agrees with Buffer.equals', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 150 }), (x, y) => {
      const a = Buffer.from(x)
      const b = Buffer.from(y)
      return safeEqual(a, b) === a.equals(b) && safeEqual(a, Buffer.from(a)) === true
    }),
  )
  t.pass('fast-check found no counterexample')
})
