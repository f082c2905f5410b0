// One login attempt: run the checkpassword program with the credentials on fd 3 and judge how it ended.
import type { Readable, Writable } from 'node:stream'
import { constants } from 'node:os'
import { EXIT_SIGNAL_BASE, EXIT_TEMP } from '../../pop-lib/src/exit-codes.js'
import { AUTHFD_VAR } from '../../pop-lib/src/login-signal.js'
import { nextEnv } from '../../pop-lib/src/next-env.js'

/**
 * How an attempt ended. `session`: a later stage signalled a good login, so whatever followed was
 * the user's session. `good`: no signal, exit 0 (a foreign chain that ended well). `temp`: exit 111
 * or killed by a signal, no signal. `failed`: any other exit without a signal.
 */
export interface Verdict {
  kind: 'session' | 'good' | 'failed' | 'temp'
  /** The exit status, 128 + n for signal n. */
  status: number
  /** Why, for the log: `exit 1`, `signal SIGKILL`, `cannot run X: ENOENT`. */
  detail: string
}

/** Where the attempt runs. */
export interface LoginIo {
  /** The client's input and output descriptors: 0 and 1, or the UCSPI-TLS pipes after STLS. */
  in: number
  out: number
  env: NodeJS.ProcessEnv
  /** Called once when the login signal arrives while the child still runs. */
  onSession?: () => void
}

/** The descriptor number on which the child finds the login signal pipe. */
export const AUTH_FD = 4

/** How long to wait for a signal byte already written when the child has exited but the pipe is held open. */
const SIGNAL_GRACE_MS = 2000

const judge = (signalled: boolean, code: number | null, signal: NodeJS.Signals | null): Verdict => {
  const status =
    signal === null
      ? (code ?? EXIT_TEMP)
      : EXIT_SIGNAL_BASE + ((constants.signals as Record<string, number>)[signal] ?? 0)
  const detail = signal === null ? `exit ${status}` : `signal ${signal}`
  if (signalled) return { kind: 'session', status, detail }
  if (signal === null && status === 0) return { kind: 'good', status, detail }
  if (signal !== null || status === EXIT_TEMP) return { kind: 'temp', status, detail }
  return { kind: 'failed', status, detail }
}

/**
 * Runs argv with the client on fds 0 and 1, fd 2 shared, the credentials on fd 3 (written, then
 * closed; the buffer is zeroed once written) and the write end of the login signal pipe on fd 4,
 * named by POPCHAIN_AUTHFD. Node gives the child socketpairs for both; read(2) and write(2) treat
 * them as pipes. Resolves when the child has exited and the signal pipe is closed.
 */
export const runLogin = async (argv: string[], creds: Buffer, io: LoginIo): Promise<Verdict> => {
  // Loaded at the first login, not at start-up: the greeting goes out sooner. Not by import(),
  // which in the CommonJS bundle starts Node's ES module loader (about 2.5 ms CPU on Node 20).
  const { spawn } = process.getBuiltinModule('node:child_process')
  return new Promise((resolve) => {
    let settled = false
    let grace: NodeJS.Timeout | undefined
    const settle = (v: Verdict): void => {
      if (settled) return
      settled = true
      clearTimeout(grace)
      creds.fill(0)
      resolve(v)
    }
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: [io.in, io.out, 2, 'pipe', 'pipe'],
      env: { ...nextEnv(io.env), [AUTHFD_VAR]: String(AUTH_FD) },
    })
    let signalled = false
    let pipeClosed = false
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null
    const finish = (): void => {
      if (exit !== null && (pipeClosed || signalled))
        settle(judge(signalled, exit.code, exit.signal))
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      settle({
        kind: 'temp',
        status: EXIT_TEMP,
        detail: `cannot run ${argv[0]}: ${e.code ?? e.message}`,
      })
    })
    const credsPipe = child.stdio[3] as Writable | null
    const signalPipe = child.stdio[4] as Readable | null
    credsPipe?.on('error', () => {})
    credsPipe?.write(creds, () => creds.fill(0))
    credsPipe?.end()
    signalPipe?.on('error', () => {})
    signalPipe?.on('data', () => {
      if (signalled) return
      signalled = true
      signalPipe.destroy()
      if (child.exitCode === null && child.signalCode === null) io.onSession?.()
      finish()
    })
    signalPipe?.on('close', () => {
      pipeClosed = true
      finish()
    })
    child.on('exit', (code, signal) => {
      exit = { code, signal }
      credsPipe?.destroy()
      finish()
      // A grandchild may hold the pipe open; a byte written before the exit is already there.
      if (!settled)
        grace = setTimeout(() => {
          pipeClosed = true
          finish()
        }, SIGNAL_GRACE_MS)
    })
  })
}
