// The chain under djb's tcpserver (Debian ucspi-tcp): the canonical line, -c, -R/-H, tcprules.
import t from 'tap'
import net from 'node:net'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { Client } from '../packages/pop-lib/test/fixtures/harness.js'
import {
  makeWorld,
  chainUnderTest,
  recorder,
  readRecords,
  sameMessages,
  MESSAGES,
  NAMES,
  USER,
  PASS,
} from './fixtures/world.js'
import { tcpserver, fetchAll, need } from './fixtures/servers.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

t.test('the canonical line: tcpserver -R -H 127.0.0.1 PORT chain', async (t) => {
  if (!need(t, 'tcpserver')) return
  const w = makeWorld(t)
  const s = await tcpserver(t, ['-R', '-H'], chainUnderTest(w), w.env)
  const keep = await fetchAll(s.port)
  t.match(keep.greeting, /^\+OK .*<[^<>@]+@mail\.example\.org>$/, 'greeting with an APOP timestamp')
  t.match(keep.login, /^\+OK/, 'logged in')
  t.same(
    keep.uidls.map((l) => l.split(' ')[1]),
    NAMES,
    'UIDLs are the file names (qmail-compatible)',
  )
  sameMessages(t, keep.messages, MESSAGES, 'keep')
  t.equal(w.list().length, MESSAGES.length, 'nothing deleted')
  const del = await fetchAll(s.port, { dele: true })
  sameMessages(t, del.messages, MESSAGES, 'delete')
  t.match(del.quit, /^\+OK/)
  t.same(w.list(), [], 'the Maildir is empty after DELE and QUIT')
  const bad = await fetchAll(s.port, { pass: 'wrong' })
  t.match(bad.login, /^-ERR/, 'a wrong password is refused')
  await s.close()
  t.match(s.log(), /tcpserver: ok \d+ .*:127\.0\.0\.1::\d+/, 'tcpserver logged the connections')
})

t.test(
  '-R and -H leave TCPREMOTEINFO and TCPREMOTEHOST unset, -l names the local host',
  async (t) => {
    if (!need(t, 'tcpserver')) return
    for (const flags of [['-R', '-H', '-l', 'pop.example.org']]) {
      const w = makeWorld(t)
      const rec = recorder(w)
      const s = await tcpserver(t, flags, chainUnderTest(w, rec.argv), w.env)
      const f = await fetchAll(s.port)
      t.match(f.login, /^\+OK/)
      await s.close()
      const [r] = readRecords(rec.dir)
      if (r === undefined) {
        t.fail('the recording stage never ran')
        continue
      }
      t.equal(r.env.get('PROTO'), 'TCP')
      t.equal(r.env.get('TCPREMOTEIP'), '127.0.0.1')
      t.equal(r.env.get('TCPLOCALPORT'), String(s.port))
      t.notOk(r.env.has('TCPREMOTEINFO'), `${flags.join(' ')}: no TCPREMOTEINFO`)
      t.notOk(r.env.has('TCPREMOTEHOST'), '-H: no TCPREMOTEHOST')
      t.equal(r.env.get('TCPLOCALHOST'), 'pop.example.org', '-l sets TCPLOCALHOST')
    }
  },
)

t.test('-c 1: a second connection is not served until the first ends', async (t) => {
  if (!need(t, 'tcpserver')) return
  const w = makeWorld(t)
  const s = await tcpserver(t, ['-R', '-H', '-c', '1'], chainUnderTest(w), w.env)
  const a = await Client.connect(s.port)
  t.match(await a.line(), /^\+OK/, 'first connection greeted')
  const b = await Client.connect(s.port)
  let greeted = false
  const bGreeting = b.line(15000).then((l) => ((greeted = true), l))
  // a correct server never greets b while a is open, however long we wait; 500 ms is a sample
  await sleep(500)
  t.notOk(greeted, 'second connection not greeted while the first is open')
  t.match(s.log(), /status: 1\/1/, 'tcpserver counts one of one')
  await a.cmd(`USER ${USER}`)
  t.match(await a.cmd(`PASS ${PASS}`), /^\+OK/)
  t.match(await a.cmd('QUIT'), /^\+OK/)
  a.close()
  t.match(await bGreeting, /^\+OK/, 'second connection greeted once the first ended')
  t.match(await b.cmd('QUIT'), /^\+OK/)
  b.close()
})

t.test('tcprules: deny an address, set a variable for a network', async (t) => {
  if (!need(t, 'tcpserver') || !need(t, 'tcprules')) return
  const w = makeWorld(t)
  // a rule can set any option's variable for a network: here, no APOP timestamp in the greeting
  const rules = w.file(
    'pop3.rules',
    '127.0.0.2:deny\n127.:allow,POPNET="loopback",POP_FRONTEND_APOP="no"\n:deny\n',
  )
  const cdb = join(w.dir, 'pop3.cdb')
  const made = spawnSync('tcprules', [cdb, `${cdb}.tmp`], { input: readFileSync(rules) })
  t.equal(made.status, 0, `tcprules ${cdb} ${cdb}.tmp < ${rules}`)
  const rec = recorder(w)
  const s = await tcpserver(t, ['-R', '-H', '-x', cdb], chainUnderTest(w, rec.argv), w.env)
  // from 127.0.0.2: tcpserver closes without running the chain
  const denied = await new Promise<string>((resolve) => {
    let got = ''
    const c = net.connect({ port: s.port, host: '127.0.0.1', localAddress: '127.0.0.2' })
    c.on('data', (d) => (got += d.toString('latin1')))
    c.on('close', () => resolve(got))
    c.on('error', () => {})
  })
  t.equal(denied, '', '127.0.0.2 gets no greeting')
  await s.waitLog(/deny \d+ \S+ :127\.0\.0\.2:/)
  t.pass('tcpserver logged the denial')
  const f = await fetchAll(s.port)
  t.match(f.greeting, /^\+OK/)
  t.notMatch(f.greeting, /</, 'POP_FRONTEND_APOP="no" from the rule: no timestamp in the greeting')
  sameMessages(t, f.messages, MESSAGES, 'from 127.0.0.1')
  await s.close()
  const records = readRecords(rec.dir)
  t.equal(records.length, 1, 'the chain ran once, for 127.0.0.1 only')
  t.equal(
    records[0]?.env.get('POPNET'),
    'loopback',
    'the rule variable reached the stage after login',
  )
  t.equal(records[0]?.env.get('TCPREMOTEIP'), '127.0.0.1')
})
