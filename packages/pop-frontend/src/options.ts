// pop-frontend's command line: options (each with an environment variable), HOSTNAME, PROG.
import { parseCommandLine, type CommandSpec } from '../../pop-lib/src/cli.js'
import { ExitError, EXIT_USAGE } from '../../pop-lib/src/exit-codes.js'
import { clean } from '../../pop-lib/src/log.js'

export const SPEC: CommandSpec = {
  usage: 'pop-frontend [options] HOSTNAME PROG [ARGS...]',
  minArgs: 2,
  options: {
    apop: {
      type: 'boolean',
      default: true,
      env: 'POP_FRONTEND_APOP',
      describe: 'offer APOP: a timestamp in the greeting (--no-apop: none)',
    },
    attempts: {
      type: 'number',
      default: 3,
      env: 'POP_FRONTEND_ATTEMPTS',
      describe: 'login attempts per connection',
    },
    delay: {
      type: 'number',
      default: 1,
      env: 'POP_FRONTEND_DELAY',
      describe: 'seconds before answering a failed login, doubled after each',
    },
    timeout: {
      type: 'number',
      default: 600,
      env: 'POP_FRONTEND_TIMEOUT',
      describe: 'seconds a silent client is given (0: no limit)',
    },
    'max-bad': {
      type: 'number',
      default: 3,
      env: 'POP_FRONTEND_MAX_BAD',
      describe: 'bad commands in a row that end the session',
    },
    'max-input': {
      type: 'number',
      default: 32768,
      env: 'POP_FRONTEND_MAX_INPUT',
      describe:
        'bytes of commands a client may send before it logs in (each costs CPU: it is read a byte at a time)',
    },
    'require-tls': {
      type: 'boolean',
      default: false,
      env: 'POP_FRONTEND_REQUIRE_TLS',
      describe: 'refuse cleartext passwords until TLS is active',
    },
    'exec-wait': {
      type: 'boolean',
      default: true,
      env: 'POP_FRONTEND_EXEC_WAIT',
      describe:
        'after a good login, wait for the session in a small perl process instead of Node (Node >= 22.15)',
    },
  },
}

/** What one connection runs with. */
export interface Config {
  host: string
  prog: string[]
  apop: boolean
  attempts: number
  delayMs: number
  idleMs: number
  maxBad: number
  maxInput: number
  requireTls: boolean
  execWait: boolean
}

/** Parses the command line (and the environment) into a Config; usage errors throw ExitError(2). */
export const configFrom = async (argv: string[], env: NodeJS.ProcessEnv): Promise<Config> => {
  const { opts, args } = await parseCommandLine('pop-frontend', SPEC, argv, env)
  const host = args[0]!
  if (!/^[\x21-\x7e]+$/.test(host) || /[<>]/.test(host))
    throw new ExitError(EXIT_USAGE, `bad HOSTNAME: ${clean(host)}`)
  const attempts = Math.floor(opts.attempts as number)
  if (attempts < 1) throw new ExitError(EXIT_USAGE, '--attempts must be at least 1')
  return {
    host,
    prog: args.slice(1),
    apop: opts.apop as boolean,
    attempts,
    delayMs: (opts.delay as number) * 1000,
    idleMs: (opts.timeout as number) * 1000,
    maxBad: Math.max(1, Math.floor(opts['max-bad'] as number)),
    maxInput: Math.max(1, Math.floor(opts['max-input'] as number)),
    requireTls: opts['require-tls'] as boolean,
    execWait: opts['exec-wait'] as boolean,
  }
}
