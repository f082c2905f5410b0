// When the crypt engines leave WebAssembly alone: before V8 13, under a limit on the address space.
import t from 'tap'
import { memoryDoomed } from '../src/wasm-memory.js'

const limits = (max: string) => () =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    `Max address space         ${max.padEnd(21)}${max.padEnd(21)}bytes     `,
    'Max file locks            unlimited            unlimited            locks     ',
    '',
  ].join('\n')

t.test('memoryDoomed', async (t) => {
  t.equal(memoryDoomed('11.3.244.8-node.38', '', limits('3072000000')), true, 'V8 11, limited')
  t.equal(memoryDoomed('11.3.244.8-node.38', '', limits('unlimited')), false, 'V8 11, no limit')
  t.equal(memoryDoomed('12.4.254.21-node.33', '', limits('3072000000')), true, 'V8 12, limited')
  t.equal(
    memoryDoomed('11.3.244.8-node.38', '', () => null),
    false,
    'no /proc: try',
  )
  t.equal(
    memoryDoomed('11.3.244.8-node.38', '--disable-wasm-trap-handler', limits('3072000000')),
    false,
    'the trap handler off: no guard regions to reserve',
  )
  t.equal(
    memoryDoomed('11.3.244.8-node.38', '--disable-wasm-trap-handler-x', limits('3072000000')),
    true,
    'only that very option',
  )
  t.equal(
    memoryDoomed('11.3.244.8-node.38', '"--disable-wasm-trap-handler" "--import=x"', limits('1')),
    false,
    'NODE_OPTIONS quoted',
  )
  const read = () => {
    throw new Error('read the limits')
  }
  t.equal(memoryDoomed('13.6.233.10-node.28', '', read), false, 'V8 13: the limits unread')
})
