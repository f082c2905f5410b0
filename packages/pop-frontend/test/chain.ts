// pop-frontend at the head of real chains over real sockets: ours, cvm-checkpassword, mailfront's pop3front-maildir.
import t, { type Test } from 'tap'
import { bin, serve, Client } from '../../pop-lib/test/fixtures/harness.js'
import {
  makeWorld,
  stage,
  MESSAGES,
  USER,
  PASS,
  HOST,
  type World,
} from '../../../test/fixtures/world.js'
import { tcpserver, need } from '../../../test/fixtures/servers.js'

const BURST = `USER ${USER}\r\nPASS ${PASS}\r\nSTAT\r\nLIST\r\nQUIT\r\n`
const size = (m: Buffer): number => m.toString('latin1').replace(/\r?\n/g, '\r\n').length

/** Checks the replies to BURST: USER, PASS, STAT, LIST (multi-line), QUIT, in order. */
const checkBurst = (t: Test, text: string, exact = true): void => {
  const lines = text.split('\r\n')
  t.equal(lines[0], '+OK', 'USER')
  t.match(lines[1], /^\+OK/, 'PASS: the mailbox stage answers')
  t.match(lines[2], /^\+OK 4 \d+/, 'STAT reached the mailbox stage intact')
  t.match(lines[3], /^\+OK/, 'LIST')
  const scan = lines.slice(4, 8).map((l) => l.split(' ').map(Number))
  t.same(
    scan.map((s) => s[0]),
    [1, 2, 3, 4],
    'LIST numbers the four messages',
  )
  if (exact)
    t.same(
      scan.map((s) => s[1]),
      MESSAGES.map(size),
      'LIST sizes are wire sizes',
    )
  t.equal(lines[8], '.', 'LIST ends')
  t.match(lines[9], /^\+OK/, 'QUIT')
  t.equal(lines.length, 11, 'nothing more')
}

const ours = (w: World): string[] => [
  bin('pop-frontend'),
  HOST,
  ...stage.checkpassword(w),
  ...stage.maildir(),
]

t.test('pipelined login burst to the full chain, one write (harness launcher)', async (t) => {
  const w = makeWorld(t)
  const s = await serve(ours(w), { env: w.env })
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  t.match(await c.line(), /^\+OK <.*@mail\.example\.org>$/)
  c.send(BURST)
  checkBurst(t, await c.untilClosed())
  await s.close()
  t.notMatch(s.stderr(), /login failed/)
  t.match(
    s.stderr(),
    /pop-frontend\[\d+\]: info: session ended: ip=127\.0\.0\.1 mech=USER user=alice \(exit 0\)/,
  )
})

t.test('AUTH PLAIN with an initial response, pipelined with the commands after it', async (t) => {
  const w = makeWorld(t)
  const s = await serve(ours(w), { env: w.env })
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  await c.line()
  const plain = Buffer.from(`\0${USER}\0${PASS}`, 'latin1').toString('base64')
  c.send(`AUTH PLAIN ${plain}\r\nSTAT\r\nQUIT\r\n`)
  const lines = (await c.untilClosed()).split('\r\n')
  t.match(lines[0], /^\+OK/, 'AUTH: the mailbox stage answers')
  t.match(lines[1], /^\+OK 4 \d+/, 'STAT')
  t.match(lines[2], /^\+OK/, 'QUIT')
  t.equal(lines.length, 4)
  await s.close()
  t.match(s.stderr(), /info: session ended: ip=127\.0\.0\.1 mech=PLAIN user=alice \(exit 0\)/)
})

t.test('pipelined login burst under the real tcpserver', async (t) => {
  if (!need(t, 'tcpserver')) return
  const w = makeWorld(t)
  const s = await tcpserver(t, [], ours(w), w.env)
  const c = await Client.connect(s.port)
  t.match(await c.line(), /^\+OK </)
  c.send(BURST)
  checkBurst(t, await c.untilClosed())
  await s.waitLog(/tcpserver: end \d+ status 0/)
  t.notMatch(s.log(), /login failed/)
})

t.test(
  'a wrong password through our checkpassword is a failed login, logged for fail2ban',
  async (t) => {
    const w = makeWorld(t)
    const s = await serve(ours(w), { env: { ...w.env, POP_FRONTEND_DELAY: '0' } })
    t.teardown(() => s.close())
    const c = await Client.connect(s.port)
    await c.line()
    t.equal(await c.cmd(`USER ${USER}`), '+OK')
    t.equal(await c.cmd('PASS wrong'), '-ERR [AUTH] authentication failed')
    t.equal(await c.cmd(`USER ${USER}`), '+OK')
    t.match(await c.cmd(`PASS ${PASS}`), /^\+OK/)
    t.match(await c.cmd('STAT'), /^\+OK 4 /)
    t.match(await c.cmd('QUIT'), /^\+OK/)
    await c.untilClosed()
    await s.close()
    t.match(
      s.stderr(),
      /pop-frontend\[\d+\]: warning: login failed: ip=127\.0\.0\.1 mech=USER status=1 user=alice$/m,
    )
    t.equal(
      s.stderr().match(/pop-frontend\[\d+\]: warning: login failed: ip/g)?.length,
      1,
      'one failure, once',
    )
  },
)

t.test('with cvm-checkpassword (exit 100 on a bad password) and pop-maildir', async (t) => {
  if (!need(t, 'cvm-checkpassword')) return
  const w = makeWorld(t)
  const s = await serve(
    [bin('pop-frontend'), HOST, ...stage.cvmCheckpassword(), ...stage.maildir()],
    { env: { ...w.env, POP_FRONTEND_DELAY: '0' } },
  )
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  await c.line()
  t.equal(await c.cmd(`USER ${USER}`), '+OK')
  t.equal(await c.cmd('PASS nope'), '-ERR [AUTH] authentication failed')
  c.send(BURST)
  checkBurst(t, await c.untilClosed())
  await s.close()
  t.match(s.stderr(), /warning: login failed: ip=127\.0\.0\.1 mech=USER status=100 user=alice/)
  t.match(
    s.stderr(),
    /info: session ended: ip=127\.0\.0\.1 mech=USER user=alice \(exit 0\)/,
    'pop-maildir signalled past cvm-checkpassword',
  )
})

t.test("with mailfront's pop3front-maildir as the mailbox stage", async (t) => {
  if (!need(t, 'pop3front-maildir')) return
  const w = makeWorld(t)
  const s = await serve(
    [bin('pop-frontend'), HOST, ...stage.checkpassword(w), ...stage.pop3frontMaildir()],
    { env: w.env },
  )
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  await c.line()
  c.send(BURST)
  checkBurst(t, await c.untilClosed(), false)
  await s.close()
  t.notMatch(s.stderr(), /login failed/)
})

t.test('cvm-checkpassword and pop3front-maildir: no signal, exit 0 is a good login', async (t) => {
  if (!need(t, 'cvm-checkpassword') || !need(t, 'pop3front-maildir')) return
  const w = makeWorld(t)
  const s = await serve(
    [bin('pop-frontend'), HOST, ...stage.cvmCheckpassword(), ...stage.pop3frontMaildir()],
    { env: w.env },
  )
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  await c.line()
  c.send(BURST)
  checkBurst(t, await c.untilClosed(), false)
  await s.close()
  t.notMatch(s.stderr(), /login failed/)
})
