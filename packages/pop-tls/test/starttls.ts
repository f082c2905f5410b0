// pop-tls --starttls (port 110): the UCSPI-TLS server side, and the STARTTLS injection class.
import t from 'tap'
import { readFileSync } from 'node:fs'
import tls from 'node:tls'
import { spawn } from 'node:child_process'
import { bin, Client, serve } from '../../pop-lib/test/fixtures/harness.js'
import { FAKE, failure, makePki, need, overTls, run, testEnv } from './fixtures/tls.js'

/** Upgrades a plaintext client connection to TLS (after +OK to STLS). */
const upgrade = (c: Client, ca: string, opts: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> =>
  new Promise((resolve, reject) => {
    c.sock.removeAllListeners('data')
    const s = tls.connect(
      { socket: c.sock, ca: readFileSync(ca), servername: 'mail.example.org', ...opts },
      () => resolve(s),
    )
    s.once('error', reject)
  })

if (need(t, 'openssl') !== null) {
  const pki = makePki(['mail.example.org'])
  const tlsArgs = [
    '--starttls',
    '--cert',
    pki.cert('mail.example.org'),
    '--key',
    pki.key('mail.example.org'),
  ]
  const server = (env: NodeJS.ProcessEnv = {}, onExit?: (code: number | null) => void) =>
    serve([process.execPath, bin('pop-tls'), ...tlsArgs, process.execPath, FAKE], {
      env: testEnv(env),
      ...(onExit === undefined ? {} : { onExit }),
    })

  t.test('openssl s_client -starttls pop3: the session continues inside TLS', async (t) => {
    const s = await server()
    const r = await run(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${s.port}`,
        '-starttls',
        'pop3',
        '-quiet',
        '-servername',
        'mail.example.org',
        '-CAfile',
        pki.ca,
        '-verify_return_error',
      ],
      'CAPA\r\nINFO\r\nRETR 1\r\nQUIT\r\n',
    )
    await s.close()
    t.equal(r.status, 0, `the client succeeded ${r.status === 0 ? '' : r.err}`)
    t.match(r.out, /\+OK\r\nUSER\r\n\.\r\n/, 'CAPA after STLS no longer offers STLS')
    t.match(
      r.out,
      /\+OK TLSv1\.3 TLS_\w+ \[mail\.example\.org\]\r\n/,
      'Y brought the TLS facts back',
    )
    t.match(r.out, /hello from fake over TLSv1\.3/)
    t.match(r.out, /\+OK bye\r\n$/)
    t.equal(
      s.stderr(),
      'fake: STLS\nfake: CAPA [tls]\nfake: INFO [tls]\nfake: RETR [tls]\nfake: QUIT [tls]\n',
    )
  })

  t.test("'y' starts TLS without the facts", async (t) => {
    const s = await server({ FAKE_MODE: 'y' })
    t.teardown(() => s.close())
    const c = await Client.connect(s.port)
    t.equal(await c.line(), '+OK fake ready')
    t.equal(await c.cmd('STLS'), '+OK begin TLS')
    const tc = overTls(await upgrade(c, pki.ca))
    t.equal(await tc.cmd('INFO'), '+OK yes  []')
    t.equal(await tc.cmd('QUIT'), '+OK bye')
    t.equal(await tc.untilClosed(), '')
  })

  t.test(
    'plaintext sent after STLS is never executed (STARTTLS injection, CVE-2011-0411 class)',
    async (t) => {
      let code: number | null = null
      const s = await server({}, (c) => (code = c))
      const c = await Client.connect(s.port)
      t.equal(await c.line(), '+OK fake ready')
      c.send('STLS\r\nCAPA\r\n')
      t.equal(await c.line(), '+OK begin TLS')
      const err = await failure(upgrade(c, pki.ca))
      await s.close()
      t.ok(err, 'the handshake failed: the injected line went to the TLS parser')
      t.notMatch(
        s.stderr(),
        /fake: CAPA/,
        'CAPA never reached the frontend, in plaintext or in TLS',
      )
      t.match(s.stderr(), /pop-tls\[\d+\]: warning: TLS handshake with 127\.0\.0\.1 failed: /)
      t.match(s.stderr(), /fake: no TLS/, 'the frontend saw the control socket close without facts')
      t.equal(code, 1, "pop-tls ends with the frontend's status")
    },
  )

  t.test('the injected bytes never come back as a reply either', async (t) => {
    const s = await server()
    const c = await Client.connect(s.port)
    t.equal(await c.line(), '+OK fake ready')
    c.send('STLS\r\nCAPA\r\nQUIT\r\n')
    t.equal(await c.line(), '+OK begin TLS')
    // No handshake at all: pop-tls's TLS parser reads the plaintext and gives up.
    const rest = await c.untilClosed()
    await s.close()
    t.notMatch(rest, /USER|bye/)
    t.notMatch(s.stderr(), /fake: (CAPA|QUIT)/)
  })

  t.test('a frontend that never asks keeps the plaintext connection, untouched', async (t) => {
    let code: number | null = null
    const s = await server({}, (c) => (code = c))
    const c = await Client.connect(s.port)
    t.equal(await c.line(), '+OK fake ready')
    c.send('CAPA\r\nNOOP\r\nQUIT\r\n')
    t.equal(await c.line(), '+OK')
    t.equal(await c.line(), 'USER')
    t.equal(await c.line(), 'STLS')
    t.equal(await c.line(), '.')
    t.equal(await c.line(), '+OK')
    t.equal(await c.line(), '+OK bye')
    t.equal(await c.untilClosed(), '')
    await s.close()
    t.equal(code, 0)
    t.equal(s.stderr(), 'fake: CAPA\nfake: NOOP\nfake: QUIT\n')
  })

  t.test('TLS facts from outside never reach the frontend before the handshake', async (t) => {
    const s = await server({
      SSL_PROTOCOL: 'TLSv1.3',
      SSL_CIPHER: 'forged',
      CERTFILE: '/x',
      KEYFILE: '/y',
    })
    t.teardown(() => s.close())
    const c = await Client.connect(s.port)
    t.equal(await c.line(), '+OK fake ready')
    t.equal(await c.cmd('INFO'), '+OK   []')
    t.equal(await c.cmd('QUIT'), '+OK bye')
  })

  t.test('a TLS 1.0 client after STLS is refused; the frontend is told and ends', async (t) => {
    let code: number | null = null
    const s = await server({}, (c) => (code = c))
    const c = await Client.connect(s.port)
    t.equal(await c.line(), '+OK fake ready')
    t.equal(await c.cmd('STLS'), '+OK begin TLS')
    const err = await failure(
      upgrade(c, pki.ca, {
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      }),
    )
    await s.close()
    t.ok(err)
    t.match(s.stderr(), /TLS handshake with 127\.0\.0\.1 failed: unsupported protocol/)
    t.equal(code, 1)
  })

  t.test(
    'an unreadable certificate at STLS time: logged, the frontend is told, exit 111',
    async (t) => {
      let code: number | null = null
      const s = await serve(
        [
          process.execPath,
          bin('pop-tls'),
          '--starttls',
          '--cert',
          '/nonexistent/cert.pem',
          '--key',
          '/nonexistent/key.pem',
          process.execPath,
          FAKE,
        ],
        { env: testEnv(), onExit: (c) => (code = c) },
      )
      const c = await Client.connect(s.port)
      t.equal(await c.line(), '+OK fake ready')
      t.equal(await c.cmd('STLS'), '+OK begin TLS')
      t.ok(await failure(upgrade(c, pki.ca)), 'no TLS')
      await s.close()
      t.equal(code, 111)
      t.match(s.stderr(), /pop-tls\[\d+\]: fatal: cannot read \/nonexistent\/cert\.pem: ENOENT\n/)
      t.match(s.stderr(), /fake: no TLS/)
    },
  )

  t.test('an unknown control command is logged and TLS is not started', async (t) => {
    const child = [
      'sh',
      '-c',
      'printf x >&"$SSLCTLFD"; printf "+OK plain\\r\\n"; read line; printf "+OK %s\\r\\n" "$line"',
    ]
    const s = await serve([process.execPath, bin('pop-tls'), ...tlsArgs, ...child], {
      env: testEnv(),
    })
    const c = await Client.connect(s.port)
    t.equal(await c.line(), '+OK plain')
    t.equal(await c.cmd('hello'), '+OK hello\r', 'the connection stays plaintext, untouched')
    await c.untilClosed()
    await s.close()
    t.match(s.stderr(), /pop-tls\[\d+\]: warning: unknown UCSPI-TLS command from sh: x\n/)
  })

  t.test('a large reply inside STLS arrives whole', async (t) => {
    const s = await server()
    t.teardown(() => s.close())
    const c = await Client.connect(s.port)
    t.equal(await c.line(), '+OK fake ready')
    t.equal(await c.cmd('STLS'), '+OK begin TLS')
    const tc = overTls(await upgrade(c, pki.ca))
    tc.send('BIG 30000\r\nQUIT\r\n')
    t.equal(await tc.line(), '+OK big')
    const body = (await tc.body())!.toString('latin1').split('\r\n')
    t.equal(body.length, 30001)
    t.equal(body[29999], `line 29999 ${'x'.repeat(60)}`)
    t.equal(await tc.line(), '+OK bye')
    t.equal(await tc.untilClosed(), '')
  })

  t.test('curl --ssl-reqd pop3:// upgrades with STLS and retrieves a message', async (t) => {
    if (need(t, 'curl') === null) return
    const s = await server()
    const r = await run(
      'curl',
      [
        '-sS',
        '--ssl-reqd',
        '--cacert',
        pki.ca,
        '--resolve',
        `mail.example.org:${s.port}:127.0.0.1`,
        '-u',
        'joe:secret',
        `pop3://mail.example.org:${s.port}/1`,
      ],
      '',
    )
    await s.close()
    t.equal(r.status, 0, `the client succeeded ${r.status === 0 ? '' : r.err}`)
    t.match(r.out, /hello from fake over TLSv1\.3/)
    t.match(s.stderr(), /fake: STLS\n/)
    t.notMatch(s.stderr(), /fake: (USER|PASS|AUTH)\n/, 'no credentials in plaintext')
  })
}
