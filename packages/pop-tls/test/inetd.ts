// pop-tls under inetd (Debian openbsd-inetd, or xinetd, which replaces it): one socket on fds 0, 1 and 2, no TCP variables.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { executable, findTool } from '../../pop-lib/test/fixtures/harness.js'
import {
  startServer,
  need,
  inetdConf,
  xinetdConf,
  xinetdArgs,
} from '../../../test/fixtures/servers.js'
import { FAKE, popTlsArgv, failure, makePki, overTls, testEnv, tlsConnect } from './fixtures/tls.js'

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

t.test(
  'inetd nowait: a session over the same socket twice, and the peer address from the socket',
  async (t) => {
    // the two Debian packages exclude each other: use whichever is there
    const inetd = findTool('inetd')
    const xinetd = inetd === null ? need(t, 'xinetd') : null
    if ((inetd === null && xinetd === null) || need(t, 'openssl') === null) return
    const pki = makePki(['mail.example.org'])
    const log = join(pki.dir, 'pop-tls.log')
    const argv = [...popTlsArgv(pki), process.execPath, FAKE]
    // inetd's fd 2 is the connection too: the log goes to a file
    const wrapper = executable(
      join(pki.dir, 'pop3s-inetd'),
      `#!/bin/sh\nexec ${argv.map(q).join(' ')} 2>>${q(log)}\n`,
    )
    const conf = join(pki.dir, 'inetd.conf')
    const s = await startServer(t, (port) => {
      if (inetd !== null) {
        writeFileSync(conf, inetdConf(port, wrapper, 'pop3s-inetd'))
        return { cmd: inetd, args: ['-d', conf], env: testEnv() }
      }
      writeFileSync(conf, xinetdConf(port, wrapper, 'pop3s-test'))
      return { cmd: xinetd!, args: xinetdArgs(conf, pki.dir), env: testEnv() }
    })
    const c = overTls(await tlsConnect(s.port, pki.ca))
    t.equal(await c.line(), '+OK fake ready')
    t.match(await c.cmd('INFO'), /^\+OK TLSv1\.3 /)
    t.equal(await c.cmd('QUIT'), '+OK bye')
    t.equal(await c.untilClosed(), '')
    const tls1 = {
      maxVersion: 'TLSv1',
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    } as const
    t.ok(await failure(tlsConnect(s.port, pki.ca, tls1)), 'TLS 1.0 refused')
    // pop-tls writes its line just after the alert went out: wait for it (bounded)
    const want = /warning: TLS handshake with 127\.0\.0\.1 failed: unsupported protocol/
    for (let i = 0; i < 200 && !want.test(readFileSync(log, 'latin1')); i++)
      await new Promise((r) => setTimeout(r, 50))
    await s.close()
    t.match(
      readFileSync(log, 'latin1'),
      /warning: TLS handshake with 127\.0\.0\.1 failed: unsupported protocol/,
      'the address comes from the socket',
    )
  },
)
