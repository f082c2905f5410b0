// The TRANSACTION state's commands (RFC 1939 section 5, RFC 2449 CAPA, RFC 1725 LAST).
import type { Command, Outcome } from '../../pop-lib/src/session.js'
import type { Out } from '../../pop-lib/src/out.js'
import { VERSION } from '../../pop-lib/src/version.js'
import type { Mailbox } from './mailbox.js'
import { update } from './update.js'

/** What the session did, for the operator's log line. */
export interface Tally {
  retrieved: number
  retrievedBytes: number
  top: number
  deleted: number
  deletedBytes: number
  /** false when QUIT's UPDATE failed. */
  updated: boolean
}

/** The session as the handlers see it. */
export interface Session {
  box: Mailbox
  out: Out
  tally: Tally
  /** Add the S flag to retrieved messages at QUIT. */
  seen: boolean
  /** Called after a command that may have taught the size cache something. */
  learnt: () => void
  /** Called once QUIT's UPDATE is done, before its reply: gives up the session lock. */
  updated: () => void
}

/** A new session on an open mailbox. */
export const newSession = (
  box: Mailbox,
  out: Out,
  seen: boolean,
  updated: () => void = () => {},
): Session => ({
  box,
  out,
  tally: { retrieved: 0, retrievedBytes: 0, top: 0, deleted: 0, deletedBytes: 0, updated: true },
  seen,
  learnt: () => box.saveCache(),
  updated,
})

type Handler = (s: Session, args: string[]) => Promise<Outcome>

const CAPA = [
  'TOP',
  'UIDL',
  'RESP-CODES',
  'PIPELINING',
  'EXPIRE NEVER',
  `IMPLEMENTATION popchain-${VERSION}`,
]
const BATCH = 64 * 1024
const END = Buffer.from('.\r\n')

const bad = async (s: Session, text: string): Promise<Outcome> => {
  await s.out.err(text)
  return 'bad'
}

/** A message number or count: decimal digits only, at most 10 of them. */
const number = (arg: string | undefined): number | null =>
  arg !== undefined && /^[0-9]{1,10}$/.test(arg) ? Number(arg) : null

/** Resolves the one message-number argument, answering -ERR itself when it is no good. */
const target = async (s: Session, args: string[]): Promise<number | null> => {
  if (args.length !== 1) {
    await s.out.err(args.length === 0 ? 'message number required' : 'wrong number of arguments')
    return null
  }
  const n = number(args[0])
  if (n === null || n < 1 || n > s.box.count) {
    await s.out.err('no such message')
    return null
  }
  if (s.box.deleted[n - 1]) {
    await s.out.err(`message ${n} is deleted`)
    return null
  }
  return n
}

/**
 * Sends a multi-line reply in batches of lines, so 100,000 lines are a few large writes; or, when
 * an earlier session left them formatted, the lines as they are, in one write.
 */
const multi = async (
  s: Session,
  status: string,
  lines: Iterable<string>,
  ready: Buffer | null = null,
): Promise<void> => {
  if (ready !== null) {
    await s.out.send(Buffer.concat([Buffer.from(`+OK ${status}\r\n`, 'latin1'), ready, END]))
    return
  }
  let batch = `+OK ${status}\r\n`
  for (const l of lines) {
    batch += l + '\r\n'
    if (batch.length >= BATCH) {
      await s.out.send(batch)
      batch = ''
    }
  }
  await s.out.send(batch + '.\r\n')
}

function* each(s: Session, f: (n: number) => string): Generator<string> {
  for (let i = 0; i < s.box.count; i++) if (!s.box.deleted[i]) yield `${i + 1} ${f(i)}`
}

const noArgs = async (s: Session, args: string[]): Promise<boolean> => {
  if (args.length === 0) return true
  await s.out.err('no arguments expected')
  return false
}

const sizeOf = (s: Session, i: number): number => Math.max(0, s.box.msgs[i]!.wire)

const stat: Handler = async (s, args) => {
  if (!(await noArgs(s, args))) return 'bad'
  s.box.sizeAll()
  const [count, bytes] = s.box.stat()
  await s.out.ok(`${count} ${bytes}`)
  s.learnt()
  return 'ok'
}

const list: Handler = async (s, args) => {
  if (args.length === 0) {
    s.box.sizeAll()
    const [count, bytes] = s.box.stat()
    await multi(
      s,
      `${count} messages (${bytes} octets)`,
      each(s, (i) => String(sizeOf(s, i))),
      s.box.listing('list'),
    )
    s.learnt()
    return 'ok'
  }
  const n = await target(s, args)
  if (n === null) return 'bad'
  s.box.wireSize(s.box.msgs[n - 1]!)
  await s.out.ok(`${n} ${sizeOf(s, n - 1)}`)
  return 'ok'
}

const uidl: Handler = async (s, args) => {
  if (args.length === 0) {
    await multi(
      s,
      'unique-id listing follows',
      each(s, (i) => s.box.uidls[i]!),
      s.box.listing('uidl'),
    )
    return 'ok'
  }
  const n = await target(s, args)
  if (n === null) return 'bad'
  await s.out.ok(`${n} ${s.box.uidls[n - 1]}`)
  return 'ok'
}

/** Sends a message (or its top); returns its size, or -1 when its file is gone. */
const fetch = async (s: Session, n: number, limit: number | null): Promise<number> => {
  const m = s.box.msgs[n - 1]!
  const f = s.box.open(m)
  if (f === null) {
    await s.out.err(`message ${n} is gone`)
    return -1
  }
  const head = limit === null && m.wire >= 0 ? `${m.wire} octets` : 'message follows'
  // Loaded at the first RETR or TOP (a chunk of its own in the build): not a start-up cost.
  const { sendMessage } = await import('./retrieve.js')
  return sendMessage(s.out, f, head, limit)
}

const retr: Handler = async (s, args) => {
  const n = await target(s, args)
  if (n === null) return 'bad'
  const size = await fetch(s, n, null)
  if (size < 0) return 'ok'
  s.box.learnt(s.box.msgs[n - 1]!, size)
  if (s.box.retrieved[n - 1] === false) {
    s.box.retrieved[n - 1] = true
    s.tally.retrieved++
    s.tally.retrievedBytes += size
  }
  s.box.last = Math.max(s.box.last, n)
  return 'ok'
}

const top: Handler = async (s, args) => {
  if (args.length !== 2) return bad(s, 'usage: TOP message lines')
  const n = await target(s, args.slice(0, 1))
  if (n === null) return 'bad'
  const lines = number(args[1])
  if (lines === null) return bad(s, 'no such line count')
  if ((await fetch(s, n, lines)) >= 0) s.tally.top++
  return 'ok'
}

const dele: Handler = async (s, args) => {
  const n = await target(s, args)
  if (n === null) return 'bad'
  s.box.deleted[n - 1] = true
  s.box.last = Math.max(s.box.last, n)
  await s.out.ok(`message ${n} deleted`)
  return 'ok'
}

const rset: Handler = async (s, args) => {
  if (!(await noArgs(s, args))) return 'bad'
  s.box.deleted.fill(false)
  s.box.last = 0
  await s.out.ok(`${s.box.count} messages`)
  return 'ok'
}

const noop: Handler = async (s, args) => {
  if (!(await noArgs(s, args))) return 'bad'
  await s.out.ok()
  return 'ok'
}

const last: Handler = async (s, args) => {
  if (!(await noArgs(s, args))) return 'bad'
  await s.out.ok(String(s.box.last))
  return 'ok'
}

const capa: Handler = async (s, args) => {
  if (!(await noArgs(s, args))) return 'bad'
  await multi(s, 'capability list follows', CAPA)
  return 'ok'
}

const quit: Handler = async (s) => {
  const u = update(s.box, s.seen)
  s.tally.deleted = u.deleted
  s.tally.deletedBytes = u.deletedBytes
  s.tally.updated = u.ok
  // The size cache too, while the lock is held: once the client reads the reply, this session
  // writes nothing more in the Maildir (a script may remove or copy it then).
  s.learnt()
  // A client that reconnects as soon as it reads +OK must not find the mailbox [IN-USE].
  s.updated()
  if (u.ok) await s.out.ok('bye')
  else await s.out.err('some deleted messages were not removed', 'SYS/TEMP')
  return 'end'
}

const TABLE: Record<string, Handler> = {
  STAT: stat,
  LIST: list,
  UIDL: uidl,
  RETR: retr,
  TOP: top,
  DELE: dele,
  RSET: rset,
  NOOP: noop,
  LAST: last,
  CAPA: capa,
  QUIT: quit,
}

/** Runs one command of the TRANSACTION state. */
export const dispatch = (s: Session, cmd: Command): Promise<Outcome> => {
  const h = TABLE[cmd.verb]
  if (h === undefined) return bad(s, 'unknown command')
  return h(s, cmd.args)
}
