// The mailbox of one session: the snapshot, its sizes and ids, and the marks the client makes.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs'
import {
  scanMaildir,
  listDir,
  pathOf,
  baseOf,
  dirStamp,
  QUIET_MS,
  type Message,
  type Stamp,
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

/** The session's view of the Maildir (the working directory). */
export class Mailbox {
  readonly deleted: boolean[]
  readonly retrieved: boolean[]
  /** RFC 1725 LAST: the highest message number retrieved or deleted, 0 after RSET. */
  last = 0
  readonly count: number
  readonly #useCache: boolean
  readonly #cache: Map<string, Known>
  readonly #form: UidlForm
  #msgs: Message[] | null = null
  #uidls: string[] | null = null
  #dirty = false
  /** new/ and cur/ as they were just before they were listed. */
  readonly #stamp: Stamp
  /** The saved snapshot this session was served from, while its replies still hold. */
  #snapshot: Snapshot | null = null

  /**
   * Scans the Maildir; useCache false neither reads nor writes the size cache. When the cache
   * holds a snapshot taken under the stamp new/ and cur/ still carry, the snapshot is the listing,
   * and its messages are read from it only when a command needs one.
   */
  constructor(form: UidlForm, useCache: boolean, quietMs = QUIET_MS) {
    this.#form = form
    this.#useCache = useCache
    // Before listing: a change made while listing gives the directories a newer stamp.
    this.#stamp = dirStamp(quietMs)
    const loaded = useCache ? loadCache(undefined, this.#stamp.quiet ? this.#stamp.raw : '') : null
    this.#cache = loaded?.map ?? new Map()
    const snap = loaded?.snapshot ?? null
    if (snap !== null) {
      this.#snapshot = snap
      this.count = snap.count
    } else {
      this.#msgs = scanMaildir(this.#cache, () => {
        this.#dirty = true
      })
      this.count = this.#msgs.length
      // A listing worth keeping as a snapshot for the next session.
      if (this.#stamp.quiet) this.#dirty = true
      // Entries of messages gone since the last session go at the next write.
      for (const k of this.#cache.values()) if (k.taken !== true) this.#dirty = true
    }
    this.deleted = new Array<boolean>(this.count).fill(false)
    this.retrieved = new Array<boolean>(this.count).fill(false)
  }

  /** The messages, in order. */
  get msgs(): Message[] {
    if (this.#msgs !== null) return this.#msgs
    const got = this.#snapshot!.entries()
    if (got !== null) {
      for (const k of got) k.taken = true
      return (this.#msgs = got as Message[])
    }
    // Damaged by someone else (this program writes it whole): list the Maildir after all, and
    // write a good cache at the end. The directories are as the snapshot saw them, so the listing
    // is the one the client was given, unless the damage is in the figures too.
    warn('the size cache is damaged: listing the Maildir')
    this.#dirty = true
    this.#snapshot = null
    this.#msgs = scanMaildir(new Map(), () => {})
    if (this.#msgs.length !== this.count) throw new Error('the size cache was damaged')
    return this.#msgs
  }

  /** True until a command needed a message itself (not only the snapshot's figures). */
  get untouched(): boolean {
    return this.#msgs === null
  }

  /** How many messages were listed in new/ (and move to cur/ at UPDATE), while untouched. */
  get fresh(): number {
    return this.#msgs === null
      ? this.#snapshot!.fresh
      : this.#msgs.filter((m) => m.sub === 'new').length
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
    if (s === null || this.deleted.includes(true)) return null
    return kind === 'list' ? s.list : s.form === this.#form ? s.uidl : null
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
      const buf = (scratch ??= Buffer.allocUnsafe(CHUNK))
      const count = new WireCounter()
      // Stop at the size fstat gave (messages do not change), sparing a read that returns 0.
      for (let left = f.disk; left > 0;) {
        const n = readSync(f.fd, buf, 0, CHUNK, null)
        if (n === 0) break
        count.add(buf.subarray(0, n))
        left -= n
      }
      m.wire = count.total()
      this.#resized()
      return m.wire
    } catch {
      return -1
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
    if (this.#msgs === null && this.#snapshot!.wire >= 0) return
    for (const m of this.msgs) this.wireSize(m)
  }

  /** The total wire size of every message listed, deleted or not (vanished ones count 0). */
  listedBytes(): number {
    if (this.#msgs === null && this.#snapshot!.wire >= 0) return this.#snapshot!.wire
    let bytes = 0
    for (const m of this.msgs) bytes += Math.max(0, m.wire)
    return bytes
  }

  /** The count and total wire size of the messages not deleted. */
  stat(): [number, number] {
    if (this.#msgs === null && this.#snapshot!.wire >= 0 && !this.deleted.includes(true))
      return [this.count, this.#snapshot!.wire]
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
