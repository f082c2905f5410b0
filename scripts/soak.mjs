#!/usr/bin/env node
// Soak runs: the kill-anywhere test and the fuzzers in their long modes, round after round, with fresh seeds.
//
//   node scripts/soak.mjs [--minutes 30] [--kill-sessions 400] [--fuzz-runs 1000] [--only kill|fuzz]
//
// Run as root, after `npm run build`. Each round uses a new seed (REL_SEED) and prints it; a
// failing round stops the soak and prints the command that repeats it. At the end it prints the
// totals: kill points tried, fuzz cases run, messages lost.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt
}
const minutes = Number(opt('minutes', 30))
const killSessions = Number(opt('kill-sessions', 400))
const fuzzRuns = Number(opt('fuzz-runs', 1000))
const only = opt('only', 'all')
if (process.getuid?.() !== 0) {
  console.error('soak: run me as root (the stages run as nobody; the chain needs root)')
  process.exit(2)
}

const files = [
  ...(only === 'fuzz' ? [] : ['test/reliability-kill.ts']),
  ...(only === 'kill'
    ? []
    : ['test/fuzz-maildir.ts', 'test/fuzz-frontend.ts', 'test/fuzz-checkpassword.ts']),
]
const totals = { rounds: 0, killPoints: 0, fuzzCases: 0, lost: 0, removedUnacked: 0, midUpdate: 0 }
const end = Date.now() + minutes * 60_000

while (Date.now() < end) {
  const seed = Math.floor(Math.random() * 2 ** 31)
  const env = {
    ...process.env,
    REL_SEED: String(seed),
    REL_KILL_SESSIONS: String(killSessions),
    REL_FUZZ_RUNS: String(fuzzRuns),
  }
  const started = Date.now()
  const r = spawnSync(
    'npx',
    ['tap', '--reporter=tap', '--timeout=0', '--disable-coverage', ...files],
    {
      cwd: root,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  )
  const out = r.stdout ?? ''
  totals.rounds++
  for (const m of out.matchAll(/kill points tried: (.*)/g))
    for (const p of m[1].matchAll(/=(\d+)/g)) totals.killPoints += Number(p[1])
  for (const m of out.matchAll(/fuzz-\w+: (\d+) random/g)) totals.fuzzCases += Number(m[1])
  for (const m of out.matchAll(/never saw \+OK: (\d+)\), lost (\d+)/g)) {
    totals.removedUnacked += Number(m[1])
    totals.lost += Number(m[2])
  }
  for (const m of out.matchAll(/part-way (\d+)/g)) totals.midUpdate += Number(m[1])
  const secs = Math.round((Date.now() - started) / 1000)
  console.log(
    `soak: round ${totals.rounds}, seed ${seed}, ${secs} s, ${r.status === 0 ? 'ok' : 'FAILED'}`,
  )
  if (r.status !== 0) {
    console.log(
      out
        .split('\n')
        .filter((l) => /not ok|^\s+[-+] |LOST|seed/.test(l))
        .slice(0, 80)
        .join('\n'),
    )
    console.log(
      `soak: repeat with: REL_SEED=${seed} REL_KILL_SESSIONS=${killSessions} REL_FUZZ_RUNS=${fuzzRuns} npx tap --timeout=0 ${files.join(' ')}`,
    )
    break
  }
}
console.log(
  `soak: ${totals.rounds} rounds, kill points tried ${totals.killPoints} (UPDATE interrupted part-way ${totals.midUpdate}), ` +
    `fuzz cases ${totals.fuzzCases}, messages removed by a QUIT whose +OK never arrived ${totals.removedUnacked}, messages lost ${totals.lost}`,
)
process.exit(totals.lost === 0 ? 0 : 1)
