// The common body of every bin: name the program, run main, log a fatal error once, exit.
import { ExitError, EXIT_TEMP } from './exit-codes.js'
import { fatal, setProgram } from './log.js'

/** Runs main(argv) and exits the process with its result. */
export const runMain = (name: string, main: (argv: string[]) => Promise<number>): void => {
  setProgram(name)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof ExitError) {
        if (e.message !== '') fatal(e.message)
        process.exit(e.code)
      }
      fatal(e instanceof Error ? (e.stack ?? e.message) : String(e))
      process.exit(EXIT_TEMP)
    },
  )
}
