// yescrypt against libxcrypt's own hashes (test/fixtures/yescrypt-vectors.sh made them with mkpasswd).
import t from 'tap'
import { settings, vectors } from './fixtures/yescrypt-vectors.js'
import { encodeUint32 } from '../src/yescrypt-base64.js'
import { yescryptHash, yescryptVerify } from '../src/yescrypt.js'

/** The hash with the character at `at` (negative: from the end) replaced by another valid one. */
const alter = (hash: string, at: number): string => {
  const i = at < 0 ? hash.length + at : at
  return hash.slice(0, i) + (hash[i] === 'a' ? 'b' : 'a') + hash.slice(i + 1)
}

t.test('every mkpasswd vector verifies and hashes back to itself', async (t) => {
  t.ok(vectors.length >= 25)
  for (const { password, hash, note } of vectors) {
    const pw = Buffer.from(password, 'hex')
    t.equal(yescryptVerify(pw, hash), true, `verify: ${note}`)
    t.equal(yescryptHash(pw, hash), hash, `hash: ${note}`)
  }
})

t.test('the setting alone (no hash part) gives the same hash', async (t) => {
  for (const { password, hash, note } of vectors.filter((v) => v.note.startsWith('-R 1'))) {
    const setting = hash.slice(0, hash.lastIndexOf('$'))
    t.equal(yescryptHash(Buffer.from(password, 'hex'), setting), hash, note)
    t.equal(yescryptHash(Buffer.from(password, 'hex'), setting + '$'), hash, note)
  }
})

// The RW vectors that cost little; classic scrypt and WORM ($y$.8T$, $y$/8T$) run in JavaScript.
const cheap = vectors.filter((v) => /^\$y\$(j75|j7T|j8T)\$/.test(v.hash))
const slow = vectors.filter((v) => /^\$y\$(\.8T|\/8T)\$/.test(v.hash))

t.test('a wrong password fails', async (t) => {
  t.ok(cheap.length >= 5)
  for (const { password, hash, note } of cheap) {
    const pw = Buffer.from(password, 'hex')
    t.equal(yescryptVerify(Buffer.concat([pw, Buffer.from('x')]), hash), false, `longer: ${note}`)
    if (pw.length) {
      t.equal(yescryptVerify(pw.subarray(1), hash), false, `shorter: ${note}`)
      const flipped = Buffer.from(pw)
      flipped[0]! ^= 0x80
      t.equal(yescryptVerify(flipped, hash), false, `high bit: ${note}`)
    }
  }
})

t.test('a wrong password fails for classic scrypt and WORM', async (t) => {
  t.equal(slow.length, 2)
  for (const { password, hash, note } of slow) {
    const pw = Buffer.concat([Buffer.from(password, 'hex'), Buffer.from('x')])
    t.equal(yescryptVerify(pw, hash), false, note)
  }
})

t.test('an altered hash fails', async (t) => {
  for (const { password, hash, note } of cheap) {
    const pw = Buffer.from(password, 'hex')
    t.equal(yescryptVerify(pw, alter(hash, -2)), false, `hash part: ${note}`)
    t.equal(yescryptVerify(pw, hash.slice(0, -1)), false, `truncated: ${note}`)
    t.equal(yescryptVerify(pw, hash + 'a'), false, `extended: ${note}`)
    const salt = hash.indexOf('$', 3) + 1
    if (hash[salt] !== '$') t.equal(yescryptVerify(pw, alter(hash, salt)), false, `salt: ${note}`)
    t.equal(yescryptVerify(pw, alter(hash, 5)), false, `parameters: ${note}`)
  }
})

t.test('malformed and unsupported hashes are false, never thrown', async (t) => {
  const pw = Buffer.from('x')
  const h = yescryptHash(pw, '$y$j75$abcdefgh')
  const d = h.slice(h.lastIndexOf('$'))
  t.equal(yescryptVerify(pw, h), true)
  const bad = [
    '',
    '$',
    '$y$',
    '$y$j',
    '$y$j7',
    '$y$j75',
    '$y$j75$',
    '$y$j75$abcdefgh',
    '$y$j75$abcdefgh$',
    `$7$j75$abcdefgh${d}`,
    `$Y$j75$abcdefgh${d}`,
    `y$j75$abcdefgh${d}`,
    `$y$!75$abcdefgh${d}`,
    `$y$i75$abcdefgh${d}`, // an undefined pwxform flavour
    `$y$zzzzzz75$abcdefgh${d}`,
    `$y$j.5$abcdefgh${d}`, // N = 2: N/p too small
    `$y$jz5$abcdefgh${d}`, // N log2 cut short
    `$y$jZT$abcdefgh${d}`, // 2^38 blocks: too much memory
    `$y$j7z$abcdefgh${d}`,
    `$y$j75A.$abcdefgh${d}`, // have = 13: p, g and NROM bits
    `$y$j751.$abcdefgh${d}`, // g: hash upgrades
    `$y$j757.$abcdefgh${d}`, // NROM: a ROM
    `$y$.75/.$abcdefgh${d}`, // t with classic scrypt
    `$y$j75.$abcdefgh${d}`, // p bit but no p
    `$y$j75$abc${d}`, // salt with unused bits set
    `$y$j75$a${d}`, // a lone salt character
    `$y$j75$ab:d${d}`,
    `$y$j75$abcd$efgh${d}`,
    '$y$j75$' + 'a'.repeat(88) + `${d}`, // over 64 bytes
    h + '\n',
    h + '\0',
    '\0' + h,
    h.replace('c', '\u0163'),
    h + 'x'.repeat(300),
    `$y$j75/${encodeUint32(2 ** 21, 1)}$abcdefgh${d}`, // t: loop counts past 2^31
    `$y$jFT.${encodeUint32(100000, 2)}$abcdefgh${d}`, // p: S-boxes past the memory limit
    `$y$j75.${encodeUint32(1024, 2)}$abcdefgh${d}`, // p = N: N/p too small
    `$y$j/...$abcdefgh${d}`, // N = 4, p = 2: libxcrypt wants N/p of 4 or more
    `$y$/./$abcdefgh${d}`, // WORM with N = 2: libxcrypt wants N of 4 or more
  ]
  for (const s of bad) t.equal(yescryptVerify(pw, s), false, JSON.stringify(s))
  t.throws(() => yescryptHash(pw, '$y$jZT$abcdefgh'), RangeError)
  t.throws(() => yescryptHash(pw, 'nonsense'), RangeError)
})

t.test('settings are computed or refused as libxcrypt does', async (t) => {
  t.ok(settings.length >= 50)
  const pw = Buffer.from('pw')
  for (const { setting, hash } of settings) {
    if (hash) {
      t.equal(yescryptHash(pw, setting), hash, setting)
      t.equal(yescryptVerify(pw, hash), true, hash)
    } else t.throws(() => yescryptHash(pw, setting), RangeError, setting)
  }
})
