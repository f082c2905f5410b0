// legacyBinding: only on the runtimes tested, never when Node would warn, never when turned off.
import t from 'tap'
import { legacyBinding } from '../src/binding.js'

const major = Number(process.versions.node.split('.')[0])
const saved = { ...process.env }
t.afterEach(() => {
  for (const k of ['POPCHAIN_BINDINGS', 'NODE_PENDING_DEPRECATION', 'NODE_OPTIONS'])
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
})

t.test('the runtimes tested get the handle classes', async (t) => {
  delete process.env.POPCHAIN_BINDINGS
  process.env.NODE_OPTIONS = ''
  const pipe = legacyBinding<{ Pipe: unknown }>('pipe_wrap')
  const proc = legacyBinding<{ Process: unknown }>('process_wrap')
  t.equal(typeof pipe?.Pipe, [20, 24].includes(major) ? 'function' : 'undefined')
  t.equal(typeof proc?.Process, major === 20 ? 'function' : 'undefined')
})

t.test('POPCHAIN_BINDINGS=0 turns them off', async (t) => {
  process.env.POPCHAIN_BINDINGS = '0'
  t.equal(legacyBinding('pipe_wrap'), null)
  t.equal(legacyBinding('process_wrap'), null)
})

t.test('none where Node would print a deprecation warning', async (t) => {
  delete process.env.POPCHAIN_BINDINGS
  process.env.NODE_PENDING_DEPRECATION = '1'
  t.equal(legacyBinding('pipe_wrap'), null)
  delete process.env.NODE_PENDING_DEPRECATION
  process.env.NODE_OPTIONS = '--pending-deprecation'
  t.equal(legacyBinding('pipe_wrap'), null)
})
