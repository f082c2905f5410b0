// The session lock: taken once, busy while held, free after release, the same name with or without node:net.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { lockMaildir, TOKEN_FILE } from '../src/lock.js'

const dir = t.testdir({ cur: {}, new: {}, tmp: {} })
process.chdir(dir)
t.teardown(() => {
  delete process.env.POPCHAIN_BINDINGS
})

// POPCHAIN_BINDINGS=0 makes the lock take node:net's way; unset, the bare pipe handle's.
const lockWith = async (bare: boolean) => {
  if (bare) delete process.env.POPCHAIN_BINDINGS
  else process.env.POPCHAIN_BINDINGS = '0'
  return lockMaildir()
}

const abstractNames = (): string[] =>
  readFileSync('/proc/net/unix', 'latin1')
    .split('\n')
    .filter((l) => l.includes('@popchain-maildir/'))

for (const [first, second] of [
  [true, true],
  [true, false],
  [false, true],
  [false, false],
] as const) {
  const label = (b: boolean) => (b ? 'bare handle' : 'node:net')
  t.test(`held by the ${label(first)}, tried by the ${label(second)}`, async (t) => {
    const before = abstractNames().length
    const held = await lockWith(first)
    t.equal(held.kind, 'locked')
    t.equal(abstractNames().length, before + 1, 'one abstract socket more')
    t.equal((await lockWith(second)).kind, 'busy')
    t.equal((await lockWith(first)).kind, 'busy', 'still held')
    if (held.kind === 'locked') held.release()
    // A closed handle is gone once the event loop has turned.
    await new Promise((r) => setTimeout(r, 20))
    const again = await lockWith(second)
    t.equal(again.kind, 'locked', 'free after release')
    if (again.kind === 'locked') again.release()
    await new Promise((r) => setTimeout(r, 20))
  })
}

t.test('the token file is made once, kept, and part of the name', async (t) => {
  const token = readFileSync(TOKEN_FILE, 'latin1')
  t.match(token, /^[0-9a-f]{32}\n$/)
  const l = await lockWith(true)
  t.equal(abstractNames().filter((n) => n.includes(`/${token.trim()}`)).length, 1)
  if (l.kind === 'locked') l.release()
  t.equal(readFileSync(TOKEN_FILE, 'latin1'), token)
})
