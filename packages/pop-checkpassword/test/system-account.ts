// A real system account, its /etc/shadow entry written by chpasswd (yescrypt on Debian 12), logs in end to end.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  bin,
  chownTree,
  Client,
  makeMaildir,
  needTool,
  serve,
} from '../../pop-lib/test/fixtures/harness.js'
import { CHECKPW, creds, run, scratch } from './fixtures/run.js'

const isRoot = process.getuid!() === 0

// useradd and userdel lock /etc/passwd; another test may hold the lock for a moment.
const retry = (cmd: string, args: string[], input?: string): ReturnType<typeof spawnSync> => {
  let r = spawnSync(cmd, args, { input, encoding: 'utf8' })
  for (let i = 0; i < 20 && r.status !== 0 && /lock/i.test(String(r.stderr)); i++) {
    spawnSync('sleep', ['0.2'])
    r = spawnSync(cmd, args, { input, encoding: 'utf8' })
  }
  return r
}

t.test('useradd + chpasswd, then login', { skip: !isRoot && 'needs root' }, async (t) => {
  // needTool's parameter type does not accept tap's overloaded skip(): cast.
  const tap = t as unknown as Parameters<typeof needTool>[0]
  if (needTool(tap, 'useradd') === null || needTool(tap, 'chpasswd') === null) return
  const name = `popcp${process.pid % 100000}`
  const home = join(scratch(), 'home')
  const add = retry('useradd', ['-m', '-d', home, '-s', '/bin/sh', name])
  t.equal(add.status, 0, String(add.stderr))
  t.teardown(() => {
    retry('userdel', ['-r', name])
  })
  const pw = `Tr0ub4dor&3 ${process.pid}`
  t.equal(retry('chpasswd', [], `${name}:${pw}\n`).status, 0)
  const entry = readFileSync('/etc/shadow', 'latin1')
    .split('\n')
    .find((l) => l.startsWith(name + ':'))!
  t.match(entry.split(':')[1], /^\$y\$/, 'chpasswd wrote a yescrypt hash')
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout)
  const prog = ['sh', '-c', 'echo "$(id -un) $(id -u) $(pwd) $USER $HOME"']
  for (const opts of [[], ['--nss']]) {
    const good = await run([...opts, ...prog], creds(name, pw))
    t.equal(good.code, 0, `${opts.join(' ') || 'files'}: ${good.stderr}`)
    t.equal(good.stdout, `${name} ${uid} ${home} ${name} ${home}\n`)
  }
  // End to end: pop-frontend, pop-checkpassword, pop-maildir over TCP, the user's own Maildir.
  makeMaildir(join(home, 'Maildir'), [{ content: 'Subject: for you\n\nhello\n' }])
  chownTree(home, uid, Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout))
  const s = await serve([
    process.execPath,
    bin('pop-frontend'),
    'test.example',
    process.execPath,
    CHECKPW,
    process.execPath,
    bin('pop-maildir'),
    'Maildir',
  ])
  try {
    const c = await Client.connect(s.port)
    t.match(await c.line(), /^\+OK/)
    t.match(await c.cmd(`USER ${name}`), /^\+OK/)
    t.match(await c.cmd(`PASS ${pw}`), /^\+OK/)
    const r = await c.multi('RETR 1')
    t.match(r.body?.toString('latin1'), /Subject: for you\r\n\r\nhello\r\n/)
    t.match(await c.cmd('QUIT'), /^\+OK/)
    c.close()
  } finally {
    await s.close()
  }
  const bad = await run(prog, creds(name, pw + 'x'))
  t.equal(bad.code, 1, 'a wrong password')
  t.equal(retry('passwd', ['-l', name]).status, 0)
  t.equal((await run(prog, creds(name, pw))).code, 1, 'locked with passwd -l')
})
