// pop-tls before the full chain (pop-frontend, pop-checkpassword, pop-maildir): real clients retrieve mail over TLS.
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { bin, Client, serve } from '../../pop-lib/test/fixtures/harness.js'
import {
  makeWorld,
  ourChain,
  stage,
  readAll,
  sameMessages,
  stripTop,
  lf,
  MESSAGES,
  USER,
  PASS,
  type World,
} from '../../../test/fixtures/world.js'
import { tcpserver } from '../../../test/fixtures/servers.js'
import { makePki, need, overTls, run, testEnv, type Pki } from './fixtures/tls.js'

const HOST = 'mail.example.org'

/** The chain's environment without tap's NODE_OPTIONS hook, which would load into every stage. */
const cleanEnv = (w: World): NodeJS.ProcessEnv => testEnv({ CVM_PWFILE_PATH: w.cvmPwfile })

const popTls = (pki: Pki, starttls: boolean): string[] => [
  bin('pop-tls'),
  ...(starttls ? ['--starttls'] : []),
  '--cert',
  pki.cert(HOST),
  '--key',
  pki.key(HOST),
]

/** Message 2 (dot lines) as a client printed it raw: from its first line to the terminator, unstuffed. */
const second = (out: string): string => {
  const at = out.indexOf('From: carol@example.org')
  const end = out.indexOf('\r\n.\r\n', at)
  if (at < 0 || end < 0) return `(not found in ${JSON.stringify(out.slice(0, 400))})`
  return out
    .slice(at, end + 2)
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? l.slice(1) : l))
    .join('\n')
}

const SESSION = `USER ${USER}\r\nPASS ${PASS}\r\nRETR 2\r\nQUIT\r\n`

const setup = async (t: Test, starttls: boolean, under: 'tcpserver' | 'launcher' = 'tcpserver') => {
  const w = makeWorld(t)
  const pki = makePki([HOST])
  const argv = [...popTls(pki, starttls), ...ourChain(w)]
  if (under === 'tcpserver') {
    const s = await tcpserver(t, ['-R', '-H'], argv, cleanEnv(w))
    return { w, pki, port: s.port, log: s.log }
  }
  const s = await serve([process.execPath, ...argv], { env: cleanEnv(w) })
  t.teardown(() => s.close())
  return { w, pki, port: s.port, log: s.stderr }
}

if (need(t, 'openssl') !== null) {
  t.test('openssl s_client -connect (port 995 style) under tcpserver', async (t) => {
    if (need(t, 'tcpserver') === null) return
    const { pki, port, log } = await setup(t, false)
    const r = await run(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-quiet',
        '-servername',
        HOST,
        '-CAfile',
        pki.ca,
        '-verify_return_error',
      ],
      SESSION,
    )
    t.equal(r.status, 0, `s_client succeeded${r.status === 0 ? '' : r.err + log()}`)
    t.match(r.out, /^\+OK <[^>]+@mail\.example\.org>\r\n/)
    t.equal(second(r.out), MESSAGES[1]!.toString('latin1'), 'message 2 byte-identical')
    t.match(r.out, /\+OK[^\r\n]*\r\n$/, 'QUIT answered')
  })

  t.test('openssl s_client -starttls pop3 (port 110 style) under tcpserver', async (t) => {
    if (need(t, 'tcpserver') === null) return
    const { pki, port, log } = await setup(t, true)
    const r = await run(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-starttls',
        'pop3',
        '-quiet',
        '-servername',
        HOST,
        '-CAfile',
        pki.ca,
        '-verify_return_error',
      ],
      SESSION,
    )
    t.equal(r.status, 0, `s_client succeeded${r.status === 0 ? '' : r.err + log()}`)
    t.equal(second(r.out), MESSAGES[1]!.toString('latin1'), 'message 2 byte-identical')
  })

  t.test('curl pop3s:// and curl --ssl-reqd pop3://, through the launcher', async (t) => {
    if (need(t, 'curl') === null) return
    for (const starttls of [false, true]) {
      const { pki, port, log } = await setup(t, starttls, 'launcher')
      const url = `${starttls ? 'pop3' : 'pop3s'}://${HOST}:${port}/3`
      const r = await run('curl', [
        '-sS',
        ...(starttls ? ['--ssl-reqd'] : []),
        '--cacert',
        pki.ca,
        '--resolve',
        `${HOST}:${port}:127.0.0.1`,
        '-u',
        `${USER}:${PASS}`,
        url,
      ])
      t.equal(r.status, 0, `curl ${url}${r.status === 0 ? '' : r.err + log()}`)
      t.equal(
        lf(Buffer.from(r.out, 'latin1')).toString('latin1'),
        MESSAGES[2]!.toString('latin1'),
        `${url}: message 3 (8-bit) byte-identical`,
      )
    }
  })

  t.test('mpop with TLS on: implicit (tls_starttls off) and STLS (tls_starttls on)', async (t) => {
    if (need(t, 'tcpserver') === null || need(t, 'mpop') === null) return
    for (const starttls of [false, true]) {
      const { w, pki, port, log } = await setup(t, starttls)
      const home = join(w.dir, `mpop-${starttls}`)
      const md = join(home, 'Maildir')
      for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(md, sub), { recursive: true })
      const conf = join(home, 'mpoprc')
      writeFileSync(
        conf,
        [
          // mpop connects to the address but checks the certificate for HOST
          'account pop',
          'host 127.0.0.1',
          `tls_host_override ${HOST}`,
          `port ${port}`,
          'tls on',
          `tls_starttls ${starttls ? 'on' : 'off'}`,
          `tls_trust_file ${pki.ca}`,
          'auth user',
          `user ${USER}`,
          `password ${PASS}`,
          `uidls_file ${join(home, 'uidls')}`,
          'keep on',
          `delivery maildir ${md}`,
          '',
        ].join('\n'),
        { mode: 0o600 },
      )
      const r = await run('mpop', ['-C', conf, 'pop'], '', { ...process.env, HOME: home })
      t.equal(
        r.status,
        0,
        `mpop ${starttls ? 'STLS' : 'implicit'}${r.status === 0 ? '' : r.out + r.err + log()}`,
      )
      const got = readAll(join(md, 'new'))
        .map((m) => stripTop(m, ['Received']).toString('latin1'))
        .sort()
      t.same(got, MESSAGES.map((m) => m.toString('latin1')).sort(), 'every message, byte-identical')
    }
  })

  t.test('fetchmail with ssl (implicit) and with its default STLS', async (t) => {
    if (need(t, 'tcpserver') === null || need(t, 'fetchmail') === null) return
    for (const starttls of [false, true]) {
      const { w, pki, port, log } = await setup(t, starttls)
      const home = join(w.dir, `fetchmail-${starttls}`)
      const out = join(home, 'out')
      mkdirSync(out, { recursive: true })
      const save = w.file(
        `save-${starttls}`,
        '#!/bin/sh\nn=$(ls "$1" | wc -l)\ncat > "$1/$(printf %04d "$n")"\n',
        true,
      )
      const rc = join(home, 'fetchmailrc')
      writeFileSync(
        rc,
        `set no syslog\npoll 127.0.0.1 port ${port} proto pop3\n  user "${USER}" password "${PASS}" ${starttls ? '' : 'ssl'} sslcertck sslcertfile "${pki.ca}" sslcommonname ${HOST}\n  mda "${save} ${out}" keep fetchall\n`,
        { mode: 0o600 },
      )
      const r = await run(
        'fetchmail',
        ['-f', rc, '--idfile', join(home, 'ids'), '--nodetach', '-v'],
        '',
        { ...process.env, HOME: home, FETCHMAILHOME: home },
      )
      t.equal(
        r.status,
        0,
        `fetchmail ${starttls ? 'STLS' : 'ssl'}${r.status === 0 ? '' : r.out + r.err + log()}`,
      )
      sameMessages(
        t,
        readAll(out).map((m) => stripTop(m, ['Received'])),
        MESSAGES,
        starttls ? 'STLS' : 'ssl',
      )
      if (starttls) t.match(r.out + r.err, /STLS/, 'fetchmail used STLS')
    }
  })

  t.test(
    'the stunnel alternative of docs/pop-tls.md: inetd mode under tcpserver, curl pop3s://',
    async (t) => {
      if (need(t, 'tcpserver') === null || need(t, 'stunnel') === null || need(t, 'curl') === null)
        return
      const w = makeWorld(t)
      const pki = makePki([HOST])
      const [prog, ...rest] = ourChain(w)
      const conf = w.file(
        'pop3s.conf',
        [
          `cert = ${pki.cert(HOST)}`,
          `key = ${pki.key(HOST)}`,
          'sslVersionMin = TLSv1.2',
          `exec = ${prog}`,
          `execArgs = ${[prog, ...rest].join(' ')}`,
          '',
        ].join('\n'),
      )
      const s = await tcpserver(t, ['-R', '-H'], ['stunnel', conf], cleanEnv(w))
      const url = `pop3s://${HOST}:${s.port}/3`
      const r = await run('curl', [
        '-sS',
        '--cacert',
        pki.ca,
        '--resolve',
        `${HOST}:${s.port}:127.0.0.1`,
        '-u',
        `${USER}:${PASS}`,
        url,
      ])
      t.equal(r.status, 0, `curl ${url}${r.status === 0 ? '' : r.err + s.log()}`)
      t.equal(
        lf(Buffer.from(r.out, 'latin1')).toString('latin1'),
        MESSAGES[2]!.toString('latin1'),
        'message 3 byte-identical',
      )
    },
  )

  t.test(
    'pop-frontend --require-tls behind pop-tls --starttls: no password in plaintext, then a full session',
    async (t) => {
      const w = makeWorld(t)
      const pki = makePki([HOST])
      const argv = [
        ...popTls(pki, true),
        bin('pop-frontend'),
        '--require-tls',
        HOST,
        ...stage.checkpassword(w),
        ...stage.maildir(),
      ]
      const s = await serve([process.execPath, ...argv], { env: cleanEnv(w) })
      t.teardown(() => s.close())
      const c = await Client.connect(s.port)
      t.match(await c.line(), /^\+OK /)
      const before = (await c.multi('CAPA')).body!.toString('latin1').split('\r\n')
      t.ok(before.includes('STLS'), 'STLS offered')
      t.notOk(before.includes('USER'), 'USER not offered in plaintext')
      t.match(await c.cmd(`USER ${USER}`), /^-ERR/, 'USER refused in plaintext')
      t.match(await c.cmd('STLS'), /^\+OK/)
      const tls = await import('node:tls')
      const { readFileSync } = await import('node:fs')
      c.sock.removeAllListeners('data')
      const sock = await new Promise<import('node:tls').TLSSocket>((resolve, reject) => {
        const x = tls.connect({ socket: c.sock, ca: readFileSync(pki.ca), servername: HOST }, () =>
          resolve(x),
        )
        x.once('error', reject)
      })
      const tc = overTls(sock)
      const after = (await tc.multi('CAPA')).body!.toString('latin1').split('\r\n')
      t.notOk(after.includes('STLS'), 'no STLS inside TLS')
      t.ok(after.includes('USER'), 'USER offered inside TLS')
      t.equal(await tc.cmd(`USER ${USER}`), '+OK')
      t.match(await tc.cmd(`PASS ${PASS}`), /^\+OK/)
      t.match(await tc.cmd('STAT'), new RegExp(`^\\+OK ${MESSAGES.length} `))
      const r = await tc.multi('RETR 2')
      t.equal(
        lf(r.body!)
          .toString('latin1')
          .split('\n')
          .map((l) => (l.startsWith('.') ? l.slice(1) : l))
          .join('\n'),
        MESSAGES[1]!.toString('latin1'),
      )
      t.match(await tc.cmd('QUIT'), /^\+OK/)
      t.equal(await tc.untilClosed(), '')
    },
  )

  t.test(
    'STARTTLS injection through pop-frontend: the pipelined CAPA is never answered',
    async (t) => {
      const { pki, port, log } = await setup(t, true, 'launcher')
      const c = await Client.connect(port)
      t.match(await c.line(), /^\+OK /)
      c.send('STLS\r\nCAPA\r\n')
      t.match(await c.line(), /^\+OK/, 'STLS accepted')
      const tls = await import('node:tls')
      const { readFileSync } = await import('node:fs')
      c.sock.removeAllListeners('data')
      let plain = ''
      c.sock.on('data', (d: Buffer) => (plain += d.toString('latin1')))
      const err = await new Promise<Error | null>((resolve) => {
        const s = tls.connect(
          { socket: c.sock, ca: readFileSync(pki.ca), servername: HOST },
          () => {
            s.on('data', (d: Buffer) => (plain += d.toString('latin1')))
            setTimeout(() => (s.destroy(), resolve(null)), 500)
          },
        )
        s.once('error', resolve)
      })
      t.ok(err, 'the handshake failed: CAPA went to the TLS parser')
      t.notMatch(plain, /\+OK|TOP|UIDL/, 'no CAPA reply, in plaintext or inside TLS')
      t.match(log(), /pop-tls\[\d+\]: warning: TLS handshake with 127\.0\.0\.1 failed: /)
    },
  )
}
