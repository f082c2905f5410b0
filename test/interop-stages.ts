// The stage contract, observed: what a program after pop-checkpassword receives, and a stage inserted there.
import t from 'tap'
import { join } from 'node:path'
import { mkdirSync, chmodSync, readdirSync, readFileSync } from 'node:fs'
import { Client, unstuff } from '../packages/pop-lib/test/fixtures/harness.js'
import {
  makeWorld,
  stage,
  recorder,
  readRecords,
  sameMessages,
  MESSAGES,
  USER,
  PASS,
  UID,
  GID,
} from './fixtures/world.js'
import { tcpserver, fetchAll, need } from './fixtures/servers.js'

t.test(
  'pop-checkpassword hands the next stage the user, the home, the socket and nothing else',
  async (t) => {
    if (!need(t, 'tcpserver')) return
    const w = makeWorld(t)
    const rec = recorder(w)
    const s = await tcpserver(
      t,
      ['-R', '-H'],
      [...stage.frontend(), ...stage.checkpassword(w), ...rec.argv, ...stage.maildir()],
      w.env,
    )
    const f = await fetchAll(s.port)
    sameMessages(t, f.messages, MESSAGES, 'through the recording stage')
    await s.close()
    const [r, ...more] = readRecords(rec.dir)
    t.equal(more.length, 0, 'one login, one run')
    if (r === undefined) return t.fail('the recording stage never ran')
    t.equal(r.ids.get('uid'), String(UID), 'runs as the user')
    t.equal(r.ids.get('gid'), String(GID), "with the user's group")
    const groups = (r.ids.get('groups') ?? '').split(' ')
    t.ok(
      groups.includes(String(GID)),
      `supplementary groups hold the primary one: ${groups.join(' ')}`,
    )
    t.notOk(groups.includes('0'), 'no root group left')
    t.equal(r.ids.get('cwd'), w.home, 'in the home directory')
    t.equal(r.env.get('USER'), USER)
    t.equal(r.env.get('HOME'), w.home)
    t.ok(r.env.has('SHELL'), `SHELL is set (${r.env.get('SHELL')})`)
    t.equal(r.env.get('TCPREMOTEIP'), '127.0.0.1', "the launcher's variables are kept")
    t.notOk(r.env.has('POPCHAIN_AUTHFD'), 'the login signal was given and its variable removed')
    t.notOk(
      [...r.env.values()].some((v) => v.includes(PASS)),
      'no variable holds the password',
    )
    t.same(
      r.fds,
      [0, 1, 2],
      'no descriptor beyond 0-2 (fd 3 credentials and fd 4 login signal are closed)',
    )
    t.match(r.ids.get('fd0'), /^socket:\[\d+\]$/, 'fd 0 is the connection')
    t.equal(r.ids.get('fd1'), r.ids.get('fd0'), 'fd 1 is the same connection')
  },
)

t.test('cvm-checkpassword as the middle stage: what a foreign stage passes on', async (t) => {
  if (!need(t, 'tcpserver') || !need(t, 'cvm-checkpassword') || !need(t, 'cvm-pwfile')) return
  const w = makeWorld(t)
  const rec = recorder(w)
  const s = await tcpserver(
    t,
    ['-R', '-H'],
    [...stage.frontend(), ...stage.cvmCheckpassword(), ...rec.argv, ...stage.maildir()],
    w.env,
  )
  const f = await fetchAll(s.port)
  sameMessages(t, f.messages, MESSAGES, 'through the recording stage')
  await s.close()
  const [r] = readRecords(rec.dir)
  if (r === undefined) return t.fail('the recording stage never ran')
  t.equal(r.ids.get('uid'), String(UID))
  t.equal(r.ids.get('cwd'), w.home)
  t.equal(r.env.get('USER'), USER)
  // cvm-checkpassword knows nothing of the login signal: fd 4 and its variable reach the next
  // stage, and pop-maildir gives the signal at start (docs/interop.md)
  t.equal(
    r.env.get('POPCHAIN_AUTHFD'),
    '4',
    'the login signal variable passes through a foreign stage',
  )
  t.ok(r.fds.includes(4), `fd 4 (the login signal) is still open: ${r.fds.join(' ')}`)
  t.notMatch(
    s.log(),
    /login failed|fail/i,
    'a good login through a foreign stage is not logged as a failure',
  )
})

t.test(
  'a stage between pop-checkpassword and pop-maildir (like relay-ctrl-allow) passes the session untouched',
  async (t) => {
    if (!need(t, 'tcpserver')) return
    const w = makeWorld(t)
    const relay = join(w.dir, 'relay')
    mkdirSync(relay)
    chmodSync(relay, 0o1777)
    const allow = w.file(
      'relay-allow',
      [
        '#!/bin/sh',
        '# like relay-ctrl-allow: reached only after a good login; notes the address, then passes the session on',
        '[ -n "$TCPREMOTEIP" ] || exit 111',
        `echo "$USER $TCPREMOTEIP" >> ${relay}/"$TCPREMOTEIP"`,
        'exec "$@"',
        '',
      ].join('\n'),
      true,
    )
    const s = await tcpserver(
      t,
      ['-R', '-H'],
      [...stage.frontend(), ...stage.checkpassword(w), allow, ...stage.maildir()],
      w.env,
    )

    const bad = await fetchAll(s.port, { pass: 'wrong' })
    t.match(bad.login, /^-ERR/, 'a wrong password is refused')
    t.same(readdirSync(relay), [], 'a failed login never reaches the stage')

    // the whole session in one write: the inserted stage must not read a byte of it
    const c = await Client.connect(s.port)
    t.match(await c.line(), /^\+OK/)
    c.send(`USER ${USER}\r\nPASS ${PASS}\r\nSTAT\r\nLIST 2\r\nRETR 2\r\nDELE 1\r\nQUIT\r\n`)
    t.match(await c.line(), /^\+OK/, 'USER')
    t.match(await c.line(), /^\+OK/, 'PASS')
    t.match(await c.line(), new RegExp(`^\\+OK ${MESSAGES.length} \\d+$`), 'STAT')
    t.match(await c.line(), /^\+OK 2 \d+$/, 'LIST 2')
    t.match(await c.line(), /^\+OK/, 'RETR 2')
    const body = await c.body()
    t.equal(
      body === null ? null : unstuff(body).toString('latin1'),
      MESSAGES[1]!.toString('latin1'),
      'message 2 intact',
    )
    t.match(await c.line(), /^\+OK/, 'DELE 1')
    t.match(await c.line(), /^\+OK/, 'QUIT')
    await c.untilClosed()
    c.close()
    t.equal(w.list().length, MESSAGES.length - 1, 'DELE 1 took effect at QUIT')
    t.equal(
      readFileSync(join(relay, '127.0.0.1'), 'latin1'),
      `${USER} 127.0.0.1\n`,
      'the stage saw USER and TCPREMOTEIP',
    )
    await s.close()
  },
)
