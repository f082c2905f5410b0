// The measurements: sessions, throughput, big mailboxes, memory, start-up and crypt cost.
import { spawn, spawnSync, execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync, mkdirSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { login, ok, now, using } from './pop3.mjs'
import { PASSWORD, CACHE, asDelivered, maildirOf, homeOf, messages, wireForm } from './setup.mjs'
import { descendants, pssKb, ROOT, treeCpu, settle } from './servers.mjs'

export const median = (a) => {
  if (a.length === 0) return NaN
  const s = [...a].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Runs fn(server) for every server, `rounds` times, in a rotating order; collects numbers or errors per server. */
export const interleave = async (servers, rounds, fn, log) => {
  const out = new Map(servers.map((s) => [s.name, { values: [], error: null }]))
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < servers.length; k++) {
      const s = servers[(k + r) % servers.length]
      const o = out.get(s.name)
      if (o.error !== null) continue
      try {
        o.values.push(await fn(s, r))
      } catch (e) {
        o.error = e.message.split('\n')[0].slice(0, 160)
        log(`${s.name}: ${o.error}`)
      }
    }
  }
  return out
}

/**
 * Runs fn() against a server and also measures the CPU time its process tree spent meanwhile
 * (once the session's processes are gone): { value, cpu } (ms). Robust on a busy machine.
 */
export const withCpu = async (server, fn) => {
  const n = descendants(server.pid).length
  const before = treeCpu(server.pid)
  const value = await fn()
  await settle(server.pid, n)
  return { value, cpu: treeCpu(server.pid) - before }
}

/** connect, greeting, USER, PASS, STAT, QUIT (to the close); ms. */
export const session = async (port, user) => {
  const t = now()
  return using(await login(port, user, PASSWORD), async (c) => {
    ok(await c.cmd('STAT'), 'STAT')
    await c.quit()
    return now() - t
  })
}

/**
 * One worker per account doing sessions back to back until `seconds` have passed (a session
 * under way is finished); sessions per second.
 */
export const concurrent = async (port, users, seconds) => {
  const t = now()
  const end = t + seconds * 1000
  let done = 0
  await Promise.all(
    users.map(async (user) => {
      while (now() < end) {
        await session(port, user)
        done++
      }
    }),
  )
  return done / ((now() - t) / 1000)
}

/** The expected wire form of every message of a Maildir, in order. */
export const expectedWire = (md) => messages(md).map((m) => wireForm(readFileSync(m.path)))

// mailfront's pop3front-maildir sends an empty line after every message that ends in a newline.
const sameButBlankEnd = (body, wire) =>
  body.length === wire.length + 2 &&
  body.subarray(0, wire.length - 3).equals(wire.subarray(0, wire.length - 3)) &&
  body.subarray(wire.length - 3).toString() === '\r\n.\r\n'

/**
 * RETR of every message, one command at a time, checked byte for byte. Returns MB/s (wire bytes
 * over time from command to last byte) of all but the last message, and of the last (the big one).
 */
export const retrAll = async (port, user, wire, quirkBlankEnd = false) =>
  using(await login(port, user, PASSWORD, 120000), (c) => retrEach(c, wire, quirkBlankEnd))

const retrEach = async (c, wire, quirkBlankEnd) => {
  const st = ok(await c.cmd('STAT'), 'STAT').toString()
  const n = Number(st.split(' ')[1])
  if (n !== wire.length) throw new Error(`STAT says ${n} messages, expected ${wire.length}`)
  const got = []
  const ms = []
  for (let i = 1; i <= n; i++) {
    const t = now()
    got.push(ok(await c.cmd(`RETR ${i}`, true), `RETR ${i}`))
    ms.push(now() - t)
  }
  await c.quit()
  for (let i = 0; i < n; i++) {
    const r = got[i]
    const body = r.subarray(r.indexOf(10) + 1)
    if (!body.equals(wire[i]) && !(quirkBlankEnd && sameButBlankEnd(body, wire[i])))
      throw new Error(
        `RETR ${i + 1}: content differs (${body.length} bytes, expected ${wire[i].length})`,
      )
  }
  const sum = (a) => a.reduce((x, y) => x + y, 0)
  const rate = (from, to) =>
    sum(got.slice(from, to).map((b) => b.length)) / 1e6 / (sum(ms.slice(from, to)) / 1000)
  return { small: rate(0, n - 1), big: rate(n - 1, n), all: rate(0, n) }
}

/**
 * One session: login, STAT, LIST, UIDL, QUIT; returns { total, login, cmds } in ms: the whole
 * session, connect to +OK after PASS, and STAT sent to UIDL's last line received.
 */
export const statListUidl = async (port, user, count) => {
  const t = now()
  return using(await login(port, user, PASSWORD, 600000), async (c) => {
    const tl = now() - t
    return listing(c, t, tl, count)
  })
}

const listing = async (c, t, tl, count) => {
  const tc = now()
  const st = ok(await c.cmd('STAT'), 'STAT').toString()
  if (Number(st.split(' ')[1]) !== count)
    throw new Error(`STAT: ${st.trim()}, expected ${count} messages`)
  for (const cmd of ['LIST', 'UIDL']) {
    const r = ok(await c.cmd(cmd, true), cmd)
    let lines = 0
    for (let i = r.indexOf(10) + 1; i < r.length; i = r.indexOf(10, i) + 1) lines++
    if (lines - 1 !== count) throw new Error(`${cmd}: ${lines - 1} lines, expected ${count}`)
  }
  const cmds = now() - tc
  await c.quit()
  return { total: now() - t, login: tl, cmds }
}

/** The first session after delivery: the Maildir reset to new/ with no server state first. */
export const firstSession = async (port, user, count) => {
  asDelivered(maildirOf(user))
  return statListUidl(port, user, count)
}

const exeName = (pid) => {
  try {
    return readlinkSync(`/proc/${pid}/exe`).split('/').pop()
  } catch {
    return ''
  }
}
const treePss = (pid) => [pid, ...descendants(pid)].reduce((s, p) => s + pssKb(p), 0)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** PSS of what serves idle logged-in sessions: the new processes for one, and the tree's growth per session for ten (kB). */
export const memory = async (server, users) => {
  const before = new Set([server.pid, ...descendants(server.pid)])
  await sleep(300)
  const base = treePss(server.pid)
  const open = []
  try {
    return await idle(server, users, before, base, open)
  } finally {
    for (const c of open) c.destroy()
  }
}

const idle = async (server, users, before, base, open) => {
  const one = await login(server.port, users[0], PASSWORD)
  open.push(one)
  ok(await one.cmd('STAT'), 'STAT')
  await sleep(700)
  const fresh = descendants(server.pid).filter((p) => !before.has(p))
  const onePss = fresh.reduce((s, p) => s + pssKb(p), 0)
  const nodes = fresh.filter((p) => exeName(p) === 'node').length
  const oneDelta = treePss(server.pid) - base
  const more = []
  for (let i = 1; i < 10; i++) {
    const c = await login(server.port, users[i], PASSWORD)
    open.push(c)
    ok(await c.cmd('STAT'), 'STAT')
    more.push(c)
  }
  await sleep(1000)
  const ten = treePss(server.pid) - base
  for (const c of [one, ...more]) await c.quit()
  return { procs: fresh.length, nodes, onePss, oneDelta, perSessionOf10: ten / 10 }
}

/** PSS of idle `node` processes of a runtime: one alone, and per process of ten (kB). */
export const idleNode = async (node) => {
  const start = () =>
    spawn(node, ['-e', 'setInterval(() => {}, 1e6)'], {
      stdio: 'ignore',
      env: { PATH: '/usr/bin:/bin' },
    })
  const one = start()
  await sleep(700)
  const onePss = pssKb(one.pid)
  const ten = [one, ...Array.from({ length: 9 }, start)]
  await sleep(1000)
  const sum = ten.reduce((s, c) => s + pssKb(c.pid), 0)
  for (const c of ten) c.kill('SIGTERM')
  return { onePss, perOf10: sum / 10 }
}

const RUN_TIME_C = `#define _GNU_SOURCE
#include <grp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
/* run-time [-3 FILE] [-u UID -g GID] [-C DIR] PROG ARG...: runs PROG with fd 0 = /dev/null, fd 3 = FILE,
   stdout to a pipe; prints "ms-to-first-stdout-byte ms-to-exit cpu-ms(user+sys) exit-status". */
static double ms(struct timespec a, struct timespec b) { return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6; }
int main(int argc, char **argv) {
  const char *fd3 = 0, *dir = 0; long uid = -1, gid = -1; int i = 1;
  for (; i < argc && argv[i][0] == '-'; i += 2) {
    if (!strcmp(argv[i], "-3")) fd3 = argv[i + 1];
    else if (!strcmp(argv[i], "-u")) uid = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "-g")) gid = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "-C")) dir = argv[i + 1];
    else return 2;
  }
  int p[2]; if (pipe(p)) return 111;
  struct timespec t0, t1, t2; int first = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid == 0) {
    int n = open("/dev/null", O_RDONLY); dup2(n, 0); dup2(p[1], 1); close(p[0]); close(p[1]);
    if (fd3) { int f = open(fd3, O_RDONLY); if (f != 3) { dup2(f, 3); close(f); } }
    if (dir && chdir(dir)) _exit(111);
    if (gid >= 0 && (setgroups(0, 0) || setgid(gid))) _exit(111);
    if (uid >= 0 && setuid(uid)) _exit(111);
    execvp(argv[i], argv + i); _exit(127);
  }
  close(p[1]);
  char buf[65536]; ssize_t r;
  while ((r = read(p[0], buf, sizeof buf)) > 0) if (!first) { clock_gettime(CLOCK_MONOTONIC, &t1); first = 1; }
  int st; struct rusage ru; wait4(pid, &st, 0, &ru);
  clock_gettime(CLOCK_MONOTONIC, &t2);
  if (!first) t1 = t2;
  double cpu = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
  printf("%.3f %.3f %.3f %d\\n", ms(t0, t1), ms(t0, t2), cpu, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  return 0;
}
`

const tool = (name, source) => {
  const dir = join(CACHE, 'tools')
  const bin = join(dir, name)
  const src = join(dir, `${name}.c`)
  if (existsSync(bin) && existsSync(src) && readFileSync(src, 'utf8') === source) return bin
  mkdirSync(dir, { recursive: true })
  writeFileSync(src, source)
  execFileSync('gcc', ['-O2', '-o', bin, src, '-lcrypt'])
  return bin
}

/**
 * Runs argv under the run-time helper (fd 0 = /dev/null, fd 3 = a file holding `fd3`, as the
 * given uid/gid in cwd); resolves to { first, exit, cpu } in ms and the exit code.
 */
export const timeRun = (argv, { fd3, uid, gid, cwd, env } = {}) => {
  const helper = tool('run-time', RUN_TIME_C)
  const pre = []
  if (fd3 !== undefined) {
    const file = join(CACHE, 'tools', `fd3-${Buffer.from(fd3).toString('hex').slice(0, 40)}`)
    if (!existsSync(file)) writeFileSync(file, fd3, { mode: 0o644 })
    pre.push('-3', file)
  }
  if (uid !== undefined) pre.push('-u', String(uid), '-g', String(gid))
  if (cwd !== undefined) pre.push('-C', cwd)
  const r = spawnSync(helper, [...pre, ...argv], {
    encoding: 'utf8',
    env: env ?? process.env,
    timeout: 60000,
  })
  const [first, exit, cpu, code] = r.stdout.trim().split(' ').map(Number)
  if (!Number.isFinite(exit)) throw new Error(`run-time ${argv.join(' ')}: ${r.stderr}`)
  return Promise.resolve({ first, exit, cpu, code })
}

const CRYPT_TIME_C = `#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
/* crypt-time PASSWORD HASH N: verifies N times, printing the CPU time of each in ms */
int main(int argc, char **argv) {
  static struct crypt_data d;
  int n = argc > 3 ? atoi(argv[3]) : 10;
  for (int i = 0; i < n; i++) {
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    memset(&d, 0, sizeof d);
    char *h = crypt_r(argv[1], argv[2], &d);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    if (h == NULL || strcmp(h, argv[2]) != 0) { fprintf(stderr, "crypt-time: no match\\n"); return 1; }
    printf("%.4f\\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  }
  return 0;
}
`

/** The C crypt timer: prints one line of ms per verification. */
const cTimer = () => tool('crypt-time', CRYPT_TIME_C)

/** Bundles a timer around popchain's verifyCrypt (packages/pop-checkpassword/src/crypt.ts). */
const tsTimer = async () => {
  const src = join(ROOT, 'packages/pop-checkpassword/src/crypt.ts')
  if (!existsSync(src)) throw new Error('packages/pop-checkpassword/src/crypt.ts is not there yet')
  const dir = join(CACHE, 'tools')
  mkdirSync(dir, { recursive: true })
  const entry = join(dir, 'ts-crypt-time.mjs')
  writeFileSync(
    entry,
    `import { verifyCrypt } from ${JSON.stringify(src)}
const [pw, hash, n] = process.argv.slice(2)
const t0 = process.hrtime.bigint()
// CPU time, not wall time: a busy machine stretches the latter. (Worker threads, if any, count too.)
for (let i = 0; i < Number(n); i++) {
  const a = process.cpuUsage()
  const good = await verifyCrypt(Buffer.from(pw), hash)
  const b = process.cpuUsage(a)
  if (!good) { console.error('ts-crypt-time: no match'); process.exit(1) }
  console.log(((b.user + b.system) / 1000).toFixed(4))
}
`,
  )
  const out = join(dir, 'ts-crypt-time.bundle.mjs')
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  })
  return out
}

/** ms per verification of each hash: C (libxcrypt) and popchain's code on each runtime; the first TS call (loading the scheme) apart. */
export const cryptCost = async (hashes, runtimes, n) => {
  const c = cTimer()
  let ts = null
  let tsError = null
  try {
    ts = await tsTimer()
  } catch (e) {
    tsError = e.message
  }
  const rows = []
  for (const { scheme, hash } of hashes) {
    const row = { scheme, hash: hash.slice(0, hash.lastIndexOf('$') + 1), c: NaN, ts: {} }
    const cms = execFileSync(c, [PASSWORD, hash, String(n)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number)
    row.c = median(cms.slice(1))
    for (const [label, node] of runtimes) {
      if (ts === null) {
        row.ts[label] = { error: tsError }
        continue
      }
      try {
        const ms = execFileSync(node, [ts, PASSWORD, hash, String(n)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 300000,
        })
          .trim()
          .split('\n')
          .map(Number)
        row.ts[label] = { first: ms[0], median: median(ms.slice(1)) }
      } catch (e) {
        row.ts[label] = {
          error: String(e.stderr ?? e.message)
            .split('\n')[0]
            .slice(0, 160),
        }
      }
    }
    rows.push(row)
  }
  return rows
}

export { homeOf }
