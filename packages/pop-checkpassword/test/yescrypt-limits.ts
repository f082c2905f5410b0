// Under an address-space limit (ulimit -v, as softlimit -m sets it) yescrypt still hashes right: as
// WebAssembly where V8 can give the memory (V8 13, Node 24, or Node's trap handler off), in
// JavaScript where it cannot.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildProbe } from '../../pop-lib/test/fixtures/probe.js'
import { underLimit } from './fixtures/ulimit.js'
import { vectors } from './fixtures/yescrypt-vectors.js'

const { password, hash } = vectors.find((v) => v.note === 'default cost')!

t.test('ulimit -v 3000000', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'popcp-yescrypt-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const probe = await buildProbe(
    dir,
    `import { yescryptHash } from '../../pop-checkpassword/src/yescrypt.js'
import { wasmCore } from '../../pop-checkpassword/src/yescrypt-wasm.js'
const pw = Buffer.from(${JSON.stringify(password)}, 'hex')
const hash = ${JSON.stringify(hash)}
const made = yescryptHash(pw, hash)
const core = wasmCore(1 << 24)
let grows = false
try {
  if (core) grows = core.mem.grow(1) >= 0
} catch {}
console.log(JSON.stringify({ made, wasm: core !== null, grows }))`,
  )
  const run = (limit: string, options = '') =>
    underLimit<{ made: string; wasm: boolean; grows: boolean }>(
      probe,
      limit,
      options ? { NODE_OPTIONS: options } : {},
    )
  const free = run('unlimited')
  t.equal(free.made, hash, 'no limit: the right hash')
  t.equal(free.wasm, true, 'no limit: WebAssembly')
  t.equal(free.grows, false, 'no limit: the memory has a maximum, the size asked for')
  const limited = run('3000000')
  t.equal(limited.made, hash, 'limited: the right hash')
  const v8 = Number(process.versions.v8.split('.')[0])
  t.equal(
    limited.wasm,
    v8 >= 13,
    `limited: WebAssembly only where V8 can give it memory (V8 ${v8})`,
  )
  const untrapped = run('3000000', '--disable-wasm-trap-handler')
  t.equal(untrapped.made, hash, 'limited, no trap handler: the right hash')
  t.equal(untrapped.wasm, true, 'limited, no trap handler: WebAssembly')
})
