// pop-tls in implicit mode (port 995): handshake first, then the child over a plaintext relay.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import tls from 'node:tls'
import { bin, serve, executable } from '../../pop-lib/test/fixtures/harness.js'
import {
  FAKE,
  popTlsArgv,
  failure,
  makePki,
  need,
  overTls,
  run,
  testEnv,
  tlsConnect,
} from './fixtures/tls.js'

if (need(t, 'openssl') !== null) {
  const pki = makePki(['mail.example.org'])
  const popTls = popTlsArgv(pki)
  const server = (child: string[]) => serve([...popTls, ...child], { env: testEnv() })

  t.test('relays a session and passes the negotiated protocol and cipher on', async (t) => {
    const s = await server([process.execPath, FAKE])
    t.teardown(() => s.close())
    const sock = await tlsConnect(s.port, pki.ca)
    const c = overTls(sock)
    t.equal(await c.line(), '+OK fake ready')
    const info = await c.cmd('INFO')
    t.equal(info, `+OK ${sock.getProtocol()} ${sock.getCipher().name} [mail.example.org]`)
    t.match(info, /^\+OK TLSv1\.[23] /)
    t.equal(await c.cmd('CAPA'), '+OK')
    t.equal(await c.line(), 'USER', 'no STLS is offered inside implicit TLS')
    t.equal(await c.line(), '.')
    t.equal(await c.cmd('QUIT'), '+OK bye')
    t.equal(await c.untilClosed(), '')
  })

  t.test('pipelined commands and a large reply arrive whole, in order', async (t) => {
    const s = await server([process.execPath, FAKE])
    t.teardown(() => s.close())
    const c = overTls(await tlsConnect(s.port, pki.ca))
    t.equal(await c.line(), '+OK fake ready')
    c.send('BIG 20000\r\nINFO\r\nQUIT\r\n')
    t.equal(await c.line(), '+OK big')
    const body = (await c.body())!.toString('latin1').split('\r\n')
    t.equal(body.length, 20001)
    t.equal(body[19999], `line 19999 ${'x'.repeat(60)}`)
    t.match(await c.line(), /^\+OK TLSv1/)
    t.equal(await c.line(), '+OK bye')
    t.equal(await c.untilClosed(), '')
  })

  t.test(
    "the client's end of input reaches the child, whose last words still go out",
    async (t) => {
      const s = await server(['sh', '-c', 'printf "+OK hi\\r\\n"; cat; echo "+OK that was all"'])
      t.teardown(() => s.close())
      const sock = await tlsConnect(s.port, pki.ca)
      const c = overTls(sock)
      t.equal(await c.line(), '+OK hi')
      c.send('one\r\ntwo\r\n')
      sock.end()
      t.equal(await c.untilClosed(), 'one\r\ntwo\r\n+OK that was all\n')
    },
  )

  t.test(
    "the child's descriptors 0 and 1 are in blocking mode, as a C program expects",
    async (t) => {
      if (need(t, 'python3') === null) return
      const py =
        'import os, fcntl, sys\nnb = lambda fd: "nonblocking" if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK else "blocking"\nsys.stdout.write("+OK %s %s\\r\\n" % (nb(0), nb(1)))\n'
      const s = await server(['python3', '-c', py])
      t.teardown(() => s.close())
      const c = overTls(await tlsConnect(s.port, pki.ca))
      t.equal(await c.line(), '+OK blocking blocking')
    },
  )

  t.test("the child's exit status is pop-tls's", async (t) => {
    let code: number | null = null
    const s = await serve([...popTls, 'sh', '-c', 'printf "+OK\\r\\n"; exit 7'], {
      env: testEnv(),
      onExit: (c) => (code = c),
    })
    const c = overTls(await tlsConnect(s.port, pki.ca))
    t.equal(await c.line(), '+OK')
    t.equal(await c.untilClosed(), '')
    await s.close()
    t.equal(code, 7)
  })

  t.test('a client offering only TLS 1.0 is refused, and nothing is started', async (t) => {
    const marker = join(pki.dir, 'started-tls1')
    const child = executable(join(pki.dir, 'child.sh'), `#!/bin/sh\ntouch '${marker}'\nexec cat\n`)
    let code: number | null = null
    const s = await serve([...popTls, child], { env: testEnv(), onExit: (c) => (code = c) })
    const err = await failure(
      tlsConnect(s.port, pki.ca, {
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      }),
    )
    await s.close()
    t.ok(err, 'the handshake failed')
    t.match(
      String((err as { code?: string } | null)?.code),
      /ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION|ECONNRESET/,
    )
    t.equal(code, 100)
    t.notOk(existsSync(marker), 'the child never ran')
    t.match(
      s.stderr(),
      /pop-tls\[\d+\]: warning: TLS handshake with 127\.0\.0\.1 failed: unsupported protocol\n/,
    )
  })

  t.test('openssl s_client -tls1 is refused too', async (t) => {
    const s = await server(['sh', '-c', 'echo "+OK should not run"'])
    const r = await run(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${s.port}`,
        '-tls1',
        '-cipher',
        'DEFAULT@SECLEVEL=0',
        '-quiet',
      ],
      '',
    )
    await s.close()
    t.not(r.status, 0)
    t.notMatch(r.out, /should not run/)
    t.match(s.stderr(), /TLS handshake with 127\.0\.0\.1 failed/)
  })

  t.test('plaintext on the TLS port is refused with one log line', async (t) => {
    const s = await server(['sh', '-c', 'echo "+OK should not run"'])
    const { Client } = await import('../../pop-lib/test/fixtures/harness.js')
    const c = await Client.connect(s.port)
    c.send('USER joe\r\n')
    const rest = await c.untilClosed()
    await s.close()
    t.notMatch(rest, /should not run/)
    t.equal(
      s
        .stderr()
        .split('\n')
        .filter((l) => /handshake/.test(l)).length,
      1,
    )
  })

  t.test('a missing certificate file is a temporary failure before any handshake', async (t) => {
    let code: number | null = null
    const s = await serve(
      [
        process.execPath,
        bin('pop-tls'),
        '--cert',
        join(pki.dir, 'nope.pem'),
        '--key',
        pki.key('mail.example.org'),
        'cat',
      ],
      { env: testEnv(), onExit: (c) => (code = c) },
    )
    const err = await failure(tlsConnect(s.port, pki.ca))
    await s.close()
    t.ok(err)
    t.equal(code, 111)
    t.match(s.stderr(), /fatal: cannot read .*nope\.pem: ENOENT/)
  })

  const root = process.getuid?.() === 0
  t.test(
    'runs as an unprivileged user that can read the key',
    { skip: root ? false : 'needs root' },
    async (t) => {
      if (need(t, 'setpriv') === null) return
      const { chmodSync } = await import('node:fs')
      chmodSync(pki.dir, 0o755)
      chmodSync(pki.key('mail.example.org'), 0o644)
      t.teardown(() => chmodSync(pki.key('mail.example.org'), 0o600))
      const s = await serve(
        [
          'setpriv',
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          ...popTlsArgv(pki),
          'sh',
          '-c',
          'printf "+OK uid %s\\r\\n" "$(id -u)"',
        ],
        { env: testEnv() },
      )
      t.teardown(() => s.close())
      const c = overTls(await tlsConnect(s.port, pki.ca))
      t.equal(await c.line(), '+OK uid 65534')
    },
  )

  t.test('TLS over two pipes (fd 0 read, fd 1 written)', async (t) => {
    const { spawn } = await import('node:child_process')
    const { Duplex } = await import('node:stream')
    const p = spawn(process.execPath, [...popTls.slice(1), process.execPath, FAKE], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: testEnv(),
    })
    const exited = new Promise<number | null>((r) => p.on('exit', (c) => r(c)))
    const duplex = Duplex.from({ readable: p.stdout, writable: p.stdin })
    const sock = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect(
        { socket: duplex, ca: [readFileSync(pki.ca)], servername: 'mail.example.org' },
        () => resolve(s),
      )
      s.once('error', reject)
    })
    const c = overTls(sock)
    t.equal(await c.line(), '+OK fake ready')
    t.match(await c.cmd('INFO'), /^\+OK TLSv1/)
    t.equal(await c.cmd('QUIT'), '+OK bye')
    t.equal(await exited, 0)
  })
}
