// STLS through a UCSPI-TLS wrapper (a stand-in without cryptography), the TLS policy, implicit TLS.
import t from 'tap'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bin } from '../../pop-lib/test/fixtures/harness.js'
import { front, PROG } from './fixtures/frontend.js'

const WRAPPER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/fake-ucspi-tls.mjs')
const wrapped = (args: string[] = []): string[] => [
  bin('pop-frontend'),
  ...args,
  'mail.example.org',
  PROG,
]
const CAPA_TAIL = ['USER', 'SASL PLAIN LOGIN', 'IMPLEMENTATION popchain', '.']

t.test(
  'CAPA offers STLS; STLS starts TLS; plaintext sent after STLS is never read by pop-frontend',
  async (t) => {
    const f = await front(t.testdir(), { argv: [WRAPPER, ...wrapped()], codes: ['session:0'] })
    t.teardown(f.close)
    const { c } = await f.connect()
    const capa = await c.multi('CAPA')
    t.same(capa.body?.toString('latin1').split('\r\n').slice(5, -1), [
      'STLS',
      'USER',
      'SASL PLAIN LOGIN',
      'IMPLEMENTATION popchain',
    ])
    t.equal(await c.cmd('USER bob'), '+OK')
    c.send('STLS\r\nCAPA\r\n')
    t.equal(await c.line(), '+OK Begin TLS negotiation')
    t.equal(
      await c.line(),
      '[tls] +OK capability list follows',
      'the pipelined CAPA went to the wrapper, not to pop-frontend',
    )
    const after: string[] = []
    for (let l = await c.line(); l !== null && l !== '[tls] .'; l = await c.line()) after.push(l)
    t.same(
      after,
      ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', ...CAPA_TAIL.slice(0, -1)].map(
        (l) => `[tls] ${l}`,
      ),
      'no STLS after STLS',
    )
    t.equal(await c.cmd('STLS'), '[tls] -ERR TLS is already active')
    t.equal(await c.cmd('PASS pw'), '[tls] -ERR USER first', 'USER from before TLS is forgotten')
    c.send('USER bob\r\nPASS pw\r\nSTAT\r\nQUIT\r\n')
    t.equal(
      await c.untilClosed(),
      ['+OK', '+OK welcome', '+OK got STAT', '+OK got QUIT', '']
        .map((l) => (l === '' ? '' : `[tls] ${l}`))
        .join('\r\n'),
    )
    await f.exited(1)
    const env = f.env(1)
    t.match(env, /^SSL_PROTOCOL=FAKE$/m, 'the connection information reaches the next stage')
    t.match(env, /^SSL_CIPHER=NULL$/m)
    t.notMatch(env, /^SSL_TLS_SNI_SERVERNAME=/m, 'a name without a value is unset')
    t.notMatch(env, /^SSL(CTL|READ|WRITE)FD=/m, 'the wrapper descriptors are not handed on')
    t.same(f.exits, [0])
  },
)

t.test('--require-tls: no cleartext passwords before STLS, and CAPA says so', async (t) => {
  const f = await front(t.testdir(), { argv: [WRAPPER, ...wrapped(['--require-tls'])], codes: [1] })
  t.teardown(f.close)
  const { c } = await f.connect()
  const capa = await c.multi('CAPA')
  t.same(capa.body?.toString('latin1').split('\r\n').slice(5, -1), [
    'STLS',
    'IMPLEMENTATION popchain',
  ])
  t.equal(await c.cmd('USER bob'), '-ERR [AUTH] cleartext passwords need TLS: use STLS first')
  t.equal(
    await c.cmd('AUTH PLAIN AGJvYgBwdw=='),
    '-ERR [AUTH] cleartext passwords need TLS: use STLS first',
  )
  t.equal(await c.cmd('NOOP'), '+OK')
  t.same((await c.multi('AUTH')).body?.toString('latin1'), '', 'no mechanisms offered')
  t.equal(
    await c.cmd('APOP bob 0123456789abcdef0123456789abcdef'),
    '-ERR [AUTH] authentication failed',
    'APOP sends no password',
  )
  t.equal(await c.cmd('STLS'), '+OK Begin TLS negotiation')
  t.equal(await c.cmd('CAPA'), '[tls] +OK capability list follows')
  const after: string[] = []
  for (let l = await c.line(); l !== null && l !== '[tls] .'; l = await c.line()) after.push(l)
  t.same(
    after.slice(5),
    CAPA_TAIL.slice(0, -1).map((l) => `[tls] ${l}`),
    'USER and SASL once TLS is on',
  )
  t.equal(await c.cmd('USER bob'), '[tls] +OK')
  c.close()
})

t.test('implicit TLS (SSL_PROTOCOL, no control descriptor) counts as TLS', async (t) => {
  const f = await front(t.testdir(), { args: ['--require-tls'], env: { SSL_PROTOCOL: 'TLSv1.3' } })
  t.teardown(f.close)
  const { c } = await f.connect()
  const capa = await c.multi('CAPA')
  t.same(capa.body?.toString('latin1').split('\r\n').slice(5, -1), [
    'USER',
    'SASL PLAIN LOGIN',
    'IMPLEMENTATION popchain',
  ])
  t.equal(await c.cmd('STLS'), '-ERR TLS is already active')
  t.equal(await c.cmd('USER bob'), '+OK')
  c.close()
})
