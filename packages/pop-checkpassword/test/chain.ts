// pop-checkpassword as the middle stage: after a shell-script frontend, and after pop-frontend over TCP.
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import {
  bin,
  chainEnv,
  chownTree,
  Client,
  executable,
  makeMaildir,
  needTool,
  serve,
} from '../../pop-lib/test/fixtures/harness.js'
import { CHECKPW } from './fixtures/run.js'
import { NOBODY, NOGROUP, passHash, world } from './fixtures/world.js'

const w = world()
const users = w.file('users', `alice:${passHash}:${NOBODY}:${NOGROUP}::${w.home}:/bin/sh\n`)
const env = chainEnv({ POPCHECKPW_USERS: users })
for (const k of Object.keys(env)) if (k === 'NODE_OPTIONS' || k.startsWith('TAP')) delete env[k]

// A mailbox stage in shell: answers PASS with +OK, then one command.
const mailbox = executable(
  join(w.dir, 'mailbox'),
  `#!/bin/sh
printf '+OK %s in %s as %s\\r\\n' "$USER" "$(pwd)" "$(id -u)"
read -r cmd
printf '+OK bye\\r\\n'
`,
)

// The frontend in shell: the data on fd 3 by printf, the status of the rest judged as qmail-popup does.
const frontend = executable(
  join(w.dir, 'frontend'),
  `#!/bin/sh
login=$1; pass=$2; shift 2
printf '%s\\0%s\\0<1.2@test>\\0' "$login" "$pass" | ( exec 3<&0 </dev/null; exec "$@" )
echo "status $?"
`,
)

t.test('shell frontend, pop-checkpassword, shell PROG', async (t) => {
  const run = (pw: string) =>
    spawnSync(
      frontend,
      [
        'alice',
        pw,
        process.execPath,
        CHECKPW,
        'sh',
        '-c',
        'echo "$USER $HOME $SHELL $(id -u) $(pwd)"; exit 3',
      ],
      {
        env,
        encoding: 'latin1',
      },
    )
  const good = run('pass')
  t.equal(good.stdout, `alice ${w.home} /bin/sh ${NOBODY} ${w.home}\nstatus 3\n`)
  const bad = run('nope')
  t.equal(bad.stdout, 'status 1\n')
})

t.test('pop-frontend, pop-checkpassword, shell PROG over TCP', async (t) => {
  const s = await serve(
    [process.execPath, bin('pop-frontend'), 'test.example', process.execPath, CHECKPW, mailbox],
    { env },
  )
  try {
    const c = await Client.connect(s.port)
    t.match(await c.line(), /^\+OK /)
    t.match(await c.cmd('USER alice'), /^\+OK/)
    t.equal(await c.cmd('PASS pass'), `+OK alice in ${w.home} as ${NOBODY}`)
    t.equal(await c.cmd('QUIT'), '+OK bye')
    c.close()
    const d = await Client.connect(s.port)
    await d.line()
    await d.cmd('USER alice')
    t.match(await d.cmd('PASS wrong'), /^-ERR/)
    d.close()
  } finally {
    await s.close()
  }
})

// The mailbox stages: popchain's own and mailfront's, both reading $HOME/Maildir as nobody.
const MESSAGE = 'From: a@example.org\nSubject: hi\n\nbody\n'
makeMaildir(join(w.home, 'Maildir'), [{ content: MESSAGE }])
chownTree(w.home, NOBODY, NOGROUP)

const session = async (t: Test, argv: string[]): Promise<void> => {
  const s = await serve(argv, { env })
  try {
    const c = await Client.connect(s.port)
    t.match(await c.line(), /^\+OK /)
    t.match(await c.cmd('USER alice'), /^\+OK/)
    t.match(await c.cmd('PASS pass'), /^\+OK/)
    t.match(await c.cmd('STAT'), /^\+OK 1 \d+/)
    const r = await c.multi('RETR 1')
    t.match(r.status, /^\+OK/)
    t.match(r.body?.toString('latin1'), /Subject: hi\r\n\r\nbody\r\n/)
    t.match(await c.cmd('QUIT'), /^\+OK/)
    c.close()
  } finally {
    await s.close()
  }
}

t.test('pop-frontend, pop-checkpassword, pop-maildir', async (t) => {
  const fe = [process.execPath, bin('pop-frontend'), 'test.example', process.execPath, CHECKPW]
  await session(t, [...fe, process.execPath, bin('pop-maildir'), 'Maildir'])
})

t.test("pop-frontend, pop-checkpassword, mailfront's pop3front-maildir", async (t) => {
  const tool = needTool(t as unknown as Parameters<typeof needTool>[0], 'pop3front-maildir')
  if (tool === null) return
  const fe = [process.execPath, bin('pop-frontend'), 'test.example', process.execPath, CHECKPW]
  await session(t, [...fe, tool, 'Maildir/'])
})
