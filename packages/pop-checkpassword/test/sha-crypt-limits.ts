// Under an address-space limit (ulimit -v, as softlimit -m sets it) SHA crypt still verifies: as
// WebAssembly where V8 can give the memory (V8 13, Node 24, or Node's trap handler off), on
// node:crypto where it cannot.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildProbe } from '../../pop-lib/test/fixtures/probe.js'
import { underLimit } from './fixtures/ulimit.js'

const HASH =
  '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'

t.test('ulimit -v 3000000', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'popcp-sha-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const probe = await buildProbe(
    dir,
    `import { shaCrypt } from '../../pop-checkpassword/src/sha-crypt.js'
import { wasmSha } from '../../pop-checkpassword/src/sha-crypt-wasm.js'
const made = shaCrypt(Buffer.from('Hello world!'), ${JSON.stringify(HASH)})
console.log(JSON.stringify({ made, wasm: wasmSha(64) !== null }))`,
  )
  const run = (limit: string) => underLimit<{ made: string; wasm: boolean }>(probe, limit)
  const free = run('unlimited')
  t.equal(free.made, HASH, 'no limit: the right hash')
  t.equal(free.wasm, true, 'no limit: WebAssembly')
  const limited = run('3000000')
  t.equal(limited.made, HASH, 'limited: the right hash')
  const v8 = Number(process.versions.v8.split('.')[0])
  t.equal(
    limited.wasm,
    v8 >= 13,
    `limited: WebAssembly only where V8 can give it memory (V8 ${v8})`,
  )
  const untrapped = underLimit<{ made: string; wasm: boolean }>(probe, '3000000', {
    NODE_OPTIONS: '--disable-wasm-trap-handler',
  })
  t.equal(untrapped.made, HASH, 'limited, no trap handler: the right hash')
  t.equal(untrapped.wasm, true, 'limited, no trap handler: WebAssembly')
})
