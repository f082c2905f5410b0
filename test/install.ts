// scripts/install.sh: a system-wide install into a prefix, whose commands run with no node on PATH.
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { readFileSync, statSync, realpathSync, readdirSync } from 'node:fs'
import { ROOT } from '../packages/pop-lib/test/fixtures/harness.js'
import { makeWorld, sameMessages, MESSAGES, HOST, type World } from './fixtures/world.js'
import { tcpserver, fetchAll, need } from './fixtures/servers.js'

const PROGRAMS = ['pop-frontend', 'pop-checkpassword', 'pop-maildir', 'pop-tls']
const script = join(ROOT, 'scripts/install.sh')

// the installer pins the node on its PATH: this test's runtime (Node 20 or 24)
const install = (args: string[]): ReturnType<typeof spawnSync> =>
  spawnSync('sh', [script, ...args], {
    encoding: 'latin1',
    env: {
      ...process.env,
      PATH: `${join(process.execPath, '..')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    },
  })

const installed = (t: Test, w: World): string => {
  const prefix = join(w.dir, 'prefix')
  const r = install(['--prefix', prefix])
  t.equal(
    r.status,
    0,
    `install.sh --prefix ${prefix}${r.status === 0 ? '' : `\n${String(r.stderr)}`}`,
  )
  return prefix
}

t.test(
  'installs every program, each command pinned to the node that ran the installer',
  async (t) => {
    const w = makeWorld(t)
    const prefix = installed(t, w)
    const node = realpathSync(process.execPath)
    for (const p of PROGRAMS) {
      const cmd = join(prefix, 'bin', p)
      t.equal(readFileSync(cmd, 'latin1').split('\n')[0], `#!${node}`, `${p}: absolute #! line`)
      t.equal(statSync(cmd).mode & 0o777, 0o755, `${p}: mode 755`)
      t.ok(
        readdirSync(join(prefix, 'lib/popchain', p)).includes(`${p}.cjs`),
        `${p}: bundle in lib/popchain/${p}`,
      )
      const r = spawnSync(cmd, ['--version'], { env: { PATH: '/nonexistent' }, encoding: 'latin1' })
      t.equal(r.status, 0, `${p} --version runs with no node on PATH`)
      t.match(r.stdout, /^\d+\.\d+\.\d+/, `${p} --version prints the version`)
    }
    const doc = join(prefix, 'share/doc/popchain')
    t.ok(
      readdirSync(doc).includes('launch-systemd.md'),
      "the docs, where the units' Documentation= points",
    )
    t.same(
      readdirSync(join(doc, 'systemd')).sort(),
      ['pop3.socket', 'pop3@.service', 'pop3s.socket', 'pop3s@.service'],
      'the example units',
    )
    const again = install(['--prefix', prefix, 'pop-maildir'])
    t.equal(again.status, 0, 'installing again over an install works')
    t.notOk(
      readdirSync(join(prefix, 'lib/popchain')).some(
        (f) => f.endsWith('.new') || f.endsWith('.old'),
      ),
      'no leftovers',
    )
  },
)

t.test('bad use: exit 2 for a bad option, 100 for a program that was not built', async (t) => {
  const w = makeWorld(t)
  t.equal(install(['--prefix']).status, 2, '--prefix without a folder')
  t.equal(install(['--frobnicate']).status, 2, 'an unknown option')
  const r = install(['--prefix', join(w.dir, 'p'), 'pop-nonesuch'])
  t.equal(r.status, 100, 'a program without a bundle')
  t.match(String(r.stderr), /pop-nonesuch.*missing/)
})

t.test('the installed chain serves mail under tcpserver with PATH=/nonexistent', async (t) => {
  const tcpserverPath = need(t, 'tcpserver')
  if (!tcpserverPath) return
  const w = makeWorld(t)
  const prefix = installed(t, w)
  const b = (p: string): string => join(prefix, 'bin', p)
  const argv = [
    b('pop-frontend'),
    HOST,
    b('pop-checkpassword'),
    '--users',
    w.usersFile,
    b('pop-maildir'),
    'Maildir',
  ]
  const s = await tcpserver(t, ['-R', '-H'], argv, { PATH: '/nonexistent' }, tcpserverPath)
  const f = await fetchAll(s.port, { dele: true })
  sameMessages(t, f.messages, MESSAGES, 'through the installed commands')
  t.same(w.list(), [], 'deleted')
})
