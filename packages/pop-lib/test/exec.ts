// execNext on this runtime: true exec where process.execve exists, the spawn fallback elsewhere.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { canExecve } from '../src/exec.js'
import { buildProbe } from './fixtures/probe.js'

const probe = (dir: string): Promise<string> =>
  buildProbe(
    dir,
    `
        import { execNext } from './exec.ts'
        import { writeSync } from 'node:fs'
        import { readdirSync, readlinkSync } from 'node:fs'
        writeSync(2, 'probe-pid=' + process.pid + '\\n')
        for (const fd of readdirSync('/proc/self/fd')) {
          try { writeSync(2, 'probe-fd ' + fd + ' ' + readlinkSync('/proc/self/fd/' + fd) + '\\n') } catch {}
        }
        const env = { ...process.env, PROBE_VAR: 'kept' }
        const fds = process.env.PROBE_FD3 === '1' ? { 3: 3 } : {}
        process.on('exit', () => {
          const cp = process.moduleLoadList.includes('NativeModule child_process')
          writeSync(2, 'probe-child-process=' + cp + '\\n')
        })
        execNext(process.argv.slice(2), { env, fds }).then((code) => process.exit(code))
      `,
  )

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  out: string
  err: string
  pid: number
}

const run = (
  file: string,
  argv: string[],
  opts: { extraFds?: boolean; env?: NodeJS.ProcessEnv; signalAfter?: NodeJS.Signals } = {},
): Promise<Run> =>
  new Promise((resolve) => {
    const stdio: ('pipe' | 'ignore')[] = ['ignore', 'pipe', 'pipe']
    if (opts.extraFds === true) stdio.push('pipe', 'pipe')
    const env = { ...process.env, ...opts.env }
    delete env.NODE_CHANNEL_FD
    const child = spawn(process.execPath, [file, ...argv], { stdio, env })
    let out = ''
    let err = ''
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      if (opts.signalAfter !== undefined && out.includes('ready') && !child.killed)
        child.kill(opts.signalAfter)
    })
    if (opts.signalAfter !== undefined) {
      const poll = setInterval(() => {
        if (out.includes('ready')) {
          clearInterval(poll)
          child.kill(opts.signalAfter)
        }
      }, 20)
      child.on('exit', () => clearInterval(poll))
    }
    child.on('exit', (code, signal) => resolve({ code, signal, out, err, pid: child.pid! }))
  })

// The bare process handle is used on Node 20 only (pop-lib/src/binding.ts).
const bare = process.env.POPCHAIN_BINDINGS !== '0' && process.versions.node.startsWith('20.')
const runtime = canExecve()
  ? 'execve'
  : `spawn fallback, ${bare ? 'bare process handle' : 'node:child_process'}`

if (!canExecve())
  t.test(
    `the spawn fallback loads node:child_process only without the bare handle (${runtime})`,
    async (t) => {
      const file = await probe(t.testdir())
      // Through env -u: tap puts its process-info hook, which loads node:child_process, back
      // into NODE_OPTIONS of every child it sees spawned.
      const r = spawnSync(
        'env',
        ['-u', 'NODE_OPTIONS', process.execPath, file, 'sh', '-c', 'exit 3'],
        {
          encoding: 'utf8',
        },
      )
      t.equal(r.status, 3)
      t.match(r.stderr, `probe-child-process=${!bare}\n`)
    },
  )

t.test(`next program's PID (${runtime})`, async (t) => {
  const file = await probe(t.testdir())
  const r = await run(file, ['sh', '-c', 'echo pid=$$ ppid=$PPID'])
  const probePid = Number(/probe-pid=(\d+)/.exec(r.err)?.[1])
  const pid = Number(/pid=(\d+)/.exec(r.out)?.[1])
  const ppid = Number(/ppid=(\d+)/.exec(r.out)?.[1])
  t.equal(r.code, 0)
  if (canExecve()) {
    t.equal(pid, probePid, 'same PID: the image was replaced')
  } else {
    t.not(pid, probePid, 'a child process')
    t.equal(ppid, probePid, 'whose parent is the program that ran it')
  }
})

// What the probe held on fds above 2, and what the next program holds: fd -> target.
const probeFds = (err: string): Map<string, string> =>
  new Map(
    [...err.matchAll(/^probe-fd (\d+) (.*)$/gm)]
      .filter((m) => Number(m[1]) > 2)
      .map((m) => [m[1]!, m[2]!]),
  )
const nextFds = (out: string): Map<string, string> =>
  new Map([...out.matchAll(/ (\d+) -> (.*)$/gm)].map((m) => [m[1]!, m[2]!]))
const LIST = 'ls -l /proc/$$/fd'

t.test('no stray descriptor reaches the next program', async (t) => {
  const file = await probe(t.testdir())
  const r = await run(file, ['sh', '-c', LIST], { extraFds: true })
  t.equal(r.code, 0)
  const held = probeFds(r.err)
  t.ok(held.has('3') && held.has('4'), 'the probe held the extra pipes on fds 3 and 4')
  t.same([...nextFds(r.out).keys()].sort(), ['0', '1', '2'], 'the next program has fds 0-2 only')
})

t.test('a descriptor named in fds is handed on at its number', async (t) => {
  const file = await probe(t.testdir())
  const r = await run(file, ['sh', '-c', LIST], { extraFds: true, env: { PROBE_FD3: '1' } })
  t.equal(r.code, 0)
  const held = probeFds(r.err)
  const got = nextFds(r.out)
  t.equal(got.get('3'), held.get('3'), "fd 3 is the probe's fd 3")
  t.notOk(got.has('4'), 'fd 4 did not pass')
})

t.test('environment is the one given', async (t) => {
  const file = await probe(t.testdir())
  const r = await run(file, ['sh', '-c', 'echo "$PROBE_VAR"'])
  t.equal(r.out, 'kept\n')
})

t.test('exit status reaches the waiting parent', async (t) => {
  const file = await probe(t.testdir())
  const r = await run(file, ['sh', '-c', 'exit 7'])
  t.equal(r.code, 7)
  t.equal(r.signal, null)
})

t.test('a signal death reaches the waiting parent as the same signal', async (t) => {
  const file = await probe(t.testdir())
  const r = await run(file, ['sh', '-c', 'kill -TERM $$'])
  t.equal(r.signal, 'SIGTERM')
})

t.test('signals sent to the program reach the next program', async (t) => {
  const file = await probe(t.testdir())
  const r = await run(
    file,
    ['sh', '-c', 'trap "exit 42" TERM; echo ready; while :; do sleep 0.05; done'],
    {
      signalAfter: 'SIGTERM',
    },
  )
  t.equal(r.code, 42, 'the next program trapped the forwarded TERM')
})

t.test('a program that does not exist is a temporary failure, 111', async (t) => {
  const file = await probe(t.testdir())
  const r = await run(file, ['popchain-no-such-program-xyz'])
  t.equal(r.code, 111)
  t.match(r.err, /cannot run popchain-no-such-program-xyz: not found/)
})

t.test('a program that cannot be executed is 111', async (t) => {
  const file = await probe(t.testdir())
  const r = await run(file, ['/etc/passwd'])
  t.equal(r.code, 111)
})
