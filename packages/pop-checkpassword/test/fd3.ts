// The checkpassword interface through the built program: fd 3 as socket, FIFO and file; sizes; every exit code.
import t from 'tap'
import { creds, run, type Result, type RunOptions } from './fixtures/run.js'
import { NOBODY, passHash, world } from './fixtures/world.js'

const w = world()
const users = w.file('users', `alice:${passHash}:${NOBODY}:${NOBODY}::${w.home}:/bin/sh\n`)
const env = { NODE: process.execPath }
const ok = ['--users', users, 'sh', '-c', 'echo "in $(pwd) as $(id -u)"; exit 7']
const at512 = creds('alice', 'x'.repeat(512 - 'alice'.length - 3 - '<1@t>'.length), '<1@t>')

interface Case {
  what: string
  args: string[]
  data: Buffer | null
  o?: RunOptions
  code: number
  stderr?: RegExp
  stdout?: string
}

const cases: Case[] = [
  ...(['socket', 'fifo', 'file'] as const).flatMap((fd3): Case[] => [
    {
      what: `${fd3}: PROG ran; its status is ours`,
      args: ok,
      data: creds('alice', 'pass'),
      o: { fd3 },
      code: 7,
      stdout: `in ${w.home} as ${NOBODY}\n`,
    },
    {
      what: `${fd3}: wrong password`,
      args: ok,
      data: creds('alice', 'wrong'),
      o: { fd3 },
      code: 1,
    },
    { what: `${fd3}: over 512 bytes`, args: ok, data: Buffer.alloc(600, 'a'), o: { fd3 }, code: 2 },
  ]),
  { what: 'one NUL', args: ok, data: Buffer.from('alice\0pass'), code: 2, stderr: /malformed/ },
  { what: 'empty', args: ok, data: Buffer.alloc(0), code: 2, stderr: /malformed/ },
  { what: 'no NUL', args: ok, data: Buffer.from('alice'), code: 2, stderr: /malformed/ },
  // 512 bytes exactly is allowed: the secret is padded, so it is wrong, but it is read: 1, not 2.
  { what: '512 bytes: read', args: ok, data: at512, code: 1 },
  {
    what: '513 bytes: misuse',
    args: ok,
    data: Buffer.concat([at512, Buffer.from('x')]),
    code: 2,
    stderr: /more than 512 bytes/,
  },
  {
    what: 'no timestamp field at all is accepted',
    args: ok,
    data: Buffer.from('alice\0pass\0'),
    code: 7,
  },
  {
    what: 'fields after the timestamp are ignored',
    args: ok,
    data: Buffer.from('alice\0pass\0<1@t>\0more\0fields'),
    code: 7,
  },
  {
    what: 'fd 3 not open',
    args: ok,
    data: null,
    o: { fd3: 'none' },
    code: 2,
    stderr: /fd 3 is not open/,
  },
  { what: 'no PROG', args: ['--users', users], data: creds('alice', 'pass'), code: 2 },
  {
    what: 'unknown option',
    args: ['--no-such-option', 'x'],
    data: creds('alice', 'pass'),
    code: 2,
  },
  {
    what: 'a bad option value',
    args: ['--min-uid', 'lots', 'true'],
    data: creds('alice', 'pass'),
    code: 2,
  },
  {
    what: 'unreadable users file',
    args: ['--users', w.dir + '/nonexistent', 'true'],
    data: creds('alice', 'pass'),
    code: 111,
    stderr: /cannot read .*nonexistent: ENOENT/,
  },
  {
    what: 'PROG that cannot run',
    args: ['--users', users, '/nonexistent/prog'],
    data: creds('alice', 'pass'),
    code: 111,
  },
  {
    what: 'POPCHECKPW_USERS chooses the users file',
    args: ['sh', '-c', 'exit 5'],
    data: creds('alice', 'pass'),
    o: { env: { POPCHECKPW_USERS: users } },
    code: 5,
  },
  // accounts.ts checks every refused name; a few go through the program here.
  ...['', '../alice', 'al\nice', '#alice'].map((name): Case => ({
    what: `login ${JSON.stringify(name)}`,
    args: ok,
    data: creds(name, 'pass'),
    code: 1,
  })),
]

// A few at a time: each is a Node start-up.
const runAll = async (list: Case[], width = 3): Promise<Result[]> => {
  const out: Result[] = []
  for (let i = 0; i < list.length; i += width)
    out.push(
      ...(await Promise.all(
        list
          .slice(i, i + width)
          .map((c) => run(c.args, c.data, { ...c.o, env: { ...env, ...c.o?.env } })),
      )),
    )
  return out
}

t.test('exit codes and fd 3 kinds', async (t) => {
  const results = await runAll(cases)
  cases.forEach((c, i) => {
    const r = results[i]!
    t.equal(r.code, c.code, `${c.what}: ${c.code}`)
    if (c.stderr !== undefined) t.match(r.stderr, c.stderr, `${c.what}: log`)
    if (c.stdout !== undefined) t.equal(r.stdout, c.stdout, `${c.what}: output`)
    t.notMatch(r.stderr, /fatal: .*(Error|at )/, `${c.what}: no crash`)
  })
})
