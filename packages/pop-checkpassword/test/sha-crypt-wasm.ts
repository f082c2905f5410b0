// The SHA crypt WebAssembly: the carried bytes are the assembled ones, its SHA-256 and SHA-512 are
// node:crypto's, and SHA crypt through it is byte for byte what node:crypto and libxcrypt make.
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { needTool } from '../../pop-lib/test/fixtures/harness.js'
import { shaCrypt } from '../src/sha-crypt.js'
import { nodeSha } from '../src/sha-crypt-engine.js'
import { assemble } from '../src/sha-crypt-wasm-asm.js'
import { SHA256_WASM, SHA512_WASM, wasmSha } from '../src/sha-crypt-wasm.js'
import { KS, MAX_PASSWORD } from '../src/sha-crypt-wasm-layout.js'

const sizes = [32, 64] as const
const wasm = (size: 32 | 64) => {
  const e = wasmSha(size)
  if (e === null) throw new Error('no WebAssembly engine')
  return e
}

t.test('the carried modules are the assembled ones', async (t) => {
  for (const [bits, carried] of [
    [256, SHA256_WASM],
    [512, SHA512_WASM],
  ] as const) {
    const fresh = Buffer.from(assemble(bits)).toString('base64')
    if (fresh !== carried) {
      const lines = fresh.match(/.{1,96}/g)!.map((l) => `  '${l}',`)
      t.comment(`update SHA${bits}_WASM in src/sha-crypt-wasm.ts to:\n${lines.join('\n')}`)
    }
    t.equal(fresh, carried, `SHA-${bits}`)
  }
})

t.test('digests are node:crypto digests at every length around the block edges', async (t) => {
  for (const size of sizes) {
    const e = wasm(size)
    const algo = size === 32 ? 'sha256' : 'sha512'
    let bad = 0
    for (let n = 0; n <= 300; n++) {
      const data = randomBytes(n)
      // In parts, as SHA crypt hands them over.
      const parts = [data.subarray(0, n >> 2), data.subarray(n >> 2, n - 3), data.subarray(n - 3)]
      const want = createHash(algo).update(data).digest()
      if (!e.hash(n < 3 ? [data] : parts).equals(want)) bad++
    }
    t.equal(bad, 0, `${algo}: lengths 0 to 300`)
    const big = randomBytes(200_000)
    t.same(e.hash([big]), createHash(algo).update(big).digest(), `${algo}: 200,000 bytes`)
  }
})

// Drepper's test vectors (akkadia.org/drepper/SHA-crypt.txt), as libxcrypt also has them.
const SPEC: [string, string, string][] = [
  ['$5$saltstring', 'Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
  [
    '$5$rounds=5000$saltstring',
    'Hello world!',
    '$5$rounds=5000$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
  ],
  [
    '$5$rounds=10000$saltstringsaltstring',
    'Hello world!',
    '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA',
  ],
  [
    '$5$rounds=5000$toolongsaltstring',
    'This is just a test',
    '$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5',
  ],
  [
    '$5$rounds=1400$anotherlongsaltstring',
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    '$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1',
  ],
  [
    '$5$rounds=77777$short',
    'we have a short salt string but not a short password',
    '$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/',
  ],
  [
    '$5$rounds=123456$asaltof16chars..',
    'a short string',
    '$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD',
  ],
  [
    '$5$rounds=10$roundstoolow',
    'the minimum number is still observed',
    '$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC',
  ],
  [
    '$6$saltstring',
    'Hello world!',
    '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  ],
  [
    '$6$rounds=5000$saltstring',
    'Hello world!',
    '$6$rounds=5000$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  ],
  [
    '$6$rounds=10000$saltstringsaltstring',
    'Hello world!',
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  ],
  [
    '$6$rounds=5000$toolongsaltstring',
    'This is just a test',
    '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
  ],
  [
    '$6$rounds=1400$anotherlongsaltstring',
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  ],
  [
    '$6$rounds=77777$short',
    'we have a short salt string but not a short password',
    '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
  ],
  [
    '$6$rounds=123456$asaltof16chars..',
    'a short string',
    '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1',
  ],
  [
    '$6$rounds=10$roundstoolow',
    'the minimum number is still observed',
    '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
  ],
]

t.test("Drepper's test vectors, on both engines", async (t) => {
  for (const [setting, pw, hash] of SPEC) {
    const size = setting.startsWith('$5$') ? 32 : 64
    t.equal(shaCrypt(Buffer.from(pw), setting), hash, `${setting} (default engine)`)
    t.equal(shaCrypt(Buffer.from(pw), setting, wasm(size)), hash, `${setting} (WebAssembly)`)
    if (!setting.includes('rounds=123456') && !setting.includes('rounds=77777'))
      t.equal(shaCrypt(Buffer.from(pw), setting, nodeSha(size)), hash, `${setting} (node:crypto)`)
  }
})

t.test('an empty salt', async (t) => {
  const want =
    '$6$$QMXjqd7rHQZPQ1yHsXkQqC1FBzDiVfTHXL.LaeDAeVV.IzMaV9VU4MQ8kPuZa2SOP1A0RPm772EaFYjpEJtdu.'
  t.equal(shaCrypt(Buffer.from('foo'), '$6$$bar$'), want)
  t.equal(shaCrypt(Buffer.from('foo'), '$6$$bar$', nodeSha(64)), want)
})

t.test('WebAssembly and node:crypto agree on every password length to 200 bytes', async (t) => {
  for (const size of sizes) {
    const id = size === 32 ? '5' : '6'
    let bad = 0
    for (let n = 0; n <= 200; n++) {
      const pw = randomBytes(n)
      const setting = `$${id}$rounds=1000$${randomBytes(12).toString('base64').replace(/[+=]/g, '.')}$`
      if (shaCrypt(pw, setting, wasm(size)) !== shaCrypt(pw, setting, nodeSha(size))) bad++
    }
    t.equal(bad, 0, `$${id}$`)
  }
})

t.test(
  'long passwords: the memory grows to its limit, beyond it node:crypto takes over',
  async (t) => {
    // P's digest hashes the password as many times as it has bytes, in one piece.
    for (const size of sizes) {
      const setting = `$${size === 32 ? '5' : '6'}$rounds=1000$longpassword$`
      const longest = randomBytes(MAX_PASSWORD)
      t.equal(shaCrypt(longest, setting, wasm(size)), shaCrypt(longest, setting, nodeSha(size)))
      t.throws(() => shaCrypt(randomBytes(MAX_PASSWORD + 1), setting, wasm(size)), RangeError)
      const longer = randomBytes(MAX_PASSWORD + 1)
      t.equal(shaCrypt(longer, setting), shaCrypt(longer, setting, nodeSha(size)))
    }
  },
)

t.test("libxcrypt's mkpasswd makes the same strings, both schemes", async (t) => {
  if (needTool(t, 'mkpasswd') === null) return
  const alphabet = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
  const pick = (n: number) => Array.from(randomBytes(n), (b) => alphabet[b & 63]).join('')
  for (let i = 0; i < 24; i++) {
    const method = i & 1 ? 'sha-256' : 'sha-512'
    // Printable passwords of 0 to 139 bytes, some with UTF-8 (mkpasswd takes an argument).
    const pw = pick(randomBytes(1)[0]! % 130) + (i % 3 ? '' : 'é€ pass')
    const salt = pick(8 + (i % 9))
    const rounds = 1000 + (randomBytes(2).readUInt16BE() % 4000)
    const made = execFileSync('mkpasswd', ['-m', method, '-S', salt, '-R', String(rounds), pw], {
      encoding: 'utf8',
    }).trim()
    t.equal(shaCrypt(Buffer.from(pw), made), made, `${method} ${pw.length} chars, rounds ${rounds}`)
  }
  // The default 5000 rounds, as mkpasswd writes them without rounds=.
  const made = execFileSync('mkpasswd', ['-m', 'sha-512', 'correct horse'], {
    encoding: 'utf8',
  }).trim()
  t.equal(shaCrypt(Buffer.from('correct horse'), made), made)
  t.not(shaCrypt(Buffer.from('correct horsf'), made), made)
})

t.test(
  'nothing of the password or its hashes is left in the memory but the round constants',
  async (t) => {
    for (const size of sizes) {
      const e = wasm(size)
      const pw = randomBytes(40)
      const made = shaCrypt(pw, `$${size === 32 ? '5' : '6'}$rounds=1000$wipewipe$`, e)
      const mem = new Uint8Array(e.memory.buffer)
      const kEnd = KS + (size === 32 ? 64 * 4 : 80 * 8)
      t.ok(made.length > 40)
      t.equal(Buffer.from(mem).indexOf(pw.subarray(0, 8)), -1, `SHA-${size * 8}: no password bytes`)
      t.equal(
        mem.subarray(0, KS).some((b) => b !== 0),
        false,
        `SHA-${size * 8}: zero below K`,
      )
      t.equal(
        mem.subarray(kEnd).some((b) => b !== 0),
        false,
        `SHA-${size * 8}: zero above K`,
      )
    }
  },
)
