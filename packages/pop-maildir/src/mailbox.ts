// The mailbox of one session: the snapshot, its sizes and ids, and the marks the client makes.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs'
import { scanMaildir, listDir, pathOf, baseOf, type Message } from './maildir-scan.js'
import { loadCache, saveCache, type Known } from './size-cache.js'
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

/** The session's view of the Maildir (the working directory). */
export class Mailbox {
  readonly msgs: Message[]
  readonly uidls: string[]
  readonly deleted: boolean[]
  readonly retrieved: boolean[]
  /** RFC 1725 LAST: the highest message number retrieved or deleted, 0 after RSET. */
  last = 0
  readonly #cache: Map<string, Known> | null
  #dirty = false

  /** Scans the Maildir; useCache false neither reads nor writes the size cache. */
  constructor(form: UidlForm, useCache: boolean) {
    this.#cache = useCache ? loadCache() : null
    this.msgs = scanMaildir(this.#cache ?? new Map(), () => {
      this.#dirty = true
    })
    this.uidls = assignUidls(this.msgs, form)
    this.deleted = this.msgs.map(() => false)
    this.retrieved = this.msgs.map(() => false)
    // Entries of messages gone since the last session go at the next write.
    if (this.#cache !== null)
      for (const k of this.#cache.values()) if (k.taken !== true) this.#dirty = true
  }

  get count(): number {
    return this.msgs.length
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
          this.#dirty = true
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
      this.#dirty = true
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
    this.#dirty = true
  }

  /** Makes sure every message's size is known; sizes of vanished messages count as 0. */
  sizeAll(): void {
    for (const m of this.msgs) this.wireSize(m)
  }

  /** The count and total wire size of the messages not deleted. */
  stat(): [number, number] {
    let count = 0
    let bytes = 0
    for (let i = 0; i < this.msgs.length; i++) {
      if (this.deleted[i]) continue
      count++
      bytes += Math.max(0, this.msgs[i]!.wire)
    }
    return [count, bytes]
  }

  /** Writes the size cache if this session learnt something; a failure is only logged. */
  saveCache(): void {
    if (this.#cache === null || !this.#dirty) return
    this.#dirty = false
    const entries = new Map<string, Known>()
    const twice = new Set<string>()
    for (const m of this.msgs) {
      if (entries.has(m.base)) twice.add(m.base)
      if (m.disk >= 0) entries.set(m.base, { mtime: m.mtime, disk: m.disk, wire: m.wire })
    }
    // Two files with one unique name: an entry could not say which one it describes.
    for (const base of twice) entries.delete(base)
    try {
      saveCache(entries)
    } catch (e) {
      warn(`cannot write the size cache: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
    }
  }
}
