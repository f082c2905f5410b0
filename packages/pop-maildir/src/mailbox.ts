// The mailbox of one session: the snapshot, its sizes and ids, and the marks the client makes.
import { openSync, readSync, closeSync, fstatSync, constants } from 'node:fs'
import {
  scanMaildir,
  listMaildir,
  statLook,
  tagWire,
  listDir,
  pathOf,
  baseOf,
  dirStamp,
  QUIET_MS,
  type Message,
  type Stamp,
  type Listed,
  type Look,
} from './maildir-scan.js'
import { loadCache, saveCache, type Known, type Snapshot } from './size-cache.js'
import { assignUidls, type UidlForm } from './uidl.js'
import { WireCounter } from './wire.js'
import { warn } from '../../pop-lib/src/log.js'

const CHUNK = 256 * 1024
/** One buffer for measuring every message (sync reads: never shared by two at once). */
let scratch: Buffer | null = null

/** An open message file, checked against what the snapshot says of it. */
export interface Opened {
  fd: number
  /** The size it has now on disk. */
  disk: number
}

/** The lines of a LIST or UIDL reply for every message, in order: `n text` CRLF. */
const lines = (count: number, text: (i: number) => string): Buffer => {
  const parts: string[] = []
  for (let i = 0; i < count; i++) parts.push(`${i + 1} ${text(i)}\r\n`)
  return Buffer.from(parts.join(''), 'latin1')
}

/**
 * Counts the wire size of an open file of the given size, stopping there (messages do not change)
 * to spare a read that returns 0; -1 when reading fails.
 */
const countWire = (fd: number, size: number): number => {
  const buf = (scratch ??= Buffer.allocUnsafe(CHUNK))
  const count = new WireCounter()
  try {
    for (let left = size; left > 0;) {
      const n = readSync(fd, buf, 0, CHUNK, null)
      if (n === 0) break
      count.add(buf.subarray(0, n))
      left -= n
    }
  } catch {
    return -1
  }
  return count.total()
}

/** The session's view of the Maildir (the working directory). */
export class Mailbox {
  /** RFC 1725 LAST: the highest message number retrieved or deleted, 0 after RSET. */
  last = 0
  readonly #useCache: boolean
  readonly #cache: Map<string, Known>
  readonly #form: UidlForm
  /** The files of new/ and cur/ as listed at login, until they are looked at. */
  #listed: Listed[] | null = null
  #msgs: Message[] | null = null
  #deleted: boolean[] | null = null
  #retrieved: boolean[] | null = null
  #uidls: string[] | null = null
  #dirty = false
  /** new/ and cur/ as they were just before they were listed. */
  readonly #stamp: Stamp
  /** The saved snapshot this session was served from, while its replies still hold. */
  #snapshot: Snapshot | null = null

  /**
   * Opens the Maildir; useCache false neither reads nor writes the size cache. When the cache
   * holds a snapshot taken under the stamp new/ and cur/ still carry, the snapshot is the listing,
   * and its messages are read from it only when a command needs one. Otherwise new/ and cur/ are
   * listed, and the files are looked at (stat, or read when sizes are wanted) only when a command
   * needs them: a login pays for two directory listings, not for the mailbox.
   */
  constructor(form: UidlForm, useCache: boolean, quietMs = QUIET_MS) {
    this.#form = form
    this.#useCache = useCache
    // Before listing: a change made while listing gives the directories a newer stamp.
    this.#stamp = dirStamp(quietMs)
    const loaded = useCache ? loadCache(undefined, this.#stamp.quiet ? this.#stamp.raw : '') : null
    this.#cache = loaded?.map ?? new Map()
    this.#snapshot = loaded?.snapshot ?? null
    if (this.#snapshot === null) this.#listed = listMaildir()
  }

  /**
   * The count for the greeting: exact from a snapshot or once looked at; otherwise the files
   * listed, of which one may yet turn out gone or not a regular file.
   */
  get announced(): number {
    return this.#msgs?.length ?? this.#snapshot?.count ?? this.#listed!.length
  }

  /** How many messages the session serves (looks at the files if need be). */
  get count(): number {
    return this.#msgs === null && this.#snapshot !== null ? this.#snapshot.count : this.msgs.length
  }

  /** Per message: marked deleted. */
  get deleted(): boolean[] {
    return (this.#deleted ??= new Array<boolean>(this.count).fill(false))
  }

  /** True when a message is marked deleted (asks nothing of the files). */
  anyDeleted(): boolean {
    return this.#deleted !== null && this.#deleted.includes(true)
  }

  /** Per message: retrieved whole. */
  get retrieved(): boolean[] {
    return (this.#retrieved ??= new Array<boolean>(this.count).fill(false))
  }

  /** The messages, in order. */
  get msgs(): Message[] {
    if (this.#msgs !== null) return this.#msgs
    if (this.#snapshot === null) return this.#look(statLook)
    const got = this.#snapshot.entries()
    if (got !== null) {
      for (const k of got) k.taken = true
      return (this.#msgs = got as Message[])
    }
    // Damaged by someone else (this program writes it whole): list the Maildir after all, and
    // write a good cache at the end. The directories are as the snapshot saw them, so the listing
    // is the one the client was given, unless the damage is in the figures too.
    warn('the size cache is damaged: listing the Maildir')
    const count = this.#snapshot.count
    this.#snapshot = null
    this.#dirty = true
    const msgs = this.#look(statLook)
    if (msgs.length !== count) throw new Error('the size cache was damaged')
    return msgs
  }

  /** Looks at the files listed (those the cache does not know) and puts them in order. */
  #look(look: Look): Message[] {
    const listed = this.#listed ?? listMaildir()
    this.#listed = null
    this.#msgs = scanMaildir(this.#cache, () => (this.#dirty = true), listed, look)
    // A listing worth keeping as a snapshot for the next session.
    if (this.#stamp.quiet) this.#dirty = true
    // Entries of messages gone since the last session go at the next write.
    for (const k of this.#cache.values()) if (k.taken !== true) this.#dirty = true
    return this.#msgs
  }

  /** Looks at a file by reading it: its order, size on disk and wire size for one open. */
  readonly #measure: Look = (sub, name, base) => {
    if (tagWire(base) >= 0) return statLook(sub, name, base)
    // Non-blocking: a FIFO where a message should be must not hang the session.
    const fd = openSync(pathOf(sub, name), constants.O_RDONLY | constants.O_NONBLOCK)
    try {
      const st = fstatSync(fd)
      if (!st.isFile()) return null
      return { mtime: Math.floor(st.mtimeMs / 1000), disk: st.size, wire: countWire(fd, st.size) }
    } finally {
      closeSync(fd)
    }
  }

  /** True until a command needed a message itself (not only the snapshot's figures). */
  get untouched(): boolean {
    return this.#msgs === null
  }

  /** How many messages are in new/ (and move to cur/ at UPDATE). */
  get fresh(): number {
    const all = this.#msgs ?? this.#listed
    return all === null ? this.#snapshot!.fresh : all.filter((m) => m.sub === 'new').length
  }

  /** The unique-ids, in order (made on first use). */
  get uidls(): string[] {
    return (this.#uidls ??= assignUidls(this.msgs, this.#form))
  }

  /**
   * The lines of the LIST (or UIDL) reply for the whole mailbox, formatted by an earlier session,
   * or null when they do not hold (no snapshot, a message deleted, a size learnt since).
   */
  listing(kind: 'list' | 'uidl'): Buffer | null {
    const s = this.#snapshot
    if (s === null || this.anyDeleted()) return null
    return kind === 'list' ? s.list : s.form === this.#form ? s.uidl : null
  }

  /**
   * The snapshot's total wire size while the session needed no message itself (so no size can
   * have changed), when the snapshot knows every size; else -1.
   */
  #snapTotal(): number {
    return this.#msgs === null && this.#snapshot !== null ? this.#snapshot.wire : -1
  }

  /** A message's size changed: the snapshot's LIST lines no longer hold. */
  #resized(): void {
    this.#dirty = true
    if (this.#snapshot !== null) this.#snapshot = { ...this.#snapshot, list: null }
  }

  /**
   * Opens a message file. If it moved (another program changed its flags or moved it from new/ to
   * cur/) it is found again by its unique name. Returns null when it is gone.
   */
  open(m: Message): Opened | null {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(pathOf(m.sub, m.name), 'r')
        const disk = fstatSync(fd).size
        if (m.disk >= 0 && disk !== m.disk) {
          warn(`message ${m.sub}/${m.name} changed size on disk: ${m.disk} to ${disk}`)
          m.wire = -1
          this.#resized()
        }
        m.disk = disk
        return { fd, disk }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0 || !this.#relocate(m))
          return null
      }
    }
    return null
  }

  #relocate(m: Message): boolean {
    for (const sub of ['cur', 'new'] as const) {
      let names: string[]
      try {
        names = listDir(sub)
      } catch {
        continue
      }
      const name = names.find((n) => baseOf(n) === m.base)
      if (name !== undefined) {
        m.sub = sub
        m.name = name
        return true
      }
    }
    return false
  }

  /** The wire size of a message, computed (by reading it) when not known; -1 if it is gone. */
  wireSize(m: Message): number {
    if (m.wire >= 0) return m.wire
    const f = this.open(m)
    if (f === null) return -1
    try {
      const wire = countWire(f.fd, f.disk)
      if (wire < 0) return -1
      m.wire = wire
      this.#resized()
      return m.wire
    } finally {
      closeSync(f.fd)
    }
  }

  /** Records a wire size measured by sending the whole message. */
  learnt(m: Message, wire: number): void {
    if (m.wire === wire) return
    m.wire = wire
    this.#resized()
  }

  /** Makes sure every message's size is known; sizes of vanished messages count as 0. */
  sizeAll(): void {
    // Not looked at yet: read each file once for its order and size alike.
    if (this.#msgs === null && this.#snapshot === null) this.#look(this.#measure)
    if (this.#snapTotal() >= 0) return
    for (const m of this.msgs) this.wireSize(m)
  }

  /**
   * The total wire size of every message listed, deleted or not (vanished ones and sizes not
   * computed count 0); null when the session looked at no file and has no snapshot to tell.
   */
  listedBytes(): number | null {
    if (this.#msgs === null && this.#snapshot === null) return null
    const total = this.#snapTotal()
    if (total >= 0) return total
    let bytes = 0
    for (const m of this.msgs) bytes += Math.max(0, m.wire)
    return bytes
  }

  /** The count and total wire size of the messages not deleted. */
  stat(): [number, number] {
    const total = this.#snapTotal()
    if (total >= 0 && !this.anyDeleted()) return [this.count, total]
    let count = 0
    let bytes = 0
    for (let i = 0; i < this.msgs.length; i++) {
      if (this.deleted[i]) continue
      count++
      bytes += Math.max(0, this.msgs[i]!.wire)
    }
    return [count, bytes]
  }

  /**
   * Writes the size cache if this session learnt something; a failure is only logged. The
   * listing goes in as a snapshot, with its LIST and UIDL lines, only when it is the whole of
   * new/ and cur/ as they still are: taken while they were quiet, and nothing changed them since
   * (this session's UPDATE included).
   */
  saveCache(): void {
    if (!this.#useCache || !this.#dirty) return
    this.#dirty = false
    const seen = new Set<string>()
    const twice = new Set<string>()
    for (const m of this.msgs) {
      if (seen.has(m.base)) twice.add(m.base)
      seen.add(m.base)
    }
    // Two files with one unique name: an entry could not say which one it describes.
    const entries = this.msgs.filter((m) => m.disk >= 0 && !twice.has(m.base))
    let stamp = '-'
    try {
      if (entries.length === this.msgs.length && this.#stamp.quiet)
        if (dirStamp().raw === this.#stamp.raw) stamp = this.#stamp.raw
    } catch {
      // new/ or cur/ gone: no snapshot
    }
    const count = this.count
    const whole = stamp !== '-'
    const list =
      whole && this.msgs.every((m) => m.wire >= 0)
        ? lines(count, (i) => String(this.msgs[i]!.wire))
        : null
    const uidl = whole ? lines(count, (i) => this.uidls[i]!) : null
    try {
      saveCache({ entries, stamp, form: this.#form, list, uidl })
    } catch (e) {
      warn(`cannot write the size cache: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
    }
  }
}
