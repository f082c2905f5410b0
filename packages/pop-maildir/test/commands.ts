// Every command and every bad argument, in-process, with the Maildir checked on disk afterwards.
import t from 'tap'
import {
  readdirSync,
  rmSync,
  mkdirSync,
  utimesSync,
  writeFileSync,
  renameSync,
  readFileSync,
} from 'node:fs'
import { listMaildir } from '../../pop-lib/test/fixtures/harness.js'
import { open, attach } from './fixtures/session.js'

const at = (s: number): Date => new Date(s * 1000)
const M1 = 'Subject: one\n\n.dot line\nbody\n'
const M2 = 'Subject: two\r\n\r\nno final newline'
const M3 = 'Subject: three\n\nline1\nline2\nline3\n'
const three = [
  { content: M1, name: '1700000001.M1P1.host', mtime: at(1700000001) },
  { content: M2, name: '1700000002.M2P1.host:2,S', sub: 'cur' as const, mtime: at(1700000002) },
  { content: M3, name: '1700000003.M3P1.host,S=40', mtime: at(1700000003) },
]
const mk = (dir: string) => {
  const o = open(dir, [])
  for (const m of three) {
    const file = `${m.sub ?? 'new'}/${m.name}`
    writeFileSync(file, m.content)
    utimesSync(file, m.mtime, m.mtime)
  }
  return attach()
}
// Wire sizes: M1 29 bytes + 4 CR; M2 32 + final CRLF; M3 34 + 5 CR.
const SIZES = [33, 34, 39]

t.test('STAT, LIST, UIDL: exact wire sizes, in delivery order', async (t) => {
  const { say } = mk(t.testdir({}))
  t.equal(await say('STAT'), '+OK 3 106\r\n')
  t.equal(await say('LIST'), '+OK 3 messages (106 octets)\r\n1 33\r\n2 34\r\n3 39\r\n.\r\n')
  t.equal(await say('list 2'), '+OK 2 34\r\n')
  t.equal(
    await say('UIDL'),
    '+OK unique-id listing follows\r\n1 1700000001.M1P1.host\r\n2 1700000002.M2P1.host\r\n3 1700000003.M3P1.host,S=40\r\n.\r\n',
  )
  t.equal(await say('uidl 3'), '+OK 3 1700000003.M3P1.host,S=40\r\n')
})

t.test('the mailfront UIDL form drops size tags', async (t) => {
  mk(t.testdir({}))
  const { say } = attach('mailfront')
  t.equal(await say('UIDL 3'), '+OK 3 1700000003.M3P1.host\r\n')
})

t.test('RETR: CRLF, dot-stuffing, a line end added where missing', async (t) => {
  const { say, tally } = mk(t.testdir({}))
  t.equal(
    await say('RETR 1'),
    '+OK message follows\r\nSubject: one\r\n\r\n..dot line\r\nbody\r\n.\r\n',
    'size not known yet',
  )
  t.equal(tally.retrievedBytes, 33, 'the size RETR measured, without the stuffed dot')
  t.equal(
    await say('RETR 1'),
    '+OK 33 octets\r\nSubject: one\r\n\r\n..dot line\r\nbody\r\n.\r\n',
    'and now known',
  )
  await say('STAT')
  t.equal(await say('RETR 2'), '+OK 34 octets\r\nSubject: two\r\n\r\nno final newline\r\n.\r\n')
})

t.test('TOP n k', async (t) => {
  const { say } = mk(t.testdir({}))
  t.equal(await say('TOP 3 0'), '+OK message follows\r\nSubject: three\r\n\r\n.\r\n')
  t.equal(
    await say('TOP 3 2'),
    '+OK message follows\r\nSubject: three\r\n\r\nline1\r\nline2\r\n.\r\n',
  )
  t.equal(
    await say('TOP 3 100'),
    '+OK message follows\r\nSubject: three\r\n\r\nline1\r\nline2\r\nline3\r\n.\r\n',
  )
})

t.test('DELE hides a message from STAT and LIST; RSET brings it back; LAST', async (t) => {
  const { say } = mk(t.testdir({}))
  t.equal(await say('LAST'), '+OK 0\r\n')
  t.equal(await say('DELE 2'), '+OK message 2 deleted\r\n')
  t.equal(await say('LAST'), '+OK 2\r\n')
  t.equal(await say('STAT'), `+OK 2 ${SIZES[0]! + SIZES[2]!}\r\n`)
  t.equal(await say('LIST'), '+OK 2 messages (72 octets)\r\n1 33\r\n3 39\r\n.\r\n')
  t.equal(
    await say('UIDL'),
    '+OK unique-id listing follows\r\n1 1700000001.M1P1.host\r\n3 1700000003.M3P1.host,S=40\r\n.\r\n',
  )
  t.equal(await say('RETR 1'), '+OK 33 octets\r\nSubject: one\r\n\r\n..dot line\r\nbody\r\n.\r\n')
  t.equal(await say('LAST'), '+OK 2\r\n')
  t.equal(await say('RSET'), '+OK 3 messages\r\n')
  t.equal(await say('LAST'), '+OK 0\r\n')
  t.equal(await say('STAT'), '+OK 3 106\r\n')
})

t.test('NOOP and CAPA', async (t) => {
  const { say } = mk(t.testdir({}))
  t.equal(await say('NOOP'), '+OK\r\n')
  t.match(
    await say('CAPA'),
    /^\+OK .*\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nEXPIRE NEVER\r\nIMPLEMENTATION popchain-[0-9.]+\r\n\.\r\n$/,
  )
})

t.test('every bad argument gets -ERR and counts as a bad command', async (t) => {
  const { run } = mk(t.testdir({}))
  await run('DELE 1')
  const bad = [
    'LIST 0',
    'LIST 4',
    'LIST -1',
    'LIST x',
    'LIST 1 2',
    'LIST 1',
    'LIST 99999999999',
    'UIDL 0',
    'UIDL 4',
    'UIDL x',
    'UIDL 1',
    'RETR',
    'RETR 0',
    'RETR 4',
    'RETR -1',
    'RETR 1x',
    'RETR 1',
    'RETR 2 3',
    'RETR +2',
    'TOP',
    'TOP 2',
    'TOP 2 x',
    'TOP 2 -1',
    'TOP 0 1',
    'TOP 4 1',
    'TOP 1 1',
    'TOP 2 1 1',
    'DELE',
    'DELE 0',
    'DELE 4',
    'DELE x',
    'DELE 1',
    'STAT 1',
    'NOOP x',
    'RSET x',
    'LAST 1',
    'CAPA x',
    'USER x',
    'PASS x',
    'APOP a b',
    'XYZZY',
  ]
  for (const line of bad) {
    const r = await run(line)
    t.match(r.text, /^-ERR [^\r\n]*\r\n$/, line)
    t.equal(r.outcome, 'bad', line)
  }
  t.equal((await run('STAT')).text, '+OK 2 73\r\n', 'nothing changed')
})

t.test(
  'QUIT: deleted messages unlinked, new/ moved to cur/, retrieved ones flagged S',
  async (t) => {
    const dir = t.testdir({})
    const { run } = mk(dir)
    await run('RETR 1')
    await run('TOP 3 1')
    await run('DELE 2')
    const q = await run('QUIT')
    t.equal(q.text, '+OK bye\r\n')
    t.equal(q.outcome, 'end')
    t.same(listMaildir(dir), ['cur/1700000001.M1P1.host:2,S', 'cur/1700000003.M3P1.host,S=40:2,'])
    t.equal(readFileSync('cur/1700000001.M1P1.host:2,S', 'latin1'), M1)
    const { say } = attach()
    t.equal(
      await say('UIDL'),
      '+OK unique-id listing follows\r\n1 1700000001.M1P1.host\r\n2 1700000003.M3P1.host,S=40\r\n.\r\n',
      'ids unchanged by the moves',
    )
  },
)

t.test('without QUIT nothing changes', async (t) => {
  const dir = t.testdir({})
  const { run } = mk(dir)
  const before = listMaildir(dir)
  await run('RETR 1')
  await run('DELE 1')
  await run('DELE 2')
  t.same(listMaildir(dir), before)
})

t.test('moved or removed between the login and the first look: found, or not listed', async (t) => {
  const dir = t.testdir({})
  const { run, box } = mk(dir)
  t.equal(box.announced, 3, 'the greeting counts the files listed')
  renameSync('new/1700000001.M1P1.host', 'cur/1700000001.M1P1.host:2,F')
  rmSync('cur/1700000002.M2P1.host:2,S')
  t.equal((await run('STAT')).text, '+OK 2 72\r\n')
  t.equal(
    (await run('UIDL')).text,
    '+OK unique-id listing follows\r\n1 1700000001.M1P1.host\r\n2 1700000003.M3P1.host,S=40\r\n.\r\n',
  )
  t.match((await run('RETR 1')).text, /^\+OK 33 octets\r\nSubject: one\r\n/)
})

t.test('a session that needs no message looks at none, even to log its end', async (t) => {
  const dir = t.testdir({})
  open(dir, [])
  for (const m of three) writeFileSync(`cur/${m.name.replace(/:.*/, '')}:2,`, m.content)
  const { run, box } = attach('qmail', false)
  t.equal((await run('NOOP')).text, '+OK\r\n')
  t.equal((await run('QUIT')).text, '+OK bye\r\n')
  t.ok(box.untouched, 'no file was looked at')
  t.equal(box.listedBytes(), null, 'so the size of the mailbox is not known')
  t.equal(box.announced, 3)
  const next = attach('qmail', false)
  t.equal((await next.run('STAT')).text, '+OK 3 106\r\n', 'a command that needs them looks')
  t.equal(next.box.listedBytes(), 106)
})

t.test('QUIT that cannot remove a message: one -ERR [SYS/TEMP], the others kept', async (t) => {
  const dir = t.testdir({})
  const { run } = mk(dir)
  await run('DELE 1')
  await run('DELE 2')
  // A directory where the file was: unlink(2) fails with EISDIR, even for root.
  rmSync('cur/1700000002.M2P1.host:2,S')
  mkdirSync('cur/1700000002.M2P1.host:2,S')
  const q = await run('QUIT')
  t.equal(q.text, '-ERR [SYS/TEMP] some deleted messages were not removed\r\n')
  t.same(listMaildir(dir), ['cur/1700000002.M2P1.host:2,S', 'cur/1700000003.M3P1.host,S=40:2,'])
})

t.test(
  'a message moved by another program meanwhile is found again; one removed is -ERR alone',
  async (t) => {
    const dir = t.testdir({})
    const { run } = mk(dir)
    // The session looks at its messages at the first command that needs them.
    t.equal((await run('STAT')).text, '+OK 3 106\r\n')
    renameSync('new/1700000001.M1P1.host', 'cur/1700000001.M1P1.host:2,F')
    rmSync('cur/1700000002.M2P1.host:2,S')
    t.equal(
      (await run('RETR 1')).text,
      '+OK 33 octets\r\nSubject: one\r\n\r\n..dot line\r\nbody\r\n.\r\n',
    )
    const gone = await run('RETR 2')
    t.equal(gone.text, '-ERR message 2 is gone\r\n')
    t.equal(gone.outcome, 'ok')
    t.match((await run('RETR 3')).text, /^\+OK 39 octets\r\n/)
    await run('DELE 1')
    t.equal((await run('QUIT')).text, '+OK bye\r\n')
    t.same(listMaildir(dir), ['cur/1700000003.M3P1.host,S=40:2,S'])
  },
)

t.test('mail delivered during the session is not shown and not lost', async (t) => {
  const dir = t.testdir({})
  const { run } = mk(dir)
  writeFileSync('new/1800000000.M9P9.host', 'late\n')
  t.equal((await run('STAT')).text, '+OK 3 106\r\n')
  await run('DELE 1')
  await run('QUIT')
  t.ok(listMaildir(dir).includes('new/1800000000.M9P9.host'))
})

t.test(
  'the size cache: a warm session stats nothing, ,W= is trusted, RETR notices a changed file',
  async (t) => {
    const dir = t.testdir({})
    open(dir, [
      { content: 'a\nb\n', name: '1700000001.M1P1.host', mtime: at(1) },
      { content: 'x\n', name: '1700000002.M2P1.host,S=2,W=3', mtime: at(2) },
    ])
    const first = attach()
    t.equal(await first.say('LIST'), '+OK 2 messages (9 octets)\r\n1 6\r\n2 3\r\n.\r\n')
    t.match(readFileSync('popchain-sizes', 'latin1'), /^popchain-sizes 2 /)
    // A warm session believes the cache: prove it by lying in it.
    writeFileSync(
      'popchain-sizes',
      readFileSync('popchain-sizes', 'latin1').replace('\t4\t6\n', '\t4\t66\n'),
    )
    const warm = attach()
    t.equal(await warm.say('LIST 1'), '+OK 1 66\r\n')
    // RETR checks the file against the cache and corrects it for the next session.
    writeFileSync('new/1700000001.M1P1.host', 'a\nbb\n')
    // Messages are ordered by mtime: keep message 1 first, whatever the clock did meanwhile.
    utimesSync('new/1700000001.M1P1.host', at(1), at(1))
    t.match(await warm.say('RETR 1'), /^\+OK message follows\r\na\r\nbb\r\n\.\r\n$/)
    warm.box.saveCache()
    t.equal(await attach().say('LIST 1'), '+OK 1 7\r\n')
    t.equal(
      await attach('qmail', false).say('LIST 2'),
      '+OK 2 3\r\n',
      'without the cache, ,W= still counts',
    )
    t.same(readdirSync('tmp'), [])
  },
)

t.test('8-bit and NUL bytes, empty message', async (t) => {
  const { say } = open(t.testdir({}), [
    { content: Buffer.from([0x53, 0, 0xff, 10, 10, 0xe9, 0, 10]), name: '1.A', mtime: at(1) },
    { content: '', name: '2.B', mtime: at(2) },
  ])
  t.equal(await say('LIST'), '+OK 2 messages (11 octets)\r\n1 11\r\n2 0\r\n.\r\n')
  t.equal(await say('RETR 1'), '+OK 11 octets\r\nS\0\xff\r\n\r\n\xe9\0\r\n.\r\n')
  t.equal(await say('RETR 2'), '+OK 0 octets\r\n.\r\n')
})

t.test(
  'a line longer than any buffer, with no line end, and a dot after a chunk boundary',
  async (t) => {
    const long = 'x'.repeat(700000)
    const { say } = open(t.testdir({}), [{ content: `H: 1\n\n${long}\n.${long}`, name: '1.A' }])
    const r = await say('RETR 1')
    t.equal(r, `+OK message follows\r\nH: 1\r\n\r\n${long}\r\n..${long}\r\n.\r\n`)
    t.equal(await say('LIST 1'), `+OK 1 ${r.length - '+OK message follows\r\n'.length - 4}\r\n`)
  },
)

t.test(
  'two files with one unique name: each measured, neither cached, distinct UIDLs',
  async (t) => {
    const dir = t.testdir({})
    open(dir, [
      { content: 'a\n', name: '1.X', mtime: at(1) },
      { content: 'bbbb\n', name: '1.X:2,S', sub: 'cur', mtime: at(2) },
    ])
    const first = attach()
    t.equal(await first.say('LIST'), '+OK 2 messages (9 octets)\r\n1 3\r\n2 6\r\n.\r\n')
    t.notMatch(readFileSync('popchain-sizes', 'latin1'), /^1\.X\t/m)
    const again = attach()
    t.equal(await again.say('LIST'), '+OK 2 messages (9 octets)\r\n1 3\r\n2 6\r\n.\r\n')
    const ids = (await again.say('UIDL')).split('\r\n').slice(1, 3)
    t.equal(ids[0], '1 1.X')
    t.not(ids[1], '2 1.X')
  },
)

t.test('QUIT gives up the session lock after UPDATE and before its +OK', async (t) => {
  const dir = t.testdir()
  open(dir, [{ content: 'Subject: a\n\nbody\n' }])
  const { s, out, run } = attach()
  const seen: string[] = []
  s.updated = () => seen.push(`reply ${JSON.stringify(out.text)}, files ${listMaildir(dir).length}`)
  await run('DELE 1')
  out.take()
  const q = await run('QUIT')
  t.match(q.text, /^\+OK/)
  t.same(seen, ['reply "", files 0'], 'released once: after the UPDATE, before the reply went out')
})

t.test(
  'QUIT writes the size cache before its +OK: nothing is written after the reply',
  async (t) => {
    const dir = t.testdir()
    open(dir, [{ content: 'a\n' }, { content: 'b\n' }])
    const { s, out, run } = attach()
    let cache = ''
    s.updated = () => {
      cache = readFileSync('popchain-sizes', 'latin1')
      t.equal(out.text, '', 'before the reply')
    }
    await run('DELE 1')
    t.notOk(readdirSync('.').includes('popchain-sizes'), 'no cache before QUIT')
    await run('QUIT')
    t.match(cache, /^popchain-sizes 2 /, 'written by QUIT, before the lock went')
    s.box.saveCache()
    t.equal(readFileSync('popchain-sizes', 'latin1'), cache, 'and nothing left to write after it')
    t.same(readdirSync('tmp'), [])
  },
)
