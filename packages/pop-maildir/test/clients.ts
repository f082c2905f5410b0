// Real clients (Python's poplib, curl) retrieve every kind of message byte for byte, sizes exact.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { readFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { serve, needTool } from '../../pop-lib/test/fixtures/harness.js'
import { nobodyMaildir, maildirArgv, nobodyEnv, untapped } from './fixtures/serve.js'

const frontend = join(import.meta.dirname, 'fixtures/fake-frontend.sh')

const b = (s: string): Buffer => Buffer.from(s, 'latin1')
const line = 'x'.repeat(99) + '\n'
const fixtures: Buffer[] = [
  b('Subject: dots\n\n.\n..\n.leading dot\nend\n'),
  b('Subject: no final newline\n\nlast line'),
  b('Subject: stored with CRLF\r\n\r\n.dot\r\nbody\r\n'),
  Buffer.concat([b('Subject: 8-bit\n\n'), Buffer.from([0, 1, 0xe9, 0xff, 0x80, 10, 0, 10])]),
  Buffer.concat([b('Subject: big\n\n.x\n'), b(line.repeat(500000))]),
]

/** What a client has after undoing dot-stuffing and CRLF: LF lines, the last one ended. */
const lf = (m: Buffer): Buffer => {
  const s = m.toString('latin1').replace(/\r\n/g, '\n')
  return b(s === '' || s.endsWith('\n') ? s : s + '\n')
}
const crlf = (m: Buffer): Buffer => b(lf(m).toString('latin1').replace(/\n/g, '\r\n'))

const setup = async (t: Test) => {
  const dir = t.testdir({ out: {} })
  // All delivered now: the last ones within this very second.
  nobodyMaildir(
    join(dir, 'Maildir'),
    fixtures.map((content, i) => ({ content, name: `${1700000000 + i}.M${i}P1.host` })),
  )
  const s = await serve(untapped(['sh', frontend, ...maildirArgv(join(dir, 'Maildir'))]), {
    env: nobodyEnv({ USER: 'nobody' }),
  })
  t.teardown(() => s.close())
  return { dir, s }
}

/** Runs a client without blocking the event loop (the server runs in this process). */
const run = (
  cmd: string,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 90000 })
    let stdout = ''
    let stderr = ''
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')))
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')))
    c.on('close', (status) => resolve({ status, stdout, stderr }))
  })

const POPLIB = `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=60)
p.user('u'); p.pass_('p')
count, size = p.stat()
sizes = [int(l.split()[1]) for l in p.list()[1]]
print(count, size, *sizes)
for i in range(1, count + 1):
    resp, lines, octets = p.retr(i)
    open('%s/%d' % (sys.argv[2], i), 'wb').write(b''.join(l + b'\\n' for l in lines))
print(*[l.decode() for l in p.uidl()[1]])
p.quit()
`

t.test('poplib: STAT and LIST sizes exact, RETR byte for byte', async (t) => {
  if (needTool(t, 'python3') === null) return
  const { dir, s } = await setup(t)
  const r = await run('python3', ['-c', POPLIB, String(s.port), join(dir, 'out')])
  t.equal(r.status, 0, r.stderr)
  const [counts, uidls] = r.stdout.trim().split('\n')
  const sizes = fixtures.map((m) => crlf(m).length)
  t.equal(counts, [fixtures.length, sizes.reduce((a, c) => a + c, 0), ...sizes].join(' '))
  t.equal(uidls, fixtures.map((_, i) => `${i + 1} ${1700000000 + i}.M${i}P1.host`).join(' '))
  fixtures.forEach((m, i) =>
    t.ok(readFileSync(join(dir, 'out', String(i + 1))).equals(lf(m)), `message ${i + 1}`),
  )
  await s.close()
})

t.test('curl: RETR byte for byte (CRLF kept, dot-stuffing undone), LIST sizes exact', async (t) => {
  if (needTool(t, 'curl') === null) return
  const { dir, s } = await setup(t)
  mkdirSync(join(dir, 'curl'))
  const url = `pop3://u:p@127.0.0.1:${s.port}`
  const list = await run('curl', ['-s', '--max-time', '60', `${url}/`])
  t.equal(list.stdout, fixtures.map((m, i) => `${i + 1} ${crlf(m).length}\r\n`).join(''))
  for (let i = 0; i < fixtures.length; i++) {
    const r = await run('curl', [
      '-s',
      '--max-time',
      '60',
      '-o',
      join(dir, 'curl', String(i + 1)),
      `${url}/${i + 1}`,
    ])
    t.equal(r.status, 0, `curl RETR ${i + 1}`)
    t.ok(
      readFileSync(join(dir, 'curl', String(i + 1))).equals(crlf(fixtures[i]!)),
      `message ${i + 1}`,
    )
  }
  const uidl = await run('curl', ['-s', '--max-time', '60', '-X', 'UIDL', `${url}/`])
  t.equal(uidl.stdout.split('\r\n').length, fixtures.length + 1)
  await s.close()
})
