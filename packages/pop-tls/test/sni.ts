// pop-tls certificates: chosen by SNI (--certdir, s6-tlsd's CERTFILE:NAME), read anew for each connection.
import t from 'tap'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { bin, serve } from '../../pop-lib/test/fixtures/harness.js'
import { candidates, lookup } from '../src/certs.js'
import { failure, makePki, need, peerName, testEnv, tlsConnect } from './fixtures/tls.js'

const CHILD = ['sh', '-c', 'printf "+OK [%s]\\r\\n" "$SSL_TLS_SNI_SERVERNAME"']

t.test(
  'names looked up: the name itself, then the wildcard one level up; nothing odd',
  async (t) => {
    t.same(candidates('Mail.Example.ORG.'), ['mail.example.org', '*.example.org'])
    t.same(candidates('localhost'), ['localhost'])
    for (const bad of [
      '../etc/passwd',
      'a/b.example.org',
      '',
      '.example.org',
      'a..b',
      '-a.example.org',
      'x'.repeat(254),
      'caf\u00e9.org',
      '*.example.org',
    ])
      t.same(candidates(bad), [], JSON.stringify(bad))
    const env = {
      'CERTFILE:*.example.net': '/w.pem',
      'KEYFILE:*.example.net': '/w.key',
      'CERTFILE:lonely.example.net': '/l.pem',
    }
    t.same(lookup({ env }, 'pop.example.net'), { cert: '/w.pem', key: '/w.key' })
    t.same(
      lookup({ env }, 'lonely.example.net'),
      { cert: '/w.pem', key: '/w.key' },
      'a CERTFILE without its KEYFILE is ignored',
    )
    t.equal(lookup({ env }, 'example.org'), null)
  },
)

if (need(t, 'openssl') !== null) {
  const pki = makePki([
    'default.example.com',
    'mail.example.org',
    '*.example.net',
    'env.example.org',
  ])
  const dir = join(pki.dir, 'certs')
  mkdirSync(dir)
  for (const name of ['mail.example.org', '*.example.net']) {
    const base = name.replace(/^\*/, '_')
    copyFileSync(pki.cert(name), join(dir, `${base}.pem`))
    copyFileSync(pki.key(name), join(dir, `${base}.key`))
  }
  const withDefault = [
    '--cert',
    pki.cert('default.example.com'),
    '--key',
    pki.key('default.example.com'),
  ]

  t.test(
    '--certdir picks by SNI; no SNI or an unknown name gets the default certificate',
    async (t) => {
      const s = await serve(
        [process.execPath, bin('pop-tls'), ...withDefault, '--certdir', dir, ...CHILD],
        { env: testEnv() },
      )
      t.teardown(() => s.close())
      const cases: [string | undefined, string][] = [
        ['mail.example.org', 'mail.example.org'],
        ['MAIL.example.org', 'mail.example.org'],
        ['pop.example.net', '*.example.net'],
        ['unknown.example.org', 'default.example.com'],
        [undefined, 'default.example.com'],
      ]
      for (const [sni, cn] of cases) {
        const sock = await tlsConnect(s.port, pki.ca, {
          servername: sni ?? '',
          checkServerIdentity: () => undefined,
        })
        t.equal(peerName(sock), cn, `SNI ${sni ?? '(none)'} gets ${cn}`)
        const reply = await new Promise<string>((r) =>
          sock.once('data', (d: Buffer) => r(d.toString('latin1'))),
        )
        t.equal(
          reply,
          `+OK [${sni ?? ''}]\r\n`,
          'the name reaches the child as SSL_TLS_SNI_SERVERNAME',
        )
        sock.destroy()
      }
    },
  )

  t.test("openssl s_client -servername, and s6-tlsd's CERTFILE:NAME / KEYFILE:NAME", async (t) => {
    const env = testEnv({
      'CERTFILE:env.example.org': pki.cert('env.example.org'),
      'KEYFILE:env.example.org': pki.key('env.example.org'),
    })
    const s = await serve([process.execPath, bin('pop-tls'), '--certdir', dir, ...CHILD], { env })
    t.teardown(() => s.close())
    for (const [sni, cn] of [
      ['env.example.org', 'env.example.org'],
      ['imap.example.net', '*.example.net'],
    ]) {
      const out = await new Promise<string>((resolve) => {
        const p = spawn(
          'openssl',
          [
            's_client',
            '-connect',
            `127.0.0.1:${s.port}`,
            '-servername',
            sni!,
            '-CAfile',
            pki.ca,
            '-verify_return_error',
            '-verify_hostname',
            sni!,
          ],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        )
        let o = ''
        p.stdout.on('data', (d: Buffer) => (o += d.toString('latin1')))
        p.on('close', () => resolve(o))
        p.stdin.end()
      })
      t.match(out, new RegExp(`subject=CN ?= ?${cn!.replace(/[.*]/g, '\\$&')}\\n`), `${sni}: ${cn}`)
      t.match(out, /Verify return code: 0 \(ok\)/)
    }
  })

  t.test(
    'only a --certdir and no matching name: the handshake fails, logged, nothing started',
    async (t) => {
      let code: number | null = null
      const s = await serve([process.execPath, bin('pop-tls'), '--certdir', dir, ...CHILD], {
        env: testEnv(),
        onExit: (c) => (code = c),
      })
      const err = await failure(tlsConnect(s.port, pki.ca, { servername: 'nowhere.example.com' }))
      await s.close()
      t.ok(err)
      t.equal(code, 100)
      t.match(s.stderr(), /TLS handshake with 127\.0\.0\.1 failed: /)
    },
  )

  t.test(
    'a renewed certificate is served from the next connection on, without a restart',
    async (t) => {
      const live = join(pki.dir, 'live')
      mkdirSync(live)
      const install = (name: string): void => {
        copyFileSync(pki.cert(name), join(live, 'cert.pem'))
        copyFileSync(pki.key(name), join(live, 'key.pem'))
      }
      install('mail.example.org')
      const s = await serve(
        [
          process.execPath,
          bin('pop-tls'),
          '--cert',
          join(live, 'cert.pem'),
          '--key',
          join(live, 'key.pem'),
          ...CHILD,
        ],
        { env: testEnv() },
      )
      t.teardown(() => s.close())
      const first = await tlsConnect(s.port, pki.ca, { checkServerIdentity: () => undefined })
      t.equal(peerName(first), 'mail.example.org')
      first.destroy()
      install('default.example.com')
      const second = await tlsConnect(s.port, pki.ca, { checkServerIdentity: () => undefined })
      t.equal(peerName(second), 'default.example.com')
      second.destroy()
    },
  )
}
