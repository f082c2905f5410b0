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
  /** The unique name (format 2). */
  base?: string
}

/**
 * A saved snapshot: the listing of new/ and cur/ in session order, valid while both directories
 * still carry the stamp it was taken under (see maildir-scan.ts), with the replies of LIST and
 * UIDL already formatted, and the figures a session needs before it needs any one message.
 */
export interface Snapshot {
  stamp: string
  form: string
  /** How many messages; their total wire size (-1: not every size known); how many in new/. */
  count: number
  wire: number
  fresh: number
  /** The lines of a LIST reply, or null. */
  list: Buffer | null
  /** The lines of a UIDL reply in the form named, or null. */
  uidl: Buffer | null
  /** The messages, read from the file when first asked for; null if the file is damaged. */
  entries: () => Known[] | null
}

/** The cache file, in the Maildir itself (relative to the Maildir as working directory). */
export const CACHE_FILE = 'popchain-sizes'
const MAGIC1 = 'popchain-sizes 1'
const MAGIC2 = 'popchain-sizes 2'

/** What loading gives: entries by unique name, or the snapshot asked for. */
export interface Loaded {
  map: Map<string, Known>
  snapshot: Snapshot | null
}

/**
 * Loads the cache; a missing, foreign or damaged file is an empty cache (it is only a cache).
 * When the file holds a snapshot taken under the stamp given, that is returned and nothing else is
 * read yet (an unchanged Maildir costs one read and no parsing); otherwise the entries, by unique
 * name. Lines that do not parse are skipped one by one.
 *
 * Format 2: a line `popchain-sizes 2 STAMP FORM LISTBYTES UIDLBYTES COUNT WIRE FRESH` (STAMP `-`
 * for none), a line `sub/name<TAB>mtime<TAB>disk<TAB>wire` per message in session order, then the
 * LIST lines and the UIDL lines (LISTBYTES and UIDLBYTES long, CRLF line ends). Format 1 (popchain
 * 0.1.0): `popchain-sizes 1`, then `name<TAB>mtime<TAB>disk<TAB>wire` with name up to the `:`.
 */
export const loadCache = (file = CACHE_FILE, stamp = ''): Loaded => {
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
  if (magic === MAGIC2 && head.length === 9) {
    const [listBytes, uidlBytes, count, wire, fresh] = head
      .slice(4)
      .map((f) => (f === '-1' ? -1 : num(f, 0, f.length)))
    end = raw.length - Math.max(0, listBytes!) - Math.max(0, uidlBytes!)
    // The replies follow the last line: a file of the wrong length has no good tail.
    if (listBytes! < 0 || uidlBytes! < 0 || end <= eol) return empty
    if (end < raw.length && raw[end - 1] !== 10) return empty
    if (
      stamp !== '' &&
      stamp !== '-' &&
      head[2] === stamp &&
      count! >= 0 &&
      wire! >= -1 &&
      fresh! >= 0
    ) {
      const from = eol + 1
      const to = end
      return {
        map,
        snapshot: {
          stamp,
          form: head[3]!,
          count: count!,
          wire: wire!,
          fresh: fresh!,
          list: listBytes! > 0 ? raw.subarray(end, end + listBytes!) : null,
          uidl: uidlBytes! > 0 ? raw.subarray(end + listBytes!) : null,
          entries: () => {
            const got: Known[] = []
            return parse(raw.toString('latin1', from, to), map, got) && got.length === count
              ? got
              : null
          },
        },
      }
    }
  } else if (magic !== MAGIC1 || head.length !== 2) return empty
  parse(raw.toString('latin1', eol + 1, end), map, [])
  return { map, snapshot: null }
}

/**
 * Reads the message lines into map (by unique name) and list (in order); false when a line is
 * damaged or a unique name repeats (the good lines are still taken).
 */
const parse = (text: string, map: Map<string, Known>, list: Known[]): boolean => {
  let whole = true
  // One pass with indexOf: this runs at the start of every session, over every message.
  for (let at = 0; at < text.length;) {
    const nl = text.indexOf('\n', at)
    if (nl < 0) return false
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
      whole = false
      continue
    }
    const k: Known = { mtime, disk, wire, taken: false }
    let key = text.slice(line, t1)
    const slash = key.indexOf('/')
    if (slash >= 0) {
      const sub = key.slice(0, slash)
      if (sub !== 'new' && sub !== 'cur') {
        whole = false
        continue
      }
      k.sub = sub
      k.name = key.slice(slash + 1)
      // Only what a directory listing can give: the snapshot names the files to open.
      if (!FILE_NAME.test(k.name)) {
        whole = false
        continue
      }
      const colon = k.name.indexOf(':')
      key = colon < 0 ? k.name : k.name.slice(0, colon)
      k.base = key
    } else whole = false
    if (map.has(key)) whole = false
    map.set(key, k)
    list.push(k)
  }
  return whole
}

/** A name readdir can give in new/ or cur/ that a listing keeps: no slash, no NUL, no dot first. */
const FILE_NAME = /^[^./\0][^/\0]*$/

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
  entries: readonly { sub: string; name: string; mtime: number; disk: number; wire: number }[]
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
  let count = 0
  let wire = 0
  let fresh = 0
  for (const e of what.entries) {
    if (!cacheable(e.name)) continue
    count++
    wire = e.wire < 0 || wire < 0 ? -1 : wire + e.wire
    if (e.sub === 'new') fresh++
  }
  const head =
    `${MAGIC2} ${snap ? what.stamp : '-'} ${snap ? what.form : '-'} ` +
    `${list?.length ?? 0} ${uidl?.length ?? 0} ${count} ${wire} ${fresh}\n`
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
