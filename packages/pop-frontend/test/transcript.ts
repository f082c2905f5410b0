// Transcripts of pop-frontend's AUTHORIZATION state with a recording checkpassword stand-in.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { front, stampOf, b64 } from './fixtures/frontend.js'

t.test('greeting carries a unique APOP timestamp', async (t) => {
  const f = await front(t.testdir())
  t.teardown(f.close)
  const a = await f.connect()
  const b = await f.connect()
  t.match(a.greeting, /^\+OK <\d+\.\d+\.[0-9a-f]+@mail\.example\.org>$/)
  t.not(stampOf(a.greeting), stampOf(b.greeting))
  t.equal(await a.c.cmd('QUIT'), '+OK')
  t.equal(await a.c.untilClosed(), '')
  b.c.close()
  await f.exited(2)
  t.ok(f.exits.includes(0))
})

t.test('CAPA lists what is true before login; bare AUTH lists mechanisms', async (t) => {
  const f = await front(t.testdir())
  t.teardown(f.close)
  const { c } = await f.connect()
  const capa = await c.multi('capa')
  t.equal(capa.status, '+OK capability list follows')
  t.same(capa.body?.toString('latin1').split('\r\n'), [
    'TOP',
    'UIDL',
    'RESP-CODES',
    'AUTH-RESP-CODE',
    'PIPELINING',
    'USER',
    'SASL PLAIN LOGIN',
    'IMPLEMENTATION popchain',
    '',
  ])
  const auth = await c.multi('AUTH')
  t.equal(auth.status, '+OK')
  t.equal(auth.body?.toString('latin1'), 'PLAIN\r\nLOGIN\r\n')
  t.equal(await c.cmd('NOOP'), '+OK')
  t.equal(await c.cmd('QUIT'), '+OK')
  c.close()
})

t.test(
  'USER and PASS: exact fd 3 data; a failed login is answered, delayed and logged',
  async (t) => {
    const f = await front(t.testdir(), { codes: [1] })
    t.teardown(f.close)
    const { c, greeting } = await f.connect()
    t.equal(await c.cmd('user bob'), '+OK')
    t.equal(await c.cmd('pass secret with spaces'), '-ERR [AUTH] authentication failed')
    t.equal(f.creds(1), `bob\0secret with spaces\0${stampOf(greeting)}\0`)
    t.match(f.env(1), /^POPCHAIN_AUTHFD=4$/m)
    const flags = parseInt(readFileSync(join(f.dir, 'flags.1'), 'latin1'), 8)
    t.equal(
      flags & 0o4000,
      0,
      'the program finds the client socket in blocking mode (no O_NONBLOCK)',
    )
    t.equal(await c.cmd('QUIT'), '+OK')
    await f.exited(1)
    t.match(
      f.stderr(),
      /^pop-frontend\[\d+\]: warning: login failed: ip=127\.0\.0\.1 mech=USER status=1 user=bob$/m,
    )
    t.notMatch(f.stderr(), /secret/)
  },
)

t.test('PASS without USER, and USER state ends with PASS', async (t) => {
  const f = await front(t.testdir(), { codes: [1] })
  t.teardown(f.close)
  const { c } = await f.connect()
  t.equal(await c.cmd('PASS x'), '-ERR USER first')
  t.equal(await c.cmd('USER'), '-ERR USER needs a name')
  t.equal(await c.cmd('USER a'), '+OK')
  t.equal(await c.cmd('PASS x'), '-ERR [AUTH] authentication failed')
  t.equal(await c.cmd('PASS x'), '-ERR USER first')
  t.equal(await c.cmd('USER a'), '+OK')
  t.equal(
    await c.cmd('PASS 0123456789abcdef0123456789abcdef\0<1.2@mail.example.org>'),
    '-ERR [AUTH] NUL in the password',
    'no client-chosen timestamp field',
  )
  t.equal(f.creds(2), null)
  c.close()
})

t.test('APOP: the digest is the secret, the greeting timestamp the third field', async (t) => {
  const f = await front(t.testdir(), { codes: [1] })
  t.teardown(f.close)
  const { c, greeting } = await f.connect()
  t.equal(await c.cmd('APOP bob nothex'), '-ERR usage: APOP name digest')
  t.equal(
    await c.cmd('APOP bob 0123456789ABCDEF0123456789abcdef'),
    '-ERR [AUTH] authentication failed',
  )
  t.equal(f.creds(1), `bob\x000123456789abcdef0123456789abcdef\0${stampOf(greeting)}\0`)
  c.close()
})

t.test('--no-apop: no timestamp, APOP refused, third field empty', async (t) => {
  const f = await front(t.testdir(), { codes: [1], args: ['--no-apop'] })
  t.teardown(f.close)
  const { c, greeting } = await f.connect()
  t.equal(greeting, '+OK POP3 ready')
  t.equal(await c.cmd('APOP bob 0123456789abcdef0123456789abcdef'), '-ERR APOP is not offered here')
  t.equal(await c.cmd('USER bob'), '+OK')
  t.equal(await c.cmd('PASS pw'), '-ERR [AUTH] authentication failed')
  t.equal(f.creds(1), 'bob\0pw\0\0')
  c.close()
})

t.test('AUTH PLAIN with and without initial response; cancel; authzid rules', async (t) => {
  const f = await front(t.testdir(), {
    codes: [1, 1, 1],
    args: ['--attempts', '5', '--max-bad', '9'],
  })
  t.teardown(f.close)
  const { c, greeting } = await f.connect()
  const ts = stampOf(greeting)
  t.equal(await c.cmd(`AUTH PLAIN ${b64('\0bob\0pw one')}`), '-ERR [AUTH] authentication failed')
  t.equal(f.creds(1), `bob\0pw one\0${ts}\0`)
  t.equal(await c.cmd('auth plain'), '+ ')
  t.equal(await c.cmd(b64('bob\0bob\0pw2')), '-ERR [AUTH] authentication failed')
  t.equal(f.creds(2), `bob\0pw2\0${ts}\0`)
  t.equal(await c.cmd('AUTH PLAIN'), '+ ')
  t.equal(await c.cmd('*'), '-ERR authentication cancelled')
  t.equal(await c.cmd(`AUTH PLAIN ${b64('admin\0bob\0pw')}`), '-ERR [AUTH] bad PLAIN message')
  t.equal(await c.cmd('AUTH PLAIN not*base64'), '-ERR bad base64 response')
  t.equal(await c.cmd('AUTH PLAIN ='), '-ERR bad base64 response')
  t.equal(await c.cmd('NOOP'), '+OK')
  t.equal(await c.cmd(`AUTH PLAIN ${b64('\0\0pw')}`), '-ERR [AUTH] bad PLAIN message')
  t.equal(await c.cmd('AUTH CRAM-MD5'), '-ERR unsupported mechanism')
  t.equal(f.creds(3), null)
  c.close()
  await f.exited(1)
  t.match(f.stderr(), /login failed: ip=127\.0\.0\.1 mech=PLAIN status=1 user=bob$/m)
})

t.test('AUTH LOGIN with prompts and with an initial user name', async (t) => {
  const f = await front(t.testdir(), { codes: [1, 1] })
  t.teardown(f.close)
  const { c, greeting } = await f.connect()
  t.equal(await c.cmd('AUTH LOGIN'), `+ ${b64('Username:')}`)
  t.equal(await c.cmd(b64('bob')), `+ ${b64('Password:')}`)
  t.equal(await c.cmd(b64('pw')), '-ERR [AUTH] authentication failed')
  t.equal(f.creds(1), `bob\0pw\0${stampOf(greeting)}\0`)
  t.equal(await c.cmd(`AUTH LOGIN ${b64('amy')}`), `+ ${b64('Password:')}`)
  t.equal(await c.cmd('*'), '-ERR authentication cancelled')
  t.equal(await c.cmd('AUTH LOGIN'), `+ ${b64('Username:')}`)
  t.equal(await c.cmd(b64('a\0b')), '-ERR bad base64 response')
  t.equal(f.creds(2), null)
  c.close()
})

t.test('exit codes: 100 is a failed login, 111 and a signal are temporary', async (t) => {
  const f = await front(t.testdir(), { codes: [100, 111, 'kill'], args: ['--attempts', '4'] })
  t.teardown(f.close)
  const { c } = await f.connect()
  for (const want of [
    '-ERR [AUTH] authentication failed',
    '-ERR [SYS/TEMP] temporary failure, try again later',
    '-ERR [SYS/TEMP] temporary failure, try again later',
  ]) {
    t.equal(await c.cmd('USER bob'), '+OK')
    t.equal(await c.cmd('PASS pw'), want)
  }
  c.close()
  await f.exited(1)
  const err = f.stderr()
  t.match(err, /warning: login failed: ip=127\.0\.0\.1 mech=USER status=100 user=bob/)
  t.match(err, /warning: login failed temporarily: ip=127\.0\.0\.1 mech=USER status=111 user=bob/)
  t.match(err, /warning: login failed temporarily: ip=127\.0\.0\.1 mech=USER status=137 user=bob/)
  t.equal(err.match(/login failed:/g)?.length, 1)
})

t.test('after the allowed attempts the connection ends with exit 1', async (t) => {
  const f = await front(t.testdir(), { codes: [1, 1, 1] })
  t.teardown(f.close)
  const { c } = await f.connect()
  c.send('USER a\r\nPASS 1\r\nUSER a\r\nPASS 2\r\nUSER a\r\nPASS 3\r\nNOOP\r\n')
  t.equal(await c.untilClosed(), '+OK\r\n-ERR [AUTH] authentication failed\r\n'.repeat(3))
  await f.exited(1)
  t.same(f.exits, [1])
  t.match(f.stderr(), /info: too many login attempts: ip=127\.0\.0\.1/)
  t.equal(f.creds(3), 'a\x003\0' + f.creds(3)!.split('\0')[2] + '\0')
})

t.test('--attempts 1 with the default delay still answers', async (t) => {
  const f = await front(t.testdir(), {
    codes: [1],
    args: ['--attempts', '1'],
    env: { POP_FRONTEND_DELAY: '' },
  })
  t.teardown(f.close)
  const { c } = await f.connect()
  t.equal(await c.cmd('USER a'), '+OK')
  t.equal(await c.cmd('PASS b'), '-ERR [AUTH] authentication failed')
  t.equal(await c.untilClosed(), '')
  await f.exited(1)
  t.same(f.exits, [1])
})

t.test('a signalled login hands over the session, pipelined commands intact', async (t) => {
  const f = await front(t.testdir(), { codes: ['session:7'] })
  t.teardown(f.close)
  const { c } = await f.connect()
  c.send('USER bob\r\nPASS pw\r\nSTAT\r\nLIST\r\nQUIT\r\n')
  t.equal(
    await c.untilClosed(),
    '+OK\r\n+OK welcome\r\n+OK got STAT\r\n+OK got LIST\r\n+OK got QUIT\r\n',
  )
  await f.exited(1)
  t.same(f.exits, [7])
  t.notMatch(f.stderr(), /login failed/)
  t.match(f.stderr(), /info: session ended: ip=127\.0\.0\.1 mech=USER user=bob \(exit 7\)/)
})

t.test('no signal and exit 0 is a good login that ended well', async (t) => {
  const f = await front(t.testdir(), { codes: ['quiet:0'] })
  t.teardown(f.close)
  const { c } = await f.connect()
  c.send('USER bob\r\nPASS pw\r\nQUIT\r\n')
  t.equal(await c.untilClosed(), '+OK\r\n+OK welcome\r\n+OK got QUIT\r\n')
  await f.exited(1)
  t.same(f.exits, [0])
  t.notMatch(f.stderr(), /login failed/)
  t.match(f.stderr(), /info: session ended: ip=127\.0\.0\.1 mech=USER user=bob \(exit 0\)/)
})

t.test('credentials over 512 bytes are refused before any program runs', async (t) => {
  const f = await front(t.testdir(), { codes: [1] })
  t.teardown(f.close)
  const { c } = await f.connect()
  t.equal(await c.cmd('USER ' + 'u'.repeat(240)), '+OK')
  t.equal(await c.cmd('PASS ' + 'p'.repeat(240)), '-ERR [AUTH] credentials too long')
  t.equal(f.creds(1), null)
  t.equal(await c.cmd('NOOP'), '+OK')
  c.close()
})

t.test('long lines: one -ERR, discarded, the session goes on', async (t) => {
  const f = await front(t.testdir())
  t.teardown(f.close)
  const { c } = await f.connect()
  t.equal(await c.cmd('USER ' + 'x'.repeat(300)), '-ERR line too long')
  t.equal(await c.cmd('NOOP'), '+OK')
  t.equal(await c.cmd('QUIT'), '+OK')
  c.close()
})

t.test('a line that goes on past 1024 bytes ends the session', async (t) => {
  const f = await front(t.testdir())
  t.teardown(f.close)
  const { c } = await f.connect()
  c.send('USER ' + 'x'.repeat(5000) + '\r\nNOOP\r\n')
  t.equal(await c.untilClosed(), '-ERR line too long\r\n')
  await f.exited(1)
  t.match(f.stderr(), /info: line too long, session ended: ip=127\.0\.0\.1/)
})

t.test('commands of other states and unknown ones; too many bad commands end it', async (t) => {
  const f = await front(t.testdir())
  t.teardown(f.close)
  const { c } = await f.connect()
  t.equal(await c.cmd('STAT'), '-ERR authorization first')
  t.equal(await c.cmd('NOOP'), '+OK')
  t.equal(await c.cmd('STLS'), '-ERR STLS is not offered here')
  t.equal(await c.cmd('RETR 1'), '-ERR authorization first')
  t.equal(await c.cmd('\x01junk'), '-ERR unknown command')
  t.equal(await c.line(), '-ERR too many bad commands')
  t.equal(await c.untilClosed(), '')
  await f.exited(1)
  t.same(f.exits, [0])
})

t.test('--max-bad and the idle timeout are configurable', async (t) => {
  const f = await front(t.testdir(), { args: ['--max-bad', '1', '--timeout', '1'] })
  t.teardown(f.close)
  const a = await f.connect()
  t.equal(await a.c.cmd('LIST'), '-ERR authorization first')
  t.equal(await a.c.line(), '-ERR too many bad commands')
  const b = await f.connect()
  t.equal(await b.c.line(), '-ERR idle timeout')
  t.equal(await b.c.untilClosed(), '')
  await f.exited(2)
  t.match(f.stderr(), /info: idle timeout: ip=127\.0\.0\.1/)
})

t.test('at the idle timeout the process ends though the client stays connected', async (t) => {
  // No option on the command line (the usual tcpserver line): the timeout from the environment.
  const f = await front(t.testdir(), { env: { POP_FRONTEND_TIMEOUT: '1' } })
  t.teardown(f.close)
  const { c, greeting } = await f.connect()
  t.match(greeting, /^\+OK /)
  t.equal(await c.line(), '-ERR idle timeout')
  // The client neither sends nor closes: the frontend must not wait for it (a read(2) left
  // blocked in Node's thread pool kept it from exiting, holding a tcpserver slot).
  const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref())
  t.equal(await Promise.race([f.exited(1).then(() => 'exited'), hung]), 'exited')
  t.same(f.exits, [0])
  t.equal(await c.untilClosed(), '', 'and the connection is closed')
})

t.test('a program that cannot run is a temporary failure', async (t) => {
  const f = await front(t.testdir(), { prog: ['/nonexistent/checkpassword'] })
  t.teardown(f.close)
  const { c } = await f.connect()
  t.equal(await c.cmd('USER a'), '+OK')
  t.equal(await c.cmd('PASS b'), '-ERR [SYS/TEMP] temporary failure, try again later')
  c.close()
  await f.exited(1)
  t.match(f.stderr(), /warning: cannot run \/nonexistent\/checkpassword: ENOENT/)
})

t.test('usage errors exit 2', async (t) => {
  const f = await front(t.testdir(), { host: 'bad<host>' })
  t.teardown(f.close)
  const c = await f.connect()
  t.equal(c.greeting, '')
  await f.exited(1)
  t.same(f.exits, [2])
  t.match(f.stderr(), /fatal: bad HOSTNAME/)
})
