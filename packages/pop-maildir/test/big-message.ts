// Big messages over TCP: a 50 MB message byte for byte, and a client that reads nothing.
import t from 'tap'
import net from 'node:net'
import { Client, listMaildir, unstuff } from '../../pop-lib/test/fixtures/harness.js'
import { serveMaildir, nobodyMaildir } from './fixtures/serve.js'

/** Waits (up to 30 s) until every session of the server has ended. */
const ended = async (s: { children: Set<unknown> }): Promise<void> => {
  for (let i = 0; i < 300 && s.children.size > 0; i++) await new Promise((r) => setTimeout(r, 100))
}

/** Sends a command on a raw socket and collects the whole multi-line reply quickly (no re-scanning). */
const fetchBig = (port: number, command: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let tail = ''
    let state = 0
    const sock = net.connect(port, '127.0.0.1')
    sock.on('error', reject)
    sock.on('end', () =>
      reject(
        new Error('closed early: ' + Buffer.concat(parts).subarray(0, 200).toString('latin1')),
      ),
    )
    sock.on('data', (d: Buffer) => {
      if (state === 0) {
        // The greeting, then the command.
        state = 1
        sock.write(command + '\r\n')
        return
      }
      parts.push(d)
      tail = (tail + d.subarray(-5).toString('latin1')).slice(-5)
      if (tail === '\r\n.\r\n') {
        sock.end('QUIT\r\n')
        sock.removeAllListeners('end')
        resolve(Buffer.concat(parts))
      }
    })
  })

t.test('a 50 MB message, streamed, byte-exact', async (t) => {
  const dir = t.testdir({})
  const line = 'x'.repeat(99) + '\n'
  const big = Buffer.from(
    ('.' + line).repeat(2) + line.repeat(500000) + '.no final newline',
    'latin1',
  )
  nobodyMaildir(dir, [{ content: big }])
  const s = await serveMaildir(dir)
  t.teardown(() => s.close())
  const size = big.length + 500002 + 2
  const got = await fetchBig(s.port, 'LIST 1\r\nRETR 1')
  const head = `+OK 1 ${size}\r\n+OK ${size} octets\r\n`
  t.equal(got.subarray(0, head.length).toString(), head)
  const body = got.subarray(head.length, got.length - 3)
  t.equal(body.length, size + 3, 'three stuffed dots')
  t.ok(unstuff(body).equals(Buffer.concat([big, Buffer.from('\n')])), 'byte-exact')
  await s.close()
})

t.test('a client that reads nothing is dropped after the timeout, not buffered for', async (t) => {
  const dir = t.testdir({})
  const big = Buffer.alloc(20 * 1024 * 1024, 'y\n')
  nobodyMaildir(dir, [{ content: big }])
  const s = await serveMaildir(dir, { POPMAILDIR_TIMEOUT: '1' })
  t.teardown(() => s.close())
  const c = await Client.connect(s.port)
  t.equal(await c.line(), '+OK 1 messages')
  c.sock.pause()
  c.send('RETR 1\r\n')
  await ended(s)
  t.equal(s.children.size, 0, 'the session ended')
  c.close()
  await s.close()
  t.match(s.stderr(), /reason=disconnect/)
  t.equal(listMaildir(dir).length, 1, 'message kept')
})
