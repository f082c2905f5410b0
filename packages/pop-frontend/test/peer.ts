// The client's address: launcher variables first, else the socket's peer found through /proc.
import t from 'tap'
import net from 'node:net'
import { endianness } from 'node:os'
import { spawn } from 'node:child_process'
import { procAddress, socketPeer, remoteAddress } from '../src/peer.js'
import { bin, chainEnv, Client } from '../../pop-lib/test/fixtures/harness.js'
import { PROG } from './fixtures/frontend.js'

t.test('/proc/net addresses', async (t) => {
  const le = endianness() === 'LE'
  t.equal(procAddress(le ? '0100007F' : '7F000001'), '127.0.0.1')
  t.equal(
    procAddress(le ? '0000000000000000FFFF00000701A8C0' : '00000000000000000000FFFFC0A80107'),
    '192.168.1.7',
  )
  t.equal(
    procAddress(le ? '00000000000000000000000001000000' : '00000000000000000000000000000001'),
    '::1',
  )
  t.equal(
    procAddress(le ? 'B80D0120000000000000000005000000' : '20010DB8000000000000000000000005'),
    '2001:db8::5',
  )
  t.equal(procAddress('nonsense'), null)
})

t.test('launcher variables win; ::ffff: is stripped', async (t) => {
  t.equal(remoteAddress({ TCPREMOTEIP: '192.0.2.1', REMOTE_ADDR: '192.0.2.2' }, -1), '192.0.2.1')
  t.equal(remoteAddress({ REMOTE_ADDR: '::ffff:192.0.2.2' }, -1), '192.0.2.2')
  t.equal(remoteAddress({}, -1), 'unknown')
})

t.test('the peer of a real TCP socket on an fd, IPv4 and IPv6', async (t) => {
  for (const host of ['127.0.0.1', '::1']) {
    const server = net.createServer()
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r))
    await new Promise<void>((r) => server.listen(0, host, r))
    const client = net.connect((server.address() as net.AddressInfo).port, host)
    const sock = await accepted
    const fd = (sock as unknown as { _handle: { fd: number } })._handle.fd
    t.equal(socketPeer(fd), host)
    t.equal(remoteAddress({}, fd), host)
    client.destroy()
    sock.destroy()
    server.close()
  }
  t.equal(socketPeer(2 ** 20), null, 'no such descriptor')
})

t.test('under an inetd-like launcher (no variables) the log names the peer', async (t) => {
  const env = chainEnv({ REC: t.testdir(), POP_FRONTEND_DELAY: '0' })
  for (const k of ['TCPREMOTEIP', 'REMOTE_ADDR']) delete env[k]
  let err = ''
  const server = net.createServer({ pauseOnConnect: true }, (sock) => {
    const p = spawn(bin('pop-frontend'), ['mail.example.org', PROG], {
      stdio: [sock, sock, 'pipe'],
      env,
    })
    p.stderr!.on('data', (d: Buffer) => (err += d.toString('latin1')))
    sock.destroy()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  const c = await Client.connect((server.address() as net.AddressInfo).port)
  await c.line()
  t.equal(await c.cmd('USER x'), '+OK')
  t.equal(await c.cmd('PASS y'), '-ERR [AUTH] authentication failed')
  t.equal(await c.cmd('QUIT'), '+OK')
  await c.untilClosed()
  for (let i = 0; i < 100 && !/login failed/.test(err); i++)
    await new Promise((r) => setTimeout(r, 20))
  t.match(err, /warning: login failed: ip=127\.0\.0\.1 mech=USER status=1 user=x/)
})
