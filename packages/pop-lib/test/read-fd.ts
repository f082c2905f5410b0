// readFdToEnd on the three kinds of fd 3: a pipe or socket, a FIFO, a regular file.
import t from 'tap'
import { buildProbe } from './fixtures/probe.js'
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'

// Runs a probe reading fd 3 with a 512-byte limit; prints the length read or the exit code.
const probe = (dir: string): Promise<string> =>
  buildProbe(
    dir,
    `import { readFdToEnd } from './read-fd.ts'
        try { const b = readFdToEnd(3, 512); process.stdout.write('read ' + b.length + ' ' + b.subarray(0, 8).toString('latin1')) }
        catch (e) { process.stdout.write('code ' + e.code) }`,
  )

const shell = (file: string, redirect: string): string =>
  spawnSync('sh', ['-c', `"$0" "$1" ${redirect}`, process.execPath, file], { encoding: 'utf8' })
    .stdout

t.test('a regular file', async (t) => {
  const dir = t.testdir({ data: 'user\0pass\0ts\0' })
  t.equal(shell(await probe(dir), `3<${join(dir, 'data')}`), 'read 13 user\0pas')
})

t.test('a FIFO', async (t) => {
  const dir = t.testdir()
  const file = await probe(dir)
  t.equal(
    spawnSync(
      'sh',
      [
        '-c',
        `mkfifo "$2/f"; printf 'u\\0p\\0t\\0' > "$2/f" & "$0" "$1" 3<"$2/f"`,
        process.execPath,
        file,
        dir,
      ],
      { encoding: 'utf8' },
    ).stdout,
    'read 6 u\0p\0t\0',
  )
})

t.test('a socket (what spawn with a pipe on fd 3 gives)', async (t) => {
  const file = await probe(t.testdir())
  const out = await new Promise<string>((resolve) => {
    const c = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] })
    let s = ''
    c.stdout!.on('data', (d: Buffer) => (s += d.toString('latin1')))
    c.on('exit', () => resolve(s))
    const w = c.stdio[3] as NodeJS.WritableStream
    w.write('x\0')
    setTimeout(() => w.end('y\0z\0'), 100)
  })
  t.equal(out, 'read 6 x\0y\0z\0')
})

t.test('more than the limit is misuse (2); no fd 3 is misuse (2)', async (t) => {
  const dir = t.testdir({ big: 'a'.repeat(513), ok: 'a'.repeat(512) })
  const file = await probe(dir)
  t.equal(shell(file, `3<${join(dir, 'big')}`), 'code 2')
  t.equal(shell(file, `3<${join(dir, 'ok')}`), 'read 512 aaaaaaaa')
  t.equal(shell(file, '3<&-'), 'code 2')
})
