// Reading a pipe or socket through the event loop: exact, handed over in blocking mode, and never
// a read(2) left blocked that would keep a process from exiting at its idle timeout.
import t from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const child = join(import.meta.dirname, 'fixtures', 'read-lines.ts')

/** Runs the reader on a pipe; send() writes to it; resolves what it printed and its exit code. */
const run = (args: string[]) => {
  // tap's TypeScript loader, and only it (its other hooks report to tap over a channel).
  const ts = process.execArgv.filter((a) => a.includes('typescript'))
  const p = spawn(process.execPath, [...ts, child, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  let seen: [string, () => void] | null = null
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1')
    if (seen !== null && out.includes(seen[0])) seen[1]()
  })
  /** Resolves once the reader printed text. */
  const printed = (text: string): Promise<void> =>
    new Promise((res) => {
      seen = [text, res]
      if (out.includes(text)) res()
    })
  const done = new Promise<{ out: string; code: number | null }>((resolve) =>
    p.on('close', (code) => resolve({ out, code })),
  )
  return { send: (s: string) => p.stdin.write(s), end: () => p.stdin.end(), printed, done }
}

t.test('exact: one line taken, the rest left for a blocking read after handOver', async (t) => {
  const r = run(['exact', '1'])
  r.send('USER a\r\nPASS b\r\n')
  const got = await r.done
  t.equal(got.out, 'line USER a\nrest "PASS b\\r\\n"\n')
  t.equal(got.code, 0)
})

t.test('exact: a line that comes in pieces, then the end of input', async (t) => {
  const r = run(['exact', '2'])
  r.send('US')
  await new Promise((res) => setTimeout(res, 50))
  r.send('ER a\n')
  r.end()
  const got = await r.done
  t.equal(got.out.split('\n').slice(0, 2).join('\n'), 'line USER a\neof')
})

t.test('chunked: several lines per read', async (t) => {
  const r = run(['chunked', '3'])
  r.send('A\r\nB\r\nC\r\n')
  // Read ahead is what this mode does: send the rest only once the three lines are taken.
  await r.printed('line C\n')
  r.send('D')
  const got = await r.done
  t.equal(got.out, 'line A\nline B\nline C\nrest "D"\n')
})

t.test('a silent writer does not keep the process from exiting', async (t) => {
  for (const mode of ['exact', 'chunked']) {
    const r = run([mode, '1', '300'])
    // The pipe stays open and nothing comes: the idle timer ends the process.
    const hung = new Promise<'hung'>((res) => setTimeout(() => res('hung'), 20_000).unref())
    const got = await Promise.race([r.done, hung])
    t.not(got, 'hung', `${mode}: exited`)
    if (got !== 'hung') t.same(got, { out: 'idle\n', code: 3 }, mode)
    r.end()
  }
})
