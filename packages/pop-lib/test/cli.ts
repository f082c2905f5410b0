// Command lines: env defaults, the command line winning, halting at the first non-option.
import t from 'tap'
import { parseCommandLine, type CommandSpec } from '../src/cli.js'
import { ExitError } from '../src/exit-codes.js'

const spec: CommandSpec = {
  usage: 'prog [options] PROG...',
  minArgs: 1,
  options: {
    timeout: { type: 'number', describe: 'idle timeout', env: 'PROG_TIMEOUT', default: 600 },
    users: { type: 'string', describe: 'users file', env: 'PROG_USERS' },
    lock: { type: 'boolean', describe: 'lock', env: 'PROG_LOCK', default: true },
  },
}

t.test('no options: defaults and the environment, arguments untouched', async (t) => {
  const r = await parseCommandLine('prog', spec, ['next', '--timeout', '5', '007'], {
    PROG_USERS: '/etc/u',
    PROG_LOCK: 'no',
  })
  t.same(r.opts, { timeout: 600, users: '/etc/u', lock: false })
  t.same(
    r.args,
    ['next', '--timeout', '5', '007'],
    'everything from the first non-option on is handed on, numbers unparsed',
  )
})

t.test('the command line wins over the environment', async (t) => {
  const r = await parseCommandLine('prog', spec, ['--timeout', '30', '--no-lock', 'next', '1'], {
    PROG_TIMEOUT: '99',
    PROG_LOCK: '1',
  })
  t.equal(r.opts.timeout, 30)
  t.equal(r.opts.lock, false)
  t.same(r.args, ['next', '1'])
})

t.test('the environment applies when the option is not given', async (t) => {
  const r = await parseCommandLine('prog', spec, ['--users', 'f', 'next'], { PROG_TIMEOUT: '99' })
  t.equal(r.opts.timeout, 99)
  t.equal(r.opts.users, 'f')
})

const usage = { code: 2, constructor: ExitError }
t.test('usage errors are exit 2', async (t) => {
  await t.rejects(parseCommandLine('prog', spec, ['--bogus', 'next'], {}), usage)
  await t.rejects(parseCommandLine('prog', spec, ['--timeout', 'x', 'next'], {}), usage)
  await t.rejects(parseCommandLine('prog', spec, [], {}), usage)
  await t.rejects(parseCommandLine('prog', spec, ['--timeout', '5'], {}), usage)
  await t.rejects(parseCommandLine('prog', spec, ['next'], { PROG_TIMEOUT: 'soon' }), usage)
})

t.test('a usage error is one line that names the problem', async (t) => {
  const bad = {
    ...spec,
    options: {
      ...spec.options,
      mode: { type: 'string' as const, describe: 'm', choices: ['a', 'b'] },
    },
  }
  const e = await parseCommandLine('prog', bad, ['--mode', 'c', 'next'], {}).catch(
    (e: unknown) => e,
  )
  t.type(e, ExitError)
  t.notMatch((e as Error).message, /\n/)
  t.match((e as Error).message, /Invalid values: .*mode.*"c"/)
})
