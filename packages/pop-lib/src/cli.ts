// Command lines: options first, each with an environment variable; the rest handed on untouched.
import { writeSync } from 'node:fs'
import { parseFast } from './cli-fast.js'
import { ExitError, EXIT_OK, EXIT_USAGE } from './exit-codes.js'
import { VERSION } from './version.js'

/** One option of a program. */
export interface OptionSpec {
  type: 'string' | 'number' | 'boolean'
  describe: string
  /** The environment variable that sets it when the command line does not (djb style). */
  env?: string
  default?: string | number | boolean
  /** For strings: the only accepted values. */
  choices?: string[]
}

/** A program's command line. */
export interface CommandSpec {
  /** `$0 [options] HOSTNAME PROG...` style usage line. */
  usage: string
  options: Record<string, OptionSpec>
  /** The least number of arguments after the options. */
  minArgs: number
}

/** The parsed options and the arguments after them. */
export interface Parsed {
  opts: Record<string, string | number | boolean | undefined>
  args: string[]
}

const fromEnv = (
  spec: OptionSpec,
  env: NodeJS.ProcessEnv,
  name: string,
): string | number | boolean | undefined => {
  const raw = spec.env === undefined ? undefined : env[spec.env]
  if (raw === undefined || raw === '') return spec.default
  if (spec.type === 'boolean') return !/^(0|no|false|off)$/i.test(raw)
  if (spec.type === 'number') {
    const n = Number(raw)
    if (!Number.isFinite(n) || n < 0)
      throw new ExitError(EXIT_USAGE, `${spec.env}: not a number: ${raw}`)
    return n
  }
  if (spec.choices !== undefined && !spec.choices.includes(raw))
    throw new ExitError(
      EXIT_USAGE,
      `${spec.env}: ${name} must be one of ${spec.choices.join(', ')}`,
    )
  return raw
}

const checkCount = (spec: CommandSpec, args: string[]): void => {
  if (args.length < spec.minArgs) throw new ExitError(EXIT_USAGE, `usage: ${spec.usage}`)
}

/** Thrown by parseCommandLine after --help or --version printed: exit 0. */
export class Done extends ExitError {
  constructor() {
    super(EXIT_OK, '')
  }
}

/**
 * Parses argv (without node and script). The environment supplies each option's value; a command
 * line option wins over it. Parsing stops at the first non-option, and everything from there on is
 * returned untouched. A command line of plain long options (cli-fast.ts) or none never loads
 * yargs, so the common tcpserver line costs no start-up time for it. Errors throw ExitError(2).
 */
export const parseCommandLine = async (
  name: string,
  spec: CommandSpec,
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<Parsed> => {
  const opts: Parsed['opts'] = {}
  for (const [key, o] of Object.entries(spec.options)) opts[key] = fromEnv(o, env, key)
  const fast = parseFast(spec, argv)
  if (fast !== null) {
    Object.assign(opts, fast.given)
    checkCount(spec, fast.args)
    return { opts, args: fast.args }
  }
  return parseWithYargs(name, spec, argv, opts)
}

/** parseCommandLine's way for what parseFast leaves: yargs, with opts (from the environment) as defaults. */
export const parseWithYargs = async (
  name: string,
  spec: CommandSpec,
  argv: string[],
  opts: Parsed['opts'],
): Promise<Parsed> => {
  const { default: yargs } = await import('yargs')
  let failure: string | undefined
  let out = ''
  const y = yargs(argv)
    .scriptName(name)
    .usage(`usage: ${spec.usage}`)
    .parserConfiguration({
      'halt-at-non-option': true,
      'parse-positional-numbers': false,
      'boolean-negation': true,
    })
    .version(VERSION)
    .help()
    .strictOptions()
    .exitProcess(false)
    .wrap(null)
    .fail((msg, err) => {
      failure = msg ?? err?.message ?? 'bad command line'
    })
  for (const [key, o] of Object.entries(spec.options)) {
    const described = o.env === undefined ? o.describe : `${o.describe} [env ${o.env}]`
    y.option(key, {
      type: o.type,
      describe: described,
      ...(opts[key] === undefined ? {} : { default: opts[key] }),
      ...(o.choices === undefined ? {} : { choices: o.choices }),
    })
  }
  const parsed = await y.parseAsync(argv, {}, (_err, _argv, output) => {
    out = output
  })
  // yargs spreads some messages over lines ("Invalid values:\n  Argument: ..."): keep them on one.
  if (failure !== undefined)
    throw new ExitError(
      EXIT_USAGE,
      failure
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .join(' '),
    )
  if (out !== '') {
    writeSync(1, out + '\n')
    throw new Done()
  }
  for (const key of Object.keys(spec.options)) {
    const v = (parsed as Record<string, unknown>)[key]
    if (typeof v === 'number' && (!Number.isFinite(v) || v < 0))
      throw new ExitError(EXIT_USAGE, `--${key} must be a number`)
    opts[key] = v as string | number | boolean | undefined
  }
  const args = parsed._.map(String)
  checkCount(spec, args)
  return { opts, args }
}
