// What the built stages load at start-up: no built-in module off their path, no ES module loader.
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bin, chownTree, makeMaildir } from './fixtures/harness.js'

const dir = t.testdir({})
chmodSync(dir, 0o755)
const out = join(dir, 'modules.json')
const preload = join(dir, 'preload.cjs')
writeFileSync(
  preload,
  `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)))\n`,
)
const empty = join(dir, 'empty.cjs')
writeFileSync(empty, '')

interface Run {
  argv: string[]
  /** Standard input: this text through a pipe, or /dev/null when undefined and devnull is set. */
  input?: string
  devnull?: boolean
  fd3?: string
  uid?: number
  cwd?: string
}

// The modules a run loaded that Node's start-up on an empty CommonJS file does not load.
const loaded = ({
  argv,
  input,
  devnull,
  fd3,
  uid,
  cwd,
}: Run): { modules: string[]; stdout: string } => {
  writeFileSync(out, '[]', { mode: 0o666 })
  chmodSync(out, 0o666)
  const file = join(dir, 'fd3')
  if (fd3 !== undefined) writeFileSync(file, fd3, { mode: 0o644 })
  // env(1) drops tap's NODE_OPTIONS, whose hook loads modules of its own.
  const cmd = fd3 === undefined ? 'exec "$@"' : `exec "$@" 3<${JSON.stringify(file)}`
  const r = spawnSync(
    'sh',
    ['-c', cmd, 'sh', 'env', '-u', 'NODE_OPTIONS', process.execPath, '-r', preload, ...argv],
    {
      ...(devnull === true
        ? { stdio: ['ignore', 'pipe', 'pipe'] as const }
        : { input: input ?? '' }),
      env: { PATH: `${join(process.execPath, '..')}:/usr/bin:/bin` },
      ...(uid === undefined ? {} : { uid, gid: uid }),
      ...(cwd === undefined ? {} : { cwd }),
    },
  )
  if (r.error) throw r.error
  return {
    modules: JSON.parse(readFileSync(out, 'utf8')) as string[],
    stdout: r.stdout.toString('latin1'),
  }
}
const baseline = new Set(loaded({ argv: [empty] }).modules)
const extra = (r: Run): string[] => loaded(r).modules.filter((m) => !baseline.has(m))

const ESM = 'NativeModule internal/modules/esm/loader'
const notLoaded = (t: Test, got: string[], names: string[]): void => {
  for (const n of names) t.notOk(got.includes(n), `${n} not loaded`)
}

t.test('pop-frontend: greeting', async (t) => {
  const got = extra({ argv: [bin('pop-frontend'), 'mail.example.org', 'true'], devnull: true })
  notLoaded(t, got, ['NativeModule crypto', 'NativeModule child_process', 'NativeModule net', ESM])
  // A socket or pipe is read through node:net (no read(2) left blocked in the thread pool).
  const piped = extra({ argv: [bin('pop-frontend'), 'mail.example.org', 'true'] })
  t.ok(piped.includes('NativeModule net'), 'node:net to read a pipe')
  notLoaded(t, piped, ['NativeModule crypto', 'NativeModule child_process', ESM])
})

t.test(
  'pop-frontend: a failed login loads node:child_process, not the ES module loader',
  async (t) => {
    const got = extra({
      argv: [bin('pop-frontend'), 'mail.example.org', 'false'],
      input: 'USER a\r\nPASS b\r\nQUIT\r\n',
    })
    t.ok(got.includes('NativeModule child_process'), 'the login was run')
    notLoaded(t, got, [ESM])
  },
)

t.test('pop-checkpassword: usage', async (t) => {
  const got = extra({ argv: [bin('pop-checkpassword')] })
  notLoaded(t, got, ['NativeModule crypto', 'NativeModule child_process', 'NativeModule net', ESM])
})

t.test('pop-checkpassword: an unknown login', async (t) => {
  const got = extra({ argv: [bin('pop-checkpassword'), 'true'], fd3: 'nosuchuser-xyz\0x\0\0' })
  notLoaded(t, got, ['NativeModule child_process', 'NativeModule net', ESM])
})

// As nobody (pop-maildir refuses root), so the test runs as root.
const asRoot = process.getuid?.() === 0
t.test('pop-maildir: a session after the first', { skip: !asRoot && 'needs root' }, async (t) => {
  const home = join(dir, 'home')
  makeMaildir(join(home, 'Maildir'))
  chownTree(home, 65534, 65534)
  const argv = [bin('pop-maildir'), 'Maildir']
  loaded({ argv, uid: 65534, cwd: home }) // the first session makes the lock's token file
  const run = loaded({ argv, uid: 65534, cwd: home })
  t.equal(run.stdout, '+OK 0 messages\r\n', 'locked and greeted')
  const got = run.modules.filter((m) => !baseline.has(m))
  notLoaded(t, got, [
    'NativeModule cluster',
    'NativeModule child_process',
    'NativeModule dgram',
    'NativeModule crypto',
    ESM,
  ])
})
