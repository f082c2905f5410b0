// pop-maildir under concurrency and disk trouble: sessions at once, deliveries meanwhile, read-only, full, vanishing files.
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  mkdirSync,
  readdirSync,
  chownSync,
} from 'node:fs'
import { join } from 'node:path'
import { CI } from '../packages/pop-lib/test/fixtures/harness.js'
import { maildirAsNobody, notRoot, type Spawner, type Session } from './fixtures/rel-serve.js'
import { rng, message, makeHome, deliver, audit, pick } from './fixtures/rel-mail.js'

const UID = 65534
const GID = 65534

/** A Maildir of n known messages, served by pop-maildir as nobody. */
const setup = async (
  t: Test,
  prefix: string,
  n: number,
  args: string[] = [],
  at?: { home: string; maildir: string },
): Promise<{
  home: string
  maildir: string
  known: Map<string, Buffer>
  sp: Spawner
  add: () => string
}> => {
  const where = at ?? makeHome(prefix, UID, GID)
  if (at === undefined) t.teardown(() => rmSync(where.home, { recursive: true, force: true }))
  const r = rng(n)
  const known = new Map<string, Buffer>()
  let made = 0
  const add = (): string => {
    const msg = message(`${prefix}-${++made}`, 200 + pick(r, 3000), r)
    const name = deliver(where.maildir, msg, UID, GID, new Date(Date.UTC(2024, 0, 1, 0, 0, made)))
    known.set(name, msg)
    return name
  }
  for (let i = 0; i < n; i++) add()
  const sp = await maildirAsNobody(where.home, args)
  t.teardown(() => sp.close())
  return { ...where, known, sp, add }
}

const quit = async (s: Session): Promise<string | null> => {
  const q = await s.c.cmd('QUIT')
  await s.c.untilClosed()
  await s.exited
  return q
}

/** UIDL of a session, as message number -> base name. */
const uidls = async (s: Session): Promise<Map<number, string>> => {
  const u = await s.c.multi('UIDL')
  const out = new Map<number, string>()
  for (const l of (u.body ?? Buffer.alloc(0)).toString('latin1').split('\r\n')) {
    const [n, id] = l.split(' ')
    if (n !== undefined && id !== undefined) out.set(Number(n), id)
  }
  return out
}

t.test('concurrency', { skip: notRoot() }, async (t) => {
  await t.test(
    'a second session on a locked mailbox gets [IN-USE]; the lock goes with the session',
    async (t) => {
      const { sp, maildir, known } = await setup(t, 'rel-lock', 5)
      const a = await sp.open()
      t.match(await a.c.line(), /^\+OK/, 'first session opens')
      const b = await sp.open()
      t.match(await b.c.line(), /^-ERR \[IN-USE\]/, 'second session: -ERR [IN-USE]')
      await b.exited
      t.match(await a.c.cmd('DELE 1'), /^\+OK/)
      t.match(await quit(a), /^\+OK/, 'the first session QUITs')
      const c = await sp.open()
      t.match(await c.c.line(), /^\+OK/, 'a third session opens once the first ended')
      t.match(await c.c.cmd('STAT'), /^\+OK 4 /, 'and sees 4 messages')
      await quit(c)
      t.same(audit(maildir, known).problems, [])
    },
  )

  await t.test(
    'without the lock: two sessions delete the same and different messages',
    async (t) => {
      const { sp, maildir, known } = await setup(t, 'rel-nolock', 8, ['--no-lock'])
      const a = await sp.open()
      t.match(await a.c.line(), /^\+OK/)
      const b = await sp.open()
      t.match(await b.c.line(), /^\+OK/, 'the second session opens too')
      const ua = await uidls(a)
      for (const n of [1, 2, 3]) t.match(await a.c.cmd(`DELE ${n}`), /^\+OK/)
      for (const n of [3, 4]) t.match(await b.c.cmd(`DELE ${n}`), /^\+OK/)
      const retr = await b.c.multi('RETR 5')
      t.match(retr.status, /^\+OK/)
      t.match(await quit(a), /^\+OK/, 'A QUITs')
      t.match(await quit(b), /^\+OK/, 'B QUITs though message 3 is already gone')
      const au = audit(maildir, known)
      t.same(au.problems, [])
      const gone = [1, 2, 3, 4].map((n) => ua.get(n)!)
      t.same(
        [...known.keys()].filter((k) => !au.present.has(k)).sort(),
        gone.sort(),
        'exactly the deleted messages are gone',
      )
    },
  )

  await t.test('deliveries while sessions run and QUIT: nothing lost', async (t) => {
    const { sp, maildir, known, add } = await setup(t, 'rel-deliver', 10)
    const deleted = new Set<string>()
    let delivering = true
    let delivered = 0
    const writer = (async () => {
      while (delivering) {
        add()
        delivered++
        await new Promise((r) => setTimeout(r, 10))
      }
    })()
    let sessions = 0
    for (let i = 0; i < 12; i++) {
      const s = await sp.open()
      const first = await s.c.line()
      t.match(first, /^\+OK/, `session ${i} opens`)
      const u = await uidls(s)
      const mine: string[] = []
      for (const n of [...u.keys()].slice(0, 2)) {
        if ((await s.c.cmd(`DELE ${n}`))?.startsWith('+OK')) mine.push(u.get(n)!)
      }
      if ((await quit(s))?.startsWith('+OK')) for (const m of mine) deleted.add(m)
      sessions++
    }
    delivering = false
    await writer
    const au = audit(maildir, known)
    t.same(au.problems, [], 'every file is a known message, byte-for-byte, once')
    const lost = [...known.keys()].filter((k) => !au.present.has(k) && !deleted.has(k))
    t.same(lost, [], 'nothing lost')
    t.same(
      [...deleted].filter((k) => au.present.has(k)),
      [],
      'everything deleted by an acknowledged QUIT is gone',
    )
    t.comment(
      `${sessions} sessions, ${delivered} messages delivered meanwhile, ${deleted.size} deleted`,
    )
  })
})

t.test('disk trouble', { skip: notRoot() }, async (t) => {
  await t.test(
    'a read-only Maildir: reading works, DELE then QUIT says -ERR [SYS/TEMP], nothing lost',
    async (t) => {
      const { sp, maildir, known } = await setup(t, 'rel-ro', 4)
      // the token of the session lock is made on first use; a read-only Maildir that never had one
      // is a different case, below
      const warm = await sp.open()
      t.match(await warm.c.line(), /^\+OK/)
      await quit(warm)
      for (const sub of ['new', 'cur', 'tmp', '']) chmodSync(join(maildir, sub), 0o500)
      t.teardown(() => {
        for (const sub of ['new', 'cur', 'tmp', '']) chmodSync(join(maildir, sub), 0o700)
      })
      const s = await sp.open()
      t.match(await s.c.line(), /^\+OK/, 'the session opens')
      const r = await s.c.multi('RETR 1')
      t.match(r.status, /^\+OK/, 'RETR works')
      t.match(await s.c.cmd('DELE 2'), /^\+OK/)
      const q = await quit(s)
      t.match(q, /^-ERR \[SYS\/TEMP\]/, `QUIT: ${q}`)
      t.same(audit(maildir, known).problems, [])
      t.equal(audit(maildir, known).present.size, 4, 'all 4 messages still there')
    },
  )

  await t.test(
    'a read-only Maildir that never had a lock token: a clear -ERR or a working session',
    async (t) => {
      const { sp, maildir, known } = await setup(t, 'rel-ro2', 3)
      for (const sub of ['new', 'cur', 'tmp', '']) chmodSync(join(maildir, sub), 0o500)
      t.teardown(() => {
        for (const sub of ['new', 'cur', 'tmp', '']) chmodSync(join(maildir, sub), 0o700)
      })
      const s = await sp.open()
      const first = await s.c.line()
      t.match(first, /^(\+OK|-ERR \[SYS\/TEMP\])/, `first line: ${first}`)
      if (first?.startsWith('+OK')) await quit(s)
      else await s.exited
      t.equal(audit(maildir, known).present.size, 3, 'all messages still there')
    },
  )

  await t.test('an unreadable Maildir: -ERR [SYS/TEMP], nothing touched', async (t) => {
    const { sp, maildir, known } = await setup(t, 'rel-unread', 3)
    chmodSync(join(maildir, 'cur'), 0o000)
    t.teardown(() => chmodSync(join(maildir, 'cur'), 0o700))
    const s = await sp.open()
    const first = await s.c.line()
    t.match(first, /^-ERR \[SYS\/TEMP\]/, `first line: ${first}`)
    await s.exited
    chmodSync(join(maildir, 'cur'), 0o700)
    t.equal(audit(maildir, known).present.size, 3)
  })

  await t.test('a message that disappears or becomes unreadable mid-session', async (t) => {
    const { sp, maildir, known } = await setup(t, 'rel-vanish', 5)
    const s = await sp.open()
    t.match(await s.c.line(), /^\+OK/)
    const u = await uidls(s)
    const gone = u.get(2)!
    const locked = u.get(3)!
    unlinkSync(join(maildir, 'new', gone))
    known.delete(gone)
    chmodSync(join(maildir, 'new', locked), 0o000)
    const r2 = await s.c.multi('RETR 2')
    t.match(r2.status, /^-ERR/, `RETR of a vanished message: ${r2.status}`)
    const r3 = await s.c.multi('RETR 3')
    t.match(r3.status, /^-ERR/, `RETR of an unreadable message: ${r3.status}`)
    const t3 = await s.c.multi('TOP 3 0')
    t.match(t3.status, /^-ERR/, 'TOP too')
    const r1 = await s.c.multi('RETR 1')
    t.match(r1.status, /^\+OK/, 'the others still work')
    t.match(await s.c.cmd('DELE 4'), /^\+OK/)
    t.match(await s.c.cmd('NOOP'), /^\+OK/, 'the session goes on')
    const q = await quit(s)
    t.match(q, /^\+OK/, `QUIT: ${q}`)
    for (const sub of ['new', 'cur'])
      for (const f of readdirSync(join(maildir, sub)))
        if (f.startsWith(locked)) chmodSync(join(maildir, sub, f), 0o600)
    const au = audit(maildir, known)
    t.same(au.problems, [])
    t.same(
      [...known.keys()].filter((k) => !au.present.has(k)),
      [u.get(4)],
      'only the deleted message is gone; the unreadable one is intact',
    )
  })

  await t.test('a full file system', async (t) => {
    const home = join('/tmp', `rel-full-${process.pid}`)
    mkdirSync(home, { recursive: true })
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', home])
    if (m.status !== 0) {
      const why = `cannot mount a small tmpfs here: ${m.stderr.toString().trim()}`
      if (CI) t.fail(why)
      else t.plan(0, why)
      return
    }
    t.teardown(() => {
      spawnSync('umount', [home])
      rmSync(home, { recursive: true, force: true })
    })
    const maildir = join(home, 'Maildir')
    for (const sub of ['', 'tmp', 'new', 'cur']) {
      mkdirSync(join(maildir, sub), { recursive: true, mode: 0o700 })
      chownSync(join(maildir, sub), UID, GID)
    }
    chownSync(home, UID, GID)
    const { sp, known } = await setup(t, 'rel-full', 6, [], { home, maildir })
    // fill every byte left (as root, so no reserve is kept back)
    const filler = join(home, 'filler')
    try {
      for (let i = 0; ; i++) writeFileSync(filler, Buffer.alloc(64 * 1024), { flag: 'a' })
    } catch (e) {
      t.equal((e as NodeJS.ErrnoException).code, 'ENOSPC', 'the file system is full')
    }
    try {
      for (;;) writeFileSync(filler, Buffer.alloc(1), { flag: 'a' })
    } catch {
      // full to the byte
    }
    const s = await sp.open()
    const first = await s.c.line()
    t.match(first, /^(\+OK|-ERR \[SYS\/TEMP\])/, `first line on a full disk: ${first}`)
    if (first?.startsWith('+OK')) {
      const l = await s.c.multi('LIST')
      t.match(l.status, /^\+OK/, 'LIST works')
      const r = await s.c.multi('RETR 1')
      t.match(r.status, /^\+OK/, 'RETR works')
      t.match(await s.c.cmd('DELE 1'), /^\+OK/)
      const q = await quit(s)
      t.match(q, /^(\+OK|-ERR \[SYS\/TEMP\])/, `QUIT on a full disk: ${q}`)
    } else await s.exited
    t.notMatch(s.stderr(), /\n\s+at /, 'no crash')
    const au = audit(maildir, known)
    t.same(au.problems, [], 'no partial file')
    t.ok(
      au.present.size >= 5,
      `${au.present.size} of 6 messages there (at most the deleted one gone)`,
    )
    unlinkSync(filler)
    const again = await sp.open()
    t.match(await again.c.line(), /^\+OK/, 'with space again, the next session works')
    t.match(await again.c.cmd('STAT'), new RegExp(`^\\+OK ${au.present.size} `))
    await quit(again)
  })
})
