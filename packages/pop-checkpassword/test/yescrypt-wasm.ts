// The WebAssembly bytes carried in yescrypt-wasm.ts are what yescrypt-wasm-asm.ts assembles.
import t from 'tap'
import { assemble } from '../src/yescrypt-wasm-asm.js'
import { WASM_BASE64, wasmCore } from '../src/yescrypt-wasm.js'

t.test('the carried module is the assembled one', async (t) => {
  const fresh = Buffer.from(assemble()).toString('base64')
  if (fresh !== WASM_BASE64) {
    const lines = fresh.match(/.{1,96}/g)!.map((l) => `  '${l}',`)
    t.comment(`update WASM_BASE64 in src/yescrypt-wasm.ts to:\n${lines.join('\n')}`)
  }
  t.equal(fresh, WASM_BASE64)
})

t.test('the module loads and exports its loops', async (t) => {
  const core = wasmCore(1 << 20)
  t.ok(core)
  t.equal(typeof core?.smix1, 'function')
  t.equal(typeof core?.smix2, 'function')
  t.equal(typeof core?.sbox, 'function')
  t.ok(core!.mem.buffer.byteLength >= 1 << 20)
})

t.test('the memory has a maximum, the size asked for', async (t) => {
  // Without one, V8 reserves 8 GiB or more of address space (see yescrypt-wasm.ts).
  const core = wasmCore(3 * 65536 + 1)
  t.equal(core?.mem.buffer.byteLength, 4 * 65536)
  t.throws(() => core?.mem.grow(1), RangeError)
})
