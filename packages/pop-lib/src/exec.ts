// Runs the next program of the chain: a true execve(2) where the runtime has one, else a faithful spawn.
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readSync,
  readdirSync,
  statSync,
} from 'node:fs'
import { delimiter, join } from 'node:path'
import { constants as os } from 'node:os'
import { EXIT_SIGNAL_BASE, EXIT_TEMP } from './exit-codes.js'
import { fatal } from './log.js'
import { nextEnv } from './next-env.js'
import { spawnBare, type BareChild } from './spawn-bare.js'

/** What to run next. */
export interface ExecOptions {
  /** The whole environment of the next program (default: this process's). */
  env?: NodeJS.ProcessEnv
  /** Descriptors to hand on besides 0-2, as { childFd: ourFd }; forces the spawn path. */
  fds?: Record<number, number>
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never

const FORWARDED: NodeJS.Signals[] = [
  'SIGTERM',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGALRM',
  'SIGWINCH',
  'SIGCONT',
]

/** True when this runtime can replace the process image (Node >= 22.15), unless POPCHAIN_EXEC=spawn. */
export const canExecve = (): boolean =>
  typeof (process as unknown as { execve?: Execve }).execve === 'function' &&
  process.env.POPCHAIN_EXEC !== 'spawn'

/** Finds a program the way execvp(3) does, on the PATH of the given environment. */
export const which = (name: string, env: NodeJS.ProcessEnv): string | null => {
  if (name.includes('/')) return name
  const path = env.PATH ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'
  for (const dir of path.split(delimiter)) {
    const file = join(dir || '.', name)
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {
      // not here
    }
  }
  return null
}

const runnable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/**
 * True when execve(2) of file will succeed as far as can be known beforehand: an executable ELF
 * file, or a `#!` script whose interpreter is executable. Node's process.execve aborts the whole
 * process with a core dump when execve fails, so anything else takes the spawn path, which
 * reports the error (and runs a script without `#!` through /bin/sh, as execvp does).
 */
const execveSafe = (file: string): boolean => {
  if (!runnable(file)) return false
  const head = Buffer.alloc(256)
  let n = 0
  try {
    const fd = openSync(file, 'r')
    try {
      n = readSync(fd, head, 0, head.length, 0)
    } finally {
      closeSync(fd)
    }
  } catch {
    return false
  }
  if (n >= 4 && head.readUInt32BE(0) === 0x7f454c46) return true
  if (n < 3 || head[0] !== 0x23 || head[1] !== 0x21) return false
  const line = head.subarray(2, n).toString('latin1').split('\n')[0]!.trim()
  const interpreter = line.split(/[ \t]/)[0] ?? ''
  return interpreter.startsWith('/') && runnable(interpreter)
}

const O_CLOEXEC = 0o2000000

/**
 * Closes every descriptor above 2 that would survive exec (no close-on-exec flag, as
 * /proc/self/fdinfo shows) and is not in keep: whatever the launcher leaked must not reach the
 * next program. Node's own descriptors are all close-on-exec and stay untouched.
 */
export const closeStrays = (keep: number[]): void => {
  let fds: string[]
  try {
    fds = readdirSync('/proc/self/fd')
  } catch {
    return
  }
  // One read of each fdinfo into one buffer (its flags line is the second of a few short ones):
  // readFileSync costs twice the system calls on /proc files, about 0.5 ms for Node's 20 fds.
  const info = Buffer.alloc(512)
  for (const name of fds) {
    const fd = Number(name)
    if (fd <= 2 || keep.includes(fd)) continue
    try {
      const f = openSync(`/proc/self/fdinfo/${fd}`, 'r')
      let n: number
      try {
        n = readSync(f, info, 0, info.length, 0)
      } finally {
        closeSync(f)
      }
      const flags = /flags:\s*([0-7]+)/.exec(info.toString('latin1', 0, n))
      if (flags !== null && (parseInt(flags[1]!, 8) & O_CLOEXEC) === 0) closeSync(fd)
    } catch {
      // gone already (the descriptor readdir itself used)
    }
  }
}

const signalNumber = (sig: NodeJS.Signals): number =>
  (os.signals as Record<string, number>)[sig] ?? 0

/**
 * Runs argv[0] with argv as its arguments in place of this program. With execve the call does not
 * return. Otherwise the program is spawned with fds 0-2 (and opts.fds), this process's credentials
 * and working directory; signals are forwarded; the promise resolves to the child's exit status,
 * after re-raising a signal that killed the child (128 + n if this process survives it). A
 * program that cannot be run is a temporary failure: 111, as the checkpassword interface says.
 */
export const execNext = async (argv: string[], opts: ExecOptions = {}): Promise<number> => {
  const env = nextEnv(opts.env ?? process.env)
  const name = argv[0]
  if (name === undefined || name === '') {
    fatal('no program to run')
    return EXIT_TEMP
  }
  const file = which(name, env)
  if (file === null) {
    fatal(`cannot run ${name}: not found`)
    return EXIT_TEMP
  }
  const extra = Object.entries(opts.fds ?? {})
  closeStrays(extra.map(([, ours]) => ours))
  if (extra.length === 0 && canExecve() && execveSafe(file)) {
    try {
      ;(process as unknown as { execve: Execve }).execve(file, argv, env)
    } catch (e) {
      fatal(`cannot run ${name}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
      return EXIT_TEMP
    }
  }
  const stdio: number[] = [0, 1, 2]
  for (const [child, ours] of extra) stdio[Number(child)] = ours
  for (let i = 0; i < stdio.length; i++) stdio[i] ??= -1
  return new Promise((resolve) => {
    let handlers: (readonly [NodeJS.Signals, () => void])[] = []
    const unhook = (): void => {
      for (const [sig, h] of handlers) process.off(sig, h)
      handlers = []
    }
    const done = (code: number): void => {
      unhook()
      resolve(code)
    }
    const failed = (code: string): void => {
      fatal(`cannot run ${name}: ${code}`)
      done(EXIT_TEMP)
    }
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (signal === null) return done(code ?? EXIT_TEMP)
      unhook()
      // Closing a signal watcher restores the default action only once the loop has turned;
      // re-raise after that, and fall back to 128 + n if this process survives it.
      setTimeout(() => {
        try {
          process.kill(process.pid, signal)
        } catch {
          // cannot re-raise
        }
        setTimeout(() => done(EXIT_SIGNAL_BASE + signalNumber(signal)), 1000)
      }, 10)
    }
    // Watching before the child starts: a signal that comes while it starts (the next program
    // may already run) is handled on the next turn of the loop, once child is set.
    let child: BareChild | null = null
    handlers = FORWARDED.map((sig) => [sig, () => child?.kill(sig)] as const)
    for (const [sig, h] of handlers) process.on(sig, h)
    child = startChild(file, argv, env, stdio, exited, failed)
  })
}

/**
 * Starts the child: with Node's bare process handle where there is one, else with
 * node:child_process, loaded only here (where execve exists, neither is needed). Returns null when
 * it could not be started, after telling failed.
 */
const startChild = (
  file: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  stdio: number[],
  exited: (code: number | null, signal: NodeJS.Signals | null) => void,
  failed: (code: string) => void,
): BareChild | null => {
  const bare = spawnBare(file, argv, env, stdio, exited)
  if (typeof bare === 'string') {
    failed(bare)
    return null
  }
  if (bare !== null) return bare
  const { spawn } = process.getBuiltinModule('node:child_process')
  const child = spawn(file, argv.slice(1), {
    argv0: argv[0]!,
    env,
    stdio: stdio.map((fd) => (fd < 0 ? 'ignore' : fd)),
  })
  child.on('error', (e: NodeJS.ErrnoException) => failed(e.code ?? String(e)))
  child.on('exit', exited)
  return {
    kill: (sig) => {
      child.kill(sig)
    },
  }
}
