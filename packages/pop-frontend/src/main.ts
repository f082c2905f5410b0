// pop-frontend: POP3's AUTHORIZATION state; runs a checkpassword program per login attempt.
import { configFrom } from './options.js'
import { Session } from './session.js'

/** Runs one POP3 connection on fds 0 and 1; returns the exit status (docs/pop-frontend.md). */
export const main = async (argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> =>
  new Session(await configFrom(argv, env), env).run()
