// Before login a client has a budget of input bytes (--max-input): past it, one -ERR and the end.
import t from 'tap'
import { front } from './fixtures/frontend.js'

t.test('commands past --max-input end the session with one -ERR', async (t) => {
  const f = await front(t.testdir(), { env: { POP_FRONTEND_MAX_INPUT: '100' } })
  t.teardown(f.close)
  const { c } = await f.connect()
  // 10 NOOPs are 60 bytes: within the budget, each answered.
  c.send('NOOP\r\n'.repeat(10))
  for (let i = 0; i < 10; i++) t.equal(await c.line(), '+OK')
  // 7 more make 102 bytes: the seventh is refused and the session ends.
  c.send('NOOP\r\n'.repeat(7))
  for (let i = 0; i < 6; i++) t.equal(await c.line(), '+OK')
  t.equal(await c.line(), '-ERR too much input before login')
  t.equal(await c.untilClosed(), '')
  await f.exited(1)
  t.same(f.exits, [0])
  t.match(f.stderr(), /info: too much input before login: ip=127\.0\.0\.1/)
})

t.test('the default budget lets a real client through many times over', async (t) => {
  const f = await front(t.testdir())
  t.teardown(f.close)
  const { c } = await f.connect()
  c.send('CAPA\r\n'.repeat(200)) // 1,200 bytes: more than any client sends before login
  for (let i = 0; i < 200; i++) {
    t.equal(await c.line(), '+OK capability list follows')
    t.ok(await c.body())
  }
  t.equal(await c.cmd('QUIT'), '+OK')
})
