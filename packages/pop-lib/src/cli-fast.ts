// The plain command line parsed without yargs, which costs about 50 ms of CPU to load per stage.
import type { CommandSpec } from './cli.js'

const DECIMAL = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$/

/** The options given on the command line and the arguments after them. */
export interface FastParse {
  given: Record<string, string | number | boolean>
  args: string[]
}

/**
 * Parses argv as yargs would, for the plain forms only: `--name value` and `--name=value` for
 * string and number options, `--name` and `--no-name` for booleans, stopping at the first
 * argument that does not start with `-`. Returns null for anything else, and yargs then parses
 * (and says what is wrong): `--help`, `--version`, short, unknown or repeated options, `--`, a
 * missing or empty value or one that starts with `-`, a value not among the choices, a number
 * that is not plain decimal, a boolean with `=` or followed by true or false.
 */
export const parseFast = (spec: CommandSpec, argv: string[]): FastParse | null => {
  const given: FastParse['given'] = {}
  let i = 0
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!
    if (!a.startsWith('--') || a === '--') return null
    const eq = a.indexOf('=')
    let key = eq < 0 ? a.slice(2) : a.slice(2, eq)
    let negated = false
    if (!Object.hasOwn(spec.options, key) && key.startsWith('no-')) {
      key = key.slice(3)
      negated = true
    }
    const o = Object.hasOwn(spec.options, key) ? spec.options[key]! : undefined
    if (o === undefined || Object.hasOwn(given, key)) return null
    if (o.type === 'boolean') {
      const next = argv[i + 1]
      if (eq >= 0 || next === 'true' || next === 'false') return null
      given[key] = !negated
      i += 1
      continue
    }
    if (negated) return null
    const value = eq < 0 ? argv[i + 1] : a.slice(eq + 1)
    if (value === undefined || value === '' || value.startsWith('-')) return null
    if (o.type === 'number') {
      if (!DECIMAL.test(value)) return null
      given[key] = Number(value)
    } else {
      if (o.choices !== undefined && !o.choices.includes(value)) return null
      given[key] = value
    }
    i += eq < 0 ? 2 : 1
  }
  return { given, args: argv.slice(i) }
}
