// After a good login, where the runtime has process.execve, a small perl waiter replaces the Node process.
import t, { type Test } from 'tap'
import { readlinkSync } from 'node:fs'
import { front, type Front } from './fixtures/frontend.js'
import type { Client } from '../../pop-lib/test/fixtures/harness.js'

const hasExecve = typeof (process as unknown as { execve?: unknown }).execve === 'function'
const exe = (pid: number): string => {
  try {
    return readlinkSync(`/proc/${pid}/exe`)
  } catch {
    return ''
  }
}

/** Waits (bounded) until the process runs a program matching re; returns what it runs. */
const becomes = async (pid: number, re: RegExp): Promise<string> => {
  for (let i = 0; i < 400 && !re.test(exe(pid)); i++) await new Promise((r) => setTimeout(r, 25))
  return exe(pid)
}

/** Connects and logs in; the stand-in then serves the session. */
const loggedIn = async (t: Test, f: Front): Promise<Client> => {
  const { c } = await f.connect()
  c.send('USER bob\r\nPASS pw\r\n')
  t.equal(await c.line(), '+OK')
  t.equal(await c.line(), '+OK welcome')
  return c
}

t.test('the session runs under the waiter; its end is logged with the status', async (t) => {
  const f = await front(t.testdir(), { codes: ['session:5'] })
  t.teardown(f.close)
  const c = await loggedIn(t, f)
  const [pid] = f.pids()
  if (hasExecve) t.match(await becomes(pid!, /perl/), /perl/, 'pop-frontend became perl')
  else t.match(exe(pid!), /node/, 'no execve in this runtime: Node waits')
  t.equal(await c.cmd('QUIT'), '+OK got QUIT')
  t.equal(await c.untilClosed(), '')
  await f.exited(1)
  t.same(f.exits, [5])
  t.match(
    f.stderr(),
    new RegExp(
      `^pop-frontend\\[${pid}\\]: info: session ended: ip=127\\.0\\.0\\.1 mech=USER user=bob \\(exit 5\\)$`,
      'm',
    ),
  )
})

t.test('a session killed by a signal: 128 + n, logged as such', async (t) => {
  const f = await front(t.testdir(), { codes: ['kill-session'] })
  t.teardown(f.close)
  const c = await loggedIn(t, f)
  const [pid] = f.pids()
  if (hasExecve) await becomes(pid!, /perl/)
  c.send('NOOP\r\n')
  t.equal(await c.untilClosed(), '')
  await f.exited(1)
  t.same(f.exits, [137])
  t.match(f.stderr(), /info: session ended: ip=127\.0\.0\.1 mech=USER user=bob \(signal SIGKILL\)/)
  t.notMatch(f.stderr(), /login failed/)
})

t.test('--no-exec-wait keeps Node waiting', async (t) => {
  const f = await front(t.testdir(), { codes: ['session:0'], args: ['--no-exec-wait'] })
  t.teardown(f.close)
  const c = await loggedIn(t, f)
  t.equal(await c.cmd('NOOP'), '+OK got NOOP')
  t.match(exe(f.pids()[0]!), /node/)
  t.equal(await c.cmd('QUIT'), '+OK got QUIT')
  await f.exited(1)
  t.same(f.exits, [0])
})
