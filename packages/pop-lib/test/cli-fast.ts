// parseFast: where it parses a command line at all, it gives exactly what yargs gives.
import t from 'tap'
import fc from 'fast-check'
import { parseCommandLine, parseWithYargs, type CommandSpec, type Parsed } from '../src/cli.js'
import { parseFast } from '../src/cli-fast.js'
import { SPEC as checkpassword } from '../../pop-checkpassword/src/options.js'
import { SPEC as maildir } from '../../pop-maildir/src/options.js'
import { SPEC as frontend } from '../../pop-frontend/src/options.js'

const spec: CommandSpec = {
  usage: 'prog [options] PROG...',
  minArgs: 0,
  options: {
    timeout: { type: 'number', describe: 't', env: 'P_TIMEOUT', default: 600 },
    users: { type: 'string', describe: 'u', env: 'P_USERS' },
    lock: { type: 'boolean', describe: 'l', env: 'P_LOCK', default: true },
    seen: { type: 'boolean', describe: 's' },
    mode: { type: 'string', describe: 'm', choices: ['a', 'b'], default: 'a' },
    'min-uid': { type: 'number', describe: 'n' },
  },
}

// Words a command line is made of: options of the specs in every form, values good and bad.
const names = [
  ...new Set([spec, checkpassword, maildir, frontend].flatMap((s) => Object.keys(s.options))),
]
const word = fc.oneof(
  fc.constantFrom(...names.map((n) => `--${n}`)),
  fc.constantFrom(...names.map((n) => `--no-${n}`)),
  fc
    .constantFrom(...names.map((n) => `--${n}=`))
    .chain((p) => fc.constantFrom(`${p}1`, `${p}a`, `${p}x`, `${p}true`, `${p}`)),
  fc.constantFrom('5', '0', '007', '1.5', '1e3', '-1', 'a', 'b', 'c', 'true', 'false', ''),
  fc.constantFrom('next', 'Maildir', '--', '-x', '--help', '--version', '--minUid', '--bogus'),
  fc.string({ maxLength: 4 }),
)
const argvs = fc.array(word, { maxLength: 7 })

const viaYargs = async (s: CommandSpec, argv: string[]): Promise<Parsed | string> => {
  const opts: Parsed['opts'] = {}
  for (const [k, o] of Object.entries(s.options)) opts[k] = o.default
  return parseWithYargs('prog', { ...s, minArgs: 0 }, argv, opts).catch((e: Error) => e.message)
}
const viaFast = (s: CommandSpec, argv: string[]): Parsed | null => {
  const f = parseFast(s, argv)
  if (f === null) return null
  const opts: Parsed['opts'] = {}
  for (const [k, o] of Object.entries(s.options)) opts[k] = o.default
  return { opts: { ...opts, ...f.given }, args: f.args }
}

for (const [label, s] of [
  ['a test spec', spec],
  ['pop-checkpassword', checkpassword],
  ['pop-maildir', maildir],
  ['pop-frontend', frontend],
] as const)
  t.test(`${label}: the same options and arguments as yargs`, async (t) => {
    let fast = 0
    await fc.assert(
      fc.asyncProperty(argvs, async (argv) => {
        const f = viaFast(s, argv)
        if (f === null) return true
        fast++
        const y = await viaYargs(s, argv)
        if (JSON.stringify(f) !== JSON.stringify(y))
          throw new Error(
            `${JSON.stringify(argv)}: fast ${JSON.stringify(f)} yargs ${JSON.stringify(y)}`,
          )
        return true
      }),
      { numRuns: 400 },
    )
    t.ok(fast > 50, `parseFast took ${fast} of 400 command lines`)
  })

t.test('the common forms, without yargs', async (t) => {
  t.same(parseFast(spec, ['--timeout', '30', '--no-lock', '--users=f', 'next', '--seen']), {
    given: { timeout: 30, lock: false, users: 'f' },
    args: ['next', '--seen'],
  })
  for (const argv of [['--help'], ['--version'], ['--lock', 'false'], ['--timeout', '1e3'], ['-x']])
    t.equal(parseFast(spec, argv), null, `${argv.join(' ')}: left to yargs`)
  const r = await parseCommandLine('prog', spec, ['--mode', 'b', 'x'], { P_TIMEOUT: '9' })
  t.same(r, {
    opts: {
      timeout: 9,
      users: undefined,
      lock: true,
      seen: undefined,
      mode: 'b',
      'min-uid': undefined,
    },
    args: ['x'],
  })
})
