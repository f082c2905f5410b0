// Starting the next program and learning how it ended.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { constants } from 'node:os'
import { which } from '../../pop-lib/src/exec.js'
import { EXIT_SIGNAL_BASE, EXIT_TEMP, ExitError } from '../../pop-lib/src/exit-codes.js'

/** Spawns argv with the given environment and descriptors; a program not found is 111. */
export const start = (
  argv: string[],
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
): ChildProcess => {
  const name = argv[0]!
  const file = which(name, env)
  if (file === null) throw new ExitError(EXIT_TEMP, `cannot run ${name}: not found`)
  return spawn(file, argv.slice(1), { argv0: name, env, stdio })
}

/** The child's exit status: its code, 128 + n when signal n killed it, 111 when it could not run. */
export const status = (child: ChildProcess): Promise<number> =>
  new Promise((resolve) => {
    child.once('error', () => resolve(EXIT_TEMP))
    child.once('exit', (code, signal) =>
      resolve(
        signal === null
          ? (code ?? EXIT_TEMP)
          : EXIT_SIGNAL_BASE + ((constants.signals as Record<string, number>)[signal] ?? 0),
      ),
    )
  })
