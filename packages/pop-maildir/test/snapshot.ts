// The snapshot: a session after a session on an unchanged Maildir lists no directory and formats
// no LIST or UIDL line, and any change to new/ or cur/ (or to a message's size) is still seen.
import t from 'tap'
import fc from 'fast-check'
import { readFileSync, writeFileSync, utimesSync, renameSync, unlinkSync, rmSync } from 'node:fs'
import { open, attach } from './fixtures/session.js'
import { loadCache } from '../src/size-cache.js'
import { dirStamp } from '../src/maildir-scan.js'

const at = (s: number): Date => new Date(s * 1000)
/** Dates new/ and cur/ back: a later change to either gives it a newer time. */
const settle = (): void => {
  for (const sub of ['new', 'cur']) utimesSync(sub, at(1600000000), at(1600000000))
}
/** Always quiet: these tests date the directories back instead of waiting. */
const Q = -3600_000
const session = (form: 'qmail' | 'mailfront' = 'qmail') => attach(form, true, Q)
const all = async (say: (l: string) => Promise<string>): Promise<string> =>
  (await say('STAT')) + (await say('LIST')) + (await say('UIDL'))
/** What a session without any cache says. */
const truth = async (form: 'qmail' | 'mailfront' = 'qmail'): Promise<string> =>
  all(attach(form, false).say)

/** Replaces the first occurrence of a line in the cache file by one of the same length. */
const lie = (from: string, to: string): void => {
  const raw = readFileSync('popchain-sizes', 'latin1')
  if (!raw.includes(from) || from.length !== to.length) throw new Error(`no ${from} to replace`)
  writeFileSync('popchain-sizes', raw.replace(from, to), 'latin1')
}

const three = [
  { content: 'a\nb\n', name: '1700000001.M1P1.host', mtime: at(1700000001) },
  { content: 'x\n', name: '1700000002.M2P1.host:2,S', sub: 'cur' as const, mtime: at(1700000002) },
  { content: 'hello\n.\n', name: '1700000003.M3P1.host', mtime: at(1700000003) },
]

t.test('a warm session on an unchanged Maildir is served from the snapshot', async (t) => {
  open(t.testdir({}), three)
  settle()
  const want = await truth()
  t.equal(await all(session().say), want, 'the first session lists and measures')
  const c = loadCache(undefined, dirStamp().raw)
  t.not(c.snapshot, null, 'and leaves a snapshot')
  t.equal(c.snapshot?.stamp, dirStamp().raw)
  t.equal(c.snapshot?.list?.toString(), '1 6\r\n2 3\r\n3 10\r\n')
  t.equal(
    c.snapshot?.uidl?.toString(),
    '1 1700000001.M1P1.host\r\n2 1700000002.M2P1.host\r\n3 1700000003.M3P1.host\r\n',
  )
  t.equal(await all(session().say), want, 'the next one says the same')
  // Prove that it is served from the snapshot: lie in it.
  lie('3 10\r\n', '3 99\r\n')
  lie('2 1700000002.M2P1.host\r\n', '2 1700000002.M2P9.host\r\n')
  const warm = session()
  t.match(await warm.say('LIST'), /\r\n3 99\r\n\.\r\n$/)
  t.match(await warm.say('UIDL'), /\r\n2 1700000002\.M2P9\.host\r\n/)
  // A message it did not list cannot exist: the directories would have changed.
  rmSync('popchain-sizes')
})

t.test('a delivery, a removal or a rename by another program is seen', async (t) => {
  open(t.testdir({}), three)
  settle()
  await all(session().say)
  // A delivery to new/.
  writeFileSync('new/1700000004.M4P1.host', 'late\n')
  utimesSync('new/1700000004.M4P1.host', at(1700000004), at(1700000004))
  t.equal(await all(session().say), await truth(), 'a delivery')
  t.match(await session().say('STAT'), /^\+OK 4 /)
  settle()
  await all(session().say)
  // An IMAP server sets a flag: a rename in cur/.
  renameSync('cur/1700000002.M2P1.host:2,S', 'cur/1700000002.M2P1.host:2,FS')
  const s = session()
  t.equal(await s.say('RETR 2'), '+OK 3 octets\r\nx\r\n.\r\n', 'the renamed file is found')
  t.equal(await all(session().say), await truth())
  settle()
  await all(session().say)
  // An IMAP client expunges one.
  unlinkSync('new/1700000001.M1P1.host')
  t.equal(await all(session().say), await truth(), 'a removal')
  t.match(await session().say('STAT'), /^\+OK 3 /)
})

t.test('a session that deletes, or learns a new size, does not use the old lines', async (t) => {
  open(t.testdir({}), three)
  settle()
  const want = await truth()
  await all(session().say)
  const s = session()
  await s.say('DELE 2')
  t.equal(await s.say('LIST'), '+OK 2 messages (16 octets)\r\n1 6\r\n3 10\r\n.\r\n')
  t.equal(
    await s.say('UIDL'),
    '+OK unique-id listing follows\r\n1 1700000001.M1P1.host\r\n3 1700000003.M3P1.host\r\n.\r\n',
  )
  await s.say('RSET')
  t.equal((await s.say('LIST')) + (await s.say('UIDL')), want.slice(want.indexOf('\n') + 1))
  // The file changes under the same name (not a Maildir thing to do, but seen when read).
  writeFileSync('new/1700000003.M3P1.host', 'hello, world\n')
  utimesSync('new/1700000003.M3P1.host', at(1700000003), at(1700000003))
  const r = session()
  t.equal(await r.say('RETR 3'), '+OK message follows\r\nhello, world\r\n.\r\n')
  t.match(await r.say('LIST'), /\r\n3 14\r\n\.\r\n$/, 'LIST has the size RETR learnt')
})

t.test('the other UIDL form is not served from lines of the first', async (t) => {
  open(t.testdir({}), [{ content: 'a\n', name: '1700000001.M1P1.host,S=2', mtime: at(1) }])
  settle()
  await all(session('qmail').say)
  t.equal(
    await session('mailfront').say('UIDL'),
    '+OK unique-id listing follows\r\n1 1700000001.M1P1.host\r\n.\r\n',
  )
  t.equal(
    await session('qmail').say('UIDL'),
    '+OK unique-id listing follows\r\n1 1700000001.M1P1.host,S=2\r\n.\r\n',
  )
})

t.test('directories changed within the quiet time give no snapshot', async (t) => {
  open(t.testdir({}), three)
  const s = attach('qmail', true, 60_000)
  await all(s.say)
  s.box.saveCache()
  t.match(readFileSync('popchain-sizes', 'latin1'), /^popchain-sizes 2 - - 0 0 3 19 2\n/)
  t.equal(loadCache(undefined, dirStamp().raw).snapshot, null)
})

t.test(
  'a session whose UPDATE changed the Maildir leaves no snapshot of the old listing',
  async (t) => {
    open(t.testdir({}), three)
    settle()
    await all(session().say)
    const s = session()
    await s.say('DELE 1')
    await s.say('QUIT')
    s.box.saveCache()
    t.not(
      loadCache().snapshot?.stamp,
      dirStamp().raw,
      'what is saved does not match the Maildir now',
    )
    t.equal(await all(session().say), await truth())
    t.match(await session().say('STAT'), /^\+OK 2 /)
  },
)

t.test('random Maildirs: a warm session says what a session without a cache says', async (t) => {
  const dir = t.testdir({})
  let round = 0
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          body: fc.string({ maxLength: 40 }).map((s) => s.replace(/\r/g, '')),
          sub: fc.constantFrom('new' as const, 'cur' as const),
          time: fc.integer({ min: 0, max: 5 }),
          flags: fc.constantFrom('', ':2,', ':2,S', ':2,RS'),
          dup: fc.boolean(),
        }),
        { maxLength: 12 },
      ),
      fc.constantFrom('qmail' as const, 'mailfront' as const),
      async (msgs, form) => {
        const here = `${dir}/${++round}`
        const list = msgs.map((m, i) => ({
          content: m.body,
          sub: m.sub,
          // A duplicate unique name now and then: the snapshot must not hide it.
          name: `${1700000000 + (m.dup ? 0 : i)}.M${m.dup ? 0 : i}P1.host,S=${m.body.length}${m.sub === 'cur' ? m.flags : ''}`,
          mtime: at(1700000000 + m.time),
        }))
        const seen = new Set<string>()
        open(
          here,
          list.filter((m) => !seen.has(`${m.sub}/${m.name}`) && seen.add(`${m.sub}/${m.name}`)),
          form,
          false,
        )
        settle()
        const want = await truth(form)
        for (let i = 0; i < 3; i++) {
          const s = attach(form, true, Q)
          if ((await all(s.say)) !== want) return false
          s.box.saveCache()
        }
        return true
      },
    ),
    { numRuns: 60 },
  )
  t.pass('60 random Maildirs, three sessions each')
})

t.test('a snapshot whose message lines are damaged: the Maildir is listed after all', async (t) => {
  open(t.testdir({}), three)
  settle()
  const want = await truth()
  await all(session().say)
  lie('\t1700000002\t', '\t17000000x2\t')
  const s = session()
  t.match(await s.say('STAT'), /^\+OK 3 19\r\n/, 'the figures are read without the lines')
  t.match(await s.say('RETR 2'), /^\+OK [^\r]*\r\nx\r\n\.\r\n$/, 'a message needs them')
  s.box.saveCache()
  t.equal(await all(session().say), want, 'and the cache is good again')
  t.not(loadCache(undefined, dirStamp().raw).snapshot?.entries(), null)
})

t.test(
  'a session served from the snapshot reads no line of it for STAT, LIST, UIDL, QUIT',
  async (t) => {
    open(
      t.testdir({}),
      three.map((m) => ({ ...m, sub: 'cur' as const })),
    )
    settle()
    await all(session().say)
    const s = session()
    t.equal(await all(s.say), await truth())
    await s.say('QUIT')
    t.ok(s.box.untouched, 'no message was needed')
    t.equal(s.box.listedBytes(), 19)
    const r = session()
    await r.say('DELE 1')
    t.match(await r.say('STAT'), /^\+OK 2 13\r\n/, 'STAT after DELE counts without it')
  },
)
