// Starting a child process with Node's bare process handle: no node:child_process (and node:net) to load.
import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import { legacyBinding } from './binding.js'

interface ProcessHandle {
  spawn: (options: object) => number
  kill: (signal: number) => number
  close: () => void
  /** signal: the name of the signal that ended the child, or ''. */
  onexit: ((code: number, signal: string) => void) | null
}
interface ProcessWrap {
  Process: new () => ProcessHandle
}

/** A running child: signals go to it. */
export interface BareChild {
  kill: (signal: NodeJS.Signals) => void
}

/**
 * Runs file with argv (argv[0] included) and env, the child's descriptor i being this process's
 * stdio[i] (-1: /dev/null), as node:child_process's spawn would, calling onExit(code, signal) when it
 * ends. Returns the child, or the error code (ENOENT, EACCES...) when it could not be started, or
 * null when the bare handle is not available here or the arguments hold a NUL byte: then use
 * node:child_process, which has the same effect and costs about 4 ms of start-up more (Node 20).
 */
export const spawnBare = (
  file: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  stdio: number[],
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
): BareChild | string | null => {
  const wrap = legacyBinding<ProcessWrap>('process_wrap')
  if (wrap === null || typeof wrap.Process !== 'function') return null
  const envPairs: string[] = []
  for (const [k, v] of Object.entries(env)) if (v !== undefined) envPairs.push(`${k}=${v}`)
  if ([file, ...argv, ...envPairs].some((s) => s.includes('\0'))) return null
  const handle = new wrap.Process()
  let running = true
  handle.onexit = (code, signal) => {
    running = false
    handle.close()
    if (signal === '') onExit(code, null)
    else onExit(null, signal as NodeJS.Signals)
  }
  const err = handle.spawn({
    file,
    args: argv,
    envPairs,
    stdio: stdio.map((fd) => (fd < 0 ? { type: 'ignore' } : { type: 'fd', fd })),
    detached: false,
    windowsHide: false,
    windowsVerbatimArguments: false,
  })
  if (err !== 0) {
    running = false
    handle.close()
    return getSystemErrorName(err)
  }
  return {
    kill: (signal) => {
      const n = constants.signals[signal]
      if (running && n !== undefined) handle.kill(n)
    },
  }
}
