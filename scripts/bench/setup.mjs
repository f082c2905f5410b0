// Benchmark fixtures: the peers installed, test accounts with known hashes, and cached Maildirs.
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  readFileSync,
  chmodSync,
} from 'node:fs'
import { join } from 'node:path'

export const CACHE = process.env.POPCHAIN_BENCH_DIR ?? '/var/tmp/popchain-bench'
export const PASSWORD = 'bench-Secret-7'

const sh = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts })
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0

/** Debian packages the benchmark uses, by the command that shows each is there. */
const PACKAGES = {
  dovecot: 'dovecot-pop3d',
  pop3front_auth: 'mailfront',
  cvm_unix: 'cvm',
  tcpserver: 'ucspi-tcp',
  mkpasswd: 'whois',
  gcc: 'gcc',
  crypt_h: 'libcrypt-dev',
}
const probe = {
  dovecot: 'dovecot',
  pop3front_auth: 'pop3front-auth',
  cvm_unix: 'cvm-unix',
  tcpserver: 'tcpserver',
  mkpasswd: 'mkpasswd',
  gcc: 'gcc',
  crypt_h: 'crypt_h',
}
const present = (k) =>
  k === 'crypt_h'
    ? existsSync('/usr/include/crypt.h')
    : k === 'dovecot'
      ? has('dovecot') || existsSync('/usr/sbin/dovecot')
      : has(probe[k])

/** Installs what is missing with apt-get when asked, else fails naming the packages. */
export const ensurePackages = (install) => {
  const missing = Object.keys(PACKAGES).filter((k) => !present(k))
  if (missing.length === 0) return
  const pkgs = [...new Set(missing.map((k) => PACKAGES[k]))]
  if (!install)
    throw new Error(
      `missing: ${pkgs.join(' ')} (run with --install, or apt-get install -y ${pkgs.join(' ')})`,
    )
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const r = spawnSync(
    'sh',
    [
      '-c',
      `apt-get install -y ${pkgs.join(' ')} || (apt-get update && apt-get install -y ${pkgs.join(' ')})`,
    ],
    { stdio: ['ignore', 2, 2], env },
  )
  if (r.status !== 0) throw new Error(`apt-get install ${pkgs.join(' ')} failed`)
}

/** A user: name, hash scheme, mailbox kind. The Maildir is at HOME/Maildir. */
export const USERS = [
  { name: 'pbsmall', scheme: 'sha-512', box: 'small' },
  { name: 'pbretr', scheme: 'sha-512', box: 'retr' },
  { name: 'pb20k', scheme: 'sha-512', box: 'm20k' },
  { name: 'pb100k', scheme: 'sha-512', box: 'm100k' },
  { name: 'pbyes', scheme: 'yescrypt', box: 'small' },
  // One account per concurrent session: popchain locks a mailbox for the whole session (RFC 1939 section 8).
  ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => ({
    name: `pbsmall${i}`,
    scheme: 'sha-512',
    box: 'small',
  })),
]
export const user = (box, scheme = 'sha-512') =>
  USERS.find((u) => u.box === box && u.scheme === scheme)
/** The accounts with a small SHA-512 mailbox (one per concurrent session), 10 of them. */
export const smallUsers = () => USERS.filter((u) => u.box === 'small' && u.scheme === 'sha-512')

export const homeOf = (name) => join(CACHE, 'home', name)
export const maildirOf = (name) => join(homeOf(name), 'Maildir')

/** Creates or updates the test accounts; passwords are set with usermod -p so every server sees the same hash. */
export const ensureUsers = () => {
  mkdirSync(join(CACHE, 'home'), { recursive: true })
  chmodSync(CACHE, 0o755)
  chmodSync(join(CACHE, 'home'), 0o755)
  for (const u of USERS) {
    const home = homeOf(u.name)
    const exists = spawnSync('id', [u.name], { stdio: 'ignore' }).status === 0
    if (!exists)
      sh('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-c', 'popchain benchmark', u.name])
    else sh('usermod', ['-d', home, u.name])
    const hash = sh('mkpasswd', ['-m', u.scheme, PASSWORD]).trim()
    sh('usermod', ['-p', hash, u.name])
    u.hash = hash
    u.uid = Number(sh('id', ['-u', u.name]).trim())
    u.gid = Number(sh('id', ['-g', u.name]).trim())
    mkdirSync(home, { recursive: true })
  }
}

/** A deterministic pseudo-random generator (mulberry32). */
const rng = (seed) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const WORDS =
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were their one all we can her has there been if more when will would who so no'.split(
    ' ',
  )

/** About `size` bytes of text lines (LF ends), some starting with a dot. */
const bodyLines = (size, seed) => {
  const r = rng(seed + 1)
  const lines = []
  let n = 0
  while (n < size - 1) {
    let line = r() < 0.02 ? '.' : ''
    const want = Math.min(20 + Math.floor(r() * 56), size - n - 1)
    while (line.length < want) line += WORDS[Math.floor(r() * WORDS.length)] + ' '
    line = line.slice(0, Math.max(want, 0)).trimEnd()
    lines.push(line)
    n += line.length + 1
  }
  return Buffer.from(lines.join('\n') + '\n')
}

/** A plausible message of about `size` bytes. */
export const makeMessage = (i, size, seed = i) => {
  const head =
    `Return-Path: <sender${i}@example.net>\nDelivered-To: bench@example.org\n` +
    `Received: from mx.example.net by mail.example.org; 28 Nov 2026 12:00:00 -0000\n` +
    `From: Sender ${i} <sender${i}@example.net>\nTo: bench@example.org\nSubject: message ${i}\n` +
    `Date: Sat, 28 Nov 2026 12:00:00 +0000\nMessage-ID: <${i}.${seed}@example.net>\n\n`
  return Buffer.concat([Buffer.from(head), bodyLines(size - head.length, seed)])
}

/** The bytes a POP3 server sends for a message body: CRLF line ends, dot-stuffed, then CRLF.CRLF. */
export const wireForm = (msg) => {
  const s = msg.toString('latin1').replace(/\n/g, '\r\n').replace(/^\./gm, '..')
  return Buffer.from(s + '.\r\n', 'latin1')
}

const BOXES = {
  small: { count: 5, size: () => 2000 },
  retr: { count: 201, size: (i) => (i === 200 ? 20 * 1024 * 1024 : 100 * 1024) },
  m20k: { count: 20000, size: (i) => 1500 + ((i * 7919) % 3000) },
  m100k: { count: 100000, size: (i) => 1500 + ((i * 7919) % 3000) },
}

/** The message sizes of a box (for checks). */
export const boxSpec = (box) => BOXES[box]

/** Builds a Maildir unless a complete one is cached; messages are in cur/ (seen, as after earlier sessions). */
export const ensureMaildir = (u, log) => {
  const md = maildirOf(u.name)
  const spec = BOXES[u.box]
  const marker = join(homeOf(u.name), `.complete-${u.box}-${spec.count}`)
  if (existsSync(marker)) return md
  log(`building ${md} (${spec.count} messages)`)
  rmSync(md, { recursive: true, force: true })
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(md, sub), { recursive: true })
  const t0 = 1764300000
  // A pool of bodies keeps big boxes fast to build; every file still differs in its headers.
  const pool = new Map()
  for (let i = 0; i < spec.count; i++) {
    const size = spec.size(i)
    let body
    if (spec.count > 1000) {
      if (!pool.has(size)) pool.set(size, bodyLines(size - 60, size))
      body = Buffer.concat([
        Buffer.from(`Message-Number: ${i}\nSubject: bulk ${i}\n\n`),
        pool.get(size),
      ])
    } else {
      body = makeMessage(i, size)
    }
    const name = `${t0 + i}.M${i}P${1000 + (i % 30000)}.bench.example.org:2,S`
    writeFileSync(join(md, 'cur', name), body)
  }
  sh('chown', ['-R', `${u.uid}:${u.gid}`, homeOf(u.name)])
  sh('chmod', ['-R', 'go-rwx', md])
  writeFileSync(marker, new Date().toISOString() + '\n')
  return md
}

/** The messages of a Maildir in delivery order (the order every server here lists them in). */
export const messages = (md) => {
  const all = []
  for (const sub of ['new', 'cur'])
    for (const f of readdirSync(join(md, sub))) all.push({ sub, f, path: join(md, sub, f) })
  const t = (f) => Number(f.split('.')[0])
  all.sort((a, b) => t(a.f) - t(b.f) || a.f.localeCompare(b.f))
  return all
}

/**
 * Puts a Maildir back to "just delivered": every message in new/ without flags, every server's
 * own state (index files, UID lists, caches) removed.
 */
export const asDelivered = (md) => {
  for (const f of readdirSync(md))
    if (!['cur', 'new', 'tmp'].includes(f)) rmSync(join(md, f), { recursive: true, force: true })
  for (const f of readdirSync(join(md, 'cur')))
    renameSync(join(md, 'cur', f), join(md, 'new', f.replace(/:2,.*$/, '')))
}

/** Removes leftovers of other servers that a warm session should not see (none kept across servers). */
export const fileCount = (md) =>
  readdirSync(join(md, 'cur')).length + readdirSync(join(md, 'new')).length

export const statOk = (p) => {
  try {
    return statSync(p)
  } catch {
    return null
  }
}
export { readFileSync }
