// Without WebAssembly (node --jitless has none) SHA crypt runs on node:crypto and makes the same strings.
import t from 'tap'

t.test('no WebAssembly: node:crypto does the hashing', async (t) => {
  const saved = globalThis.WebAssembly
  // Before the first use, which remembers whether the module could be made.
  Object.defineProperty(globalThis, 'WebAssembly', { value: undefined, configurable: true })
  t.teardown(() =>
    Object.defineProperty(globalThis, 'WebAssembly', { value: saved, configurable: true }),
  )
  const { wasmSha } = await import('../src/sha-crypt-wasm.js')
  const { shaCrypt } = await import('../src/sha-crypt.js')
  t.equal(wasmSha(64), null)
  t.equal(wasmSha(32), null)
  t.equal(
    shaCrypt(Buffer.from('Hello world!'), '$6$saltstring'),
    '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  )
  t.equal(
    shaCrypt(Buffer.from('Hello world!'), '$5$saltstring'),
    '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
  )
})
