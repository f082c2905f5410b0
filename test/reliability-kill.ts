// Kill anywhere: SIGKILL pop-maildir at random points, UPDATE included, and prove no message is lost or damaged.
import t, { type Test } from 'tap'
import { rmSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { bin, chainEnv } from '../packages/pop-lib/test/fixtures/harness.js'
import { Spawner, maildirAsNobody, notRoot, type Session } from './fixtures/rel-serve.js'
import { makeAccounts } from './fixtures/rel-cpw.js'
import {
  rng,
  seedFromEnv,
  pick,
  message,
  wire,
  makeHome,
  deliver,
  audit,
  base,
} from './fixtures/rel-mail.js'

const UID = 65534
const GID = 65534
const SESSIONS = Number(process.env.REL_KILL_SESSIONS ?? 32)
const seed = seedFromEnv()
const r = rng(seed)

const spin = (us: number): void => {
  const end = process.hrtime.bigint() + BigInt(us) * 1000n
  while (process.hrtime.bigint() < end);
}
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms))

type Point = 'none' | 'spawn' | 'greeting' | 'dele' | 'retr' | 'quit-sent' | 'quit-ok'
const POINTS: Point[] = [
  'none',
  'spawn',
  'greeting',
  'dele',
  'retr',
  'quit-sent',
  'quit-sent',
  'quit-sent',
  'quit-ok',
]

t.test(
  'SIGKILL at random points never loses or damages a message',
  { skip: notRoot() },
  async (t) => {
    t.comment(`seed ${seed} (repeat with REL_SEED=${seed}), ${SESSIONS} sessions`)
    const { home, maildir } = makeHome('rel-kill', UID, GID)
    t.teardown(() => rmSync(home, { recursive: true, force: true }))
    const sp = await maildirAsNobody(home)
    t.teardown(() => sp.close())

    const known = new Map<string, Buffer>()
    const alive = new Set<string>()
    let made = 0
    const add = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const id = `m${++made}`
        const size = r() < 0.1 ? 100_000 + pick(r, 400_000) : 100 + pick(r, 4000)
        const msg = message(id, size, r)
        const name = deliver(maildir, msg, UID, GID, new Date(Date.UTC(2024, 0, 1, 0, 0, made)))
        known.set(name, msg)
        alive.add(name)
      }
    }
    add(20)

    const tried = new Map<string, number>()
    const update = { none: 0, partial: 0, all: 0, acked: 0 }
    let lost = 0
    let removed = 0
    let removedUnacked = 0
    let verified = 0

    for (let i = 0; i < SESSIONS; i++) {
      if (alive.size < 30) add(30)
      const point = POINTS[pick(r, POINTS.length)]!
      const group = r() < 0.3
      const s: Session = await sp.open()
      const marked = new Set<string>()
      let quitSent = false
      let quitAcked = false
      let stopped: number[] | null = null
      const killNow = (): void => s.kill(group)
      const label = `session ${i} (${point}${group ? ', group' : ''})`
      try {
        if (point === 'spawn') {
          spin(pick(r, 50_000))
          killNow()
        }
        const greet = await s.c.line(20000)
        if (greet !== null && point !== 'spawn') {
          t.match(greet, /^\+OK/, `${label}: greeting`)
          if (!greet.startsWith('+OK')) throw new Error(`no session: ${greet}`)
        }
        if (point === 'greeting') killNow()
        if (greet !== null && point !== 'greeting' && point !== 'spawn') {
          const u = await s.c.multi('UIDL')
          const byNum = new Map<number, string>()
          for (const l of (u.body ?? Buffer.alloc(0)).toString('latin1').split('\r\n')) {
            const [n, id] = l.split(' ')
            if (n !== undefined && id !== undefined) byNum.set(Number(n), id)
          }
          const nums = [...byNum.keys()]
          const dels = Math.min(nums.length, pick(r, 25))
          const killAt = point === 'dele' ? pick(r, dels + 1) : -1
          for (let d = 0; d < dels; d++) {
            if (d === killAt) killNow()
            const n = nums.splice(pick(r, nums.length), 1)[0]!
            const reply = await s.c.cmd(`DELE ${n}`)
            if (reply === null) break
            if (reply.startsWith('+OK')) marked.add(byNum.get(n)!)
          }
          if (point === 'dele' && killAt === dels) killNow()
          if (point === 'retr' || r() < 0.3) {
            const n = [...byNum.keys()][pick(r, byNum.size)]
            if (n !== undefined && !marked.has(byNum.get(n)!)) {
              if (point === 'retr') {
                s.c.send(`RETR ${n}\r\n`)
                await sleep(pick(r, 30))
                killNow()
              } else {
                const got = await s.c.multi(`RETR ${n}`)
                const want = known.get(byNum.get(n)!)
                if (got.body !== null && want !== undefined) {
                  t.equal(
                    got.body.toString('latin1'),
                    dotted(wire(want)),
                    `${label}: RETR ${n} byte-exact on the wire`,
                  )
                }
              }
            }
          }
          if (r() < 0.2) add(1) // a delivery in the middle of the session: not in its snapshot, never touched
          if (point === 'quit-sent') {
            s.c.send('QUIT\r\n')
            quitSent = true
            const how = r()
            if (how < 0.4 && marked.size > 1) {
              // watch the first unlink happen, and stop the server right there: mid-UPDATE
              const here = (): Set<string> =>
                new Set(['new', 'cur'].flatMap((d) => readdirSync(join(maildir, d)).map(base)))
              const deadline = Date.now() + 3000
              while (Date.now() < deadline && [...marked].every((b) => here().has(b)));
            } else if (how < 0.7) spin(pick(r, 3000))
            else await sleep(pick(r, 25))
            try {
              process.kill(s.pid, 'SIGSTOP')
              stopped = [...marked]
                .filter((b) => !audit(maildir, known).present.has(b))
                .map(() => 1)
            } catch {
              stopped = null
            }
            killNow()
          } else if (point !== 'retr' && point !== 'none' && point !== 'quit-ok') {
            // already killed
          } else if (point !== 'retr') {
            const q = await s.c.cmd('QUIT')
            quitSent = true
            quitAcked = q !== null && q.startsWith('+OK')
            if (point === 'quit-ok') killNow()
          }
        }
      } catch (e) {
        t.fail(`${label}: ${(e as Error).message}`)
      }
      // Whatever the server wrote before it died still reaches the client.
      if (quitSent && !quitAcked) {
        const rest = await s.c.line(5000).catch(() => null)
        quitAcked = rest !== null && rest.startsWith('+OK')
      }
      s.c.close()
      const ex = await s.exited
      tried.set(point, (tried.get(point) ?? 0) + 1)
      if (point === 'none' || (point === 'quit-ok' && ex.signal === null)) {
        t.equal(ex.code, 0, `${label}: exit 0`)
      }
      if (stopped !== null && marked.size > 0) {
        if (stopped.length === 0) update.none++
        else if (stopped.length < marked.size) update.partial++
        else update.all++
        if (quitAcked) update.acked++
      }

      const a = audit(maildir, known)
      t.same(a.problems, [], `${label}: every file is a known message, byte-for-byte, once`)
      for (const b of alive) {
        if (a.present.has(b)) {
          if (quitAcked && marked.has(b))
            t.fail(`${label}: ${b} was deleted by an acknowledged QUIT but is still there`)
          continue
        }
        if (quitSent && marked.has(b)) {
          removed++
          if (!quitAcked) removedUnacked++
        } else {
          lost++
          t.fail(`${label}: ${b} LOST (not deleted by any QUIT); stderr: ${s.stderr()}`)
        }
      }
      for (const b of a.present.keys())
        if (!alive.has(b)) t.fail(`${label}: ${b} came back after its deletion`)
      alive.clear()
      for (const b of a.present.keys()) alive.add(b)
      if (i % 8 === 7 || i === SESSIONS - 1) {
        await verify(t, sp, known, alive, label)
        verified++
      }
    }
    t.equal(lost, 0, 'no message lost')
    t.comment(`kill points tried: ${[...tried].map(([p, n]) => `${p}=${n}`).join(' ')}`)
    t.comment(
      `QUIT killed by SIGKILL after SIGSTOP: UPDATE not started ${update.none}, part-way ${update.partial}, unlinks done ${update.all} (+OK reached the client ${update.acked})`,
    )
    t.comment(
      `messages removed by QUIT ${removed} (of which the client never saw +OK: ${removedUnacked}), lost ${lost}, full verifications ${verified}`,
    )
  },
)

/** RFC 1939 section 3: dot-stuffed body, CRLF line ends, without the terminating line. */
const dotted = (w: Buffer): string =>
  w
    .toString('latin1')
    .split('\r\n')
    .map((l, i, all) => (i === all.length - 1 ? l : l.startsWith('.') ? '.' + l : l))
    .join('\r\n')

/** A clean session: the server answers, every live message is listed with its wire size, and retrieved byte-exact. */
const verify = async (
  t: Test,
  sp: Spawner,
  known: Map<string, Buffer>,
  alive: Set<string>,
  label: string,
): Promise<void> => {
  const s = await sp.open()
  const greet = await s.c.line(20000)
  t.match(greet, /^\+OK/, `${label}, verification: next session opens (no stale lock)`)
  const list = await s.c.multi('LIST')
  const uidl = await s.c.multi('UIDL')
  const sizes = lines(list.body)
  const ids = lines(uidl.body)
  t.equal(ids.length, alive.size, `${label}, verification: every live message listed`)
  t.same(
    new Set(ids.map((l) => l.split(' ')[1])),
    alive,
    `${label}, verification: UIDLs are the live base names`,
  )
  const wrong = ids.flatMap((l) => {
    const [n, id] = l.split(' ')
    const want = wire(known.get(id!)!).length
    const size = Number(sizes.find((x) => x.split(' ')[0] === n)?.split(' ')[1])
    return size === want ? [] : [`LIST ${n} says ${size}, the wire size is ${want}`]
  })
  t.same(
    wrong,
    [],
    `${label}, verification: LIST gives every message's wire size (the size cache survived)`,
  )
  const q = await s.c.cmd('RSET')
  t.match(q, /^\+OK/)
  s.c.send('QUIT\r\n')
  await s.c.untilClosed(20000)
  await s.exited
}

const lines = (b: Buffer | null): string[] =>
  b === null
    ? []
    : b
        .toString('latin1')
        .split('\r\n')
        .filter((l) => l !== '')

t.test(
  'SIGKILL to the whole chain (frontend, checkpassword, maildir) at random points',
  { skip: notRoot() },
  async (t) => {
    const rc = rng(seed + 1)
    const { home, maildir } = makeHome('rel-kill-chain', UID, GID)
    t.teardown(() => rmSync(home, { recursive: true, force: true }))
    const { users } = makeAccounts(
      t,
      'rel-kill-users',
      () => `relkill:{PLAIN}pw-relkill:${UID}:${GID}::${home}::\n`,
    )
    const sp = await Spawner.start({
      argv: [
        process.execPath,
        bin('pop-frontend'),
        'mail.example.org',
        bin('pop-checkpassword'),
        '--users',
        users,
        bin('pop-maildir'),
        'Maildir',
      ],
      env: chainEnv({ TCPREMOTEIP: '127.0.0.1' }),
    })
    t.teardown(() => sp.close())
    const known = new Map<string, Buffer>()
    const alive = new Set<string>()
    let made = 0
    const add = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const msg = message(`c${++made}`, 100 + pick(rc, 3000), rc)
        const name = deliver(maildir, msg, UID, GID, new Date(Date.UTC(2024, 0, 2, 0, 0, made)))
        known.set(name, msg)
        alive.add(name)
      }
    }
    const tried = new Map<string, number>()
    let lost = 0
    for (let i = 0; i < Math.ceil(SESSIONS / 3); i++) {
      if (alive.size < 20) add(20)
      const point = (['login', 'session', 'quit-sent', 'quit-sent', 'none'] as const)[pick(rc, 5)]!
      const s = await sp.open()
      const marked = new Set<string>()
      let quitSent = false
      let quitAcked = false
      const label = `chain session ${i} (${point})`
      try {
        t.match(await s.c.line(20000), /^\+OK/, `${label}: greeting`)
        await s.c.cmd('USER relkill')
        s.c.send('PASS pw-relkill\r\n')
        if (point === 'login') {
          spin(pick(rc, 200_000))
          s.kill(true)
        } else {
          t.match(await s.c.line(20000), /^\+OK/, `${label}: logged in`)
          const u = await s.c.multi('UIDL')
          const byNum = (u.body ?? Buffer.alloc(0))
            .toString('latin1')
            .split('\r\n')
            .filter((l) => l !== '')
            .map((l) => l.split(' ') as [string, string])
          for (const [n, id] of byNum.slice(0, pick(rc, 8))) {
            if ((await s.c.cmd(`DELE ${n}`))?.startsWith('+OK')) marked.add(id)
          }
          if (point === 'session') s.kill(true)
          else {
            s.c.send('QUIT\r\n')
            quitSent = true
            if (point === 'quit-sent') {
              spin(pick(rc, 3000))
              s.kill(true)
            }
          }
        }
      } catch (e) {
        t.fail(`${label}: ${(e as Error).message}`)
      }
      if (quitSent)
        quitAcked = (await s.c.line(10000).catch(() => null))?.startsWith('+OK') ?? false
      s.c.close()
      await s.exited
      tried.set(point, (tried.get(point) ?? 0) + 1)
      const a = audit(maildir, known)
      t.same(a.problems, [], `${label}: every file is a known message, byte-for-byte, once`)
      for (const b of alive) {
        if (a.present.has(b)) {
          if (quitAcked && marked.has(b))
            t.fail(`${label}: ${b} deleted by an acknowledged QUIT but still there`)
        } else if (!(quitSent && marked.has(b))) {
          lost++
          t.fail(`${label}: ${b} LOST; stderr: ${s.stderr()}`)
        }
      }
      alive.clear()
      for (const b of a.present.keys()) alive.add(b)
    }
    t.equal(lost, 0, 'no message lost')
    t.comment(
      `chain kill points tried: ${[...tried].map(([p, n]) => `${p}=${n}`).join(' ')}, lost ${lost}`,
    )
  },
)
