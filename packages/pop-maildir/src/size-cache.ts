// The size cache: what a session learnt about each message, so the next one needs no stat or read,
// and, while new/ and cur/ have not changed since, no directory listing and no formatting either.
import {
  readFileSync,
  openSync,
  writeSync,
  fsyncSync,
  closeSync,
  renameSync,
  unlinkSync,
} from 'node:fs'

/** What is known of one message, by its unique name (the file name up to `:`). */
export interface Known {
  /** Modification time, whole seconds (the order of messages). */
  mtime: number
  /** Bytes on disk. */
  disk: number
  /** Bytes on the wire, or -1 when not computed yet. */
  wire: number
  /** Set by the scan when a file took this entry. */
  taken?: boolean
  /** Where the file was, when the cache says (format 2). */
  sub?: 'new' | 'cur'
  name?: string
}

/**
 * A saved snapshot: the listing of new/ and cur/ in session order, valid while both directories
 * still carry the stamp it was taken under (see maildir-scan.ts), with the replies of LIST and
 * UIDL already formatted.
 */
export interface Snapshot {
  stamp: string
  entries: Known[]
  /** The lines of a LIST reply, or null. */
  list: Buffer | null
  /** The lines of a UIDL reply in the form named, or null. */
  uidl: Buffer | null
  form: string
}

/** The cache file, in the Maildir itself (relative to the Maildir as working directory). */
export const CACHE_FILE = 'popchain-sizes'
const MAGIC1 = 'popchain-sizes 1'
const MAGIC2 = 'popchain-sizes 2'

/** What loading gives: entries by unique name, and the snapshot when the file holds one. */
export interface Loaded {
  map: Map<string, Known>
  snapshot: Snapshot | null
}

/**
 * Loads the cache; a missing, foreign or damaged file is an empty cache (it is only a cache).
 * Lines that do not parse are skipped one by one, and then the file holds no snapshot.
 *
 * Format 2: a line `popchain-sizes 2 STAMP FORM LISTBYTES UIDLBYTES` (STAMP `-` for none), a
 * line `sub/name<TAB>mtime<TAB>disk<TAB>wire` per message in session order, then the LIST lines
 * and the UIDL lines (LISTBYTES and UIDLBYTES long, CRLF line ends). Format 1 (popchain 0.1.0):
 * `popchain-sizes 1`, then `name<TAB>mtime<TAB>disk<TAB>wire` with name up to the `:`.
 */
export const loadCache = (file = CACHE_FILE): Loaded => {
  const map = new Map<string, Known>()
  const empty = { map, snapshot: null }
  let raw: Buffer
  try {
    raw = readFileSync(file)
  } catch {
    return empty
  }
  const eol = raw.indexOf(10)
  if (eol < 0) return empty
  const head = raw.toString('latin1', 0, eol).split(' ')
  const magic = `${head[0]} ${head[1]}`
  let end = raw.length
  let snap: Omit<Snapshot, 'entries'> | null = null
  if (magic === MAGIC2 && head.length === 6) {
    const listBytes = num(head[4]!, 0, head[4]!.length)
    const uidlBytes = num(head[5]!, 0, head[5]!.length)
    end = raw.length - Math.max(0, listBytes) - Math.max(0, uidlBytes)
    // The replies follow the last line: a file of the wrong length has no good tail.
    if (listBytes < 0 || uidlBytes < 0 || end <= eol) return empty
    if (end < raw.length && raw[end - 1] !== 10) return empty
    if (head[2] !== '-')
      snap = {
        stamp: head[2]!,
        form: head[3]!,
        list: listBytes > 0 ? raw.subarray(end, end + listBytes) : null,
        uidl: uidlBytes > 0 ? raw.subarray(end + listBytes) : null,
      }
  } else if (magic !== MAGIC1 || head.length !== 2) return empty
  const text = raw.toString('latin1', eol + 1, end)
  const entries: Known[] = []
  let damaged = false
  // One pass with indexOf: this runs at the start of every session, over every message.
  for (let at = 0; at < text.length;) {
    const nl = text.indexOf('\n', at)
    if (nl < 0) {
      damaged = true
      break
    }
    const t1 = text.indexOf('\t', at)
    const t2 = t1 < 0 ? -1 : text.indexOf('\t', t1 + 1)
    const t3 = t2 < 0 ? -1 : text.indexOf('\t', t2 + 1)
    const line = at
    at = nl + 1
    // A fourth tab lands in the wire field, which then does not parse.
    const mtime = t3 < 0 || t3 > nl || t1 === line ? -2 : num(text, t1 + 1, t2)
    const disk = mtime < 0 ? -2 : num(text, t2 + 1, t3)
    const wire = nl === t3 + 3 && text.startsWith('-1', t3 + 1) ? -1 : num(text, t3 + 1, nl)
    if (mtime < 0 || disk < 0 || wire < -1) {
      damaged = true
      continue
    }
    const k: Known = { mtime, disk, wire, taken: false }
    let key = text.slice(line, t1)
    const slash = key.indexOf('/')
    if (slash >= 0) {
      const sub = key.slice(0, slash)
      if (sub !== 'new' && sub !== 'cur') {
        damaged = true
        continue
      }
      k.sub = sub
      k.name = key.slice(slash + 1)
      const colon = k.name.indexOf(':')
      key = colon < 0 ? k.name : k.name.slice(0, colon)
    }
    map.set(key, k)
    entries.push(k)
  }
  if (snap === null || damaged || map.size !== entries.length || !entries.every((k) => k.name))
    return { map, snapshot: null }
  return { map, snapshot: { ...snap, entries } }
}

/** A decimal number of 1 to 15 digits in text[from, to), or -2. */
const num = (text: string, from: number, to: number): number => {
  if (to <= from || to - from > 15) return -2
  let n = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -2
    n = n * 10 + c
  }
  return n
}

/** True when a name can be a cache key (one field of one line). */
export const cacheable = (name: string): boolean => name !== '' && !/[\t\n]/.test(name)

/** What saving writes: the messages in session order, and the snapshot's stamp and replies. */
export interface ToSave {
  entries: Iterable<{ sub: string; name: string; mtime: number; disk: number; wire: number }>
  /** `-` when the listing may not be trusted as a snapshot. */
  stamp: string
  form: string
  list: Buffer | null
  uidl: Buffer | null
}

/**
 * Writes the cache crash-safely: a new file in tmp/, fsync, then rename over the old one, so a
 * reader sees the old cache or the new one, never a part. Entries with a name that cannot be
 * written are left out, and then so is the snapshot.
 */
export const saveCache = (what: ToSave, file = CACHE_FILE): void => {
  const parts: string[] = []
  let whole = true
  for (const e of what.entries)
    if (cacheable(e.name)) parts.push(`${e.sub}/${e.name}\t${e.mtime}\t${e.disk}\t${e.wire}\n`)
    else whole = false
  const snap = whole && what.stamp !== '-' && /^[!-~]+$/.test(what.stamp + what.form)
  const list = snap ? what.list : null
  const uidl = snap ? what.uidl : null
  const head =
    `${MAGIC2} ${snap ? what.stamp : '-'} ${snap ? what.form : '-'} ` +
    `${list?.length ?? 0} ${uidl?.length ?? 0}\n`
  const bufs: Buffer[] = [Buffer.from(head + parts.join(''), 'latin1')]
  if (list) bufs.push(list)
  if (uidl) bufs.push(uidl)
  const tmp = `tmp/${file}.${process.pid}.${Date.now()}`
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    for (const b of bufs) for (let at = 0; at < b.length;) at += writeSync(fd, b, at)
    fsyncSync(fd)
  } catch (e) {
    closeSync(fd)
    unlinkSync(tmp)
    throw e
  }
  closeSync(fd)
  try {
    renameSync(tmp, file)
  } catch (e) {
    unlinkSync(tmp)
    throw e
  }
}
