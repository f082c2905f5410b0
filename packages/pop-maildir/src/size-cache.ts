// The size cache: what a session learnt about each message, so the next one needs no stat or read.
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
}

/** The cache file, in the Maildir itself (relative to the Maildir as working directory). */
export const CACHE_FILE = 'popchain-sizes'
const MAGIC = 'popchain-sizes 1'

/**
 * Loads the cache; a missing, foreign or damaged file is an empty cache (it is only a cache).
 * Lines that do not parse are skipped one by one.
 */
export const loadCache = (file = CACHE_FILE): Map<string, Known> => {
  const map = new Map<string, Known>()
  let text: string
  try {
    text = readFileSync(file, 'latin1')
  } catch {
    return map
  }
  if (!text.startsWith(MAGIC + '\n')) return map
  // One pass with indexOf: this runs at the start of every session, over every message.
  let at = MAGIC.length + 1
  const end = text.length
  while (at < end) {
    const nl = text.indexOf('\n', at)
    if (nl < 0) break
    const t1 = text.indexOf('\t', at)
    const t2 = t1 < 0 ? -1 : text.indexOf('\t', t1 + 1)
    const t3 = t2 < 0 ? -1 : text.indexOf('\t', t2 + 1)
    const line = at
    at = nl + 1
    // A fourth tab lands in the wire field, which then does not parse.
    if (t3 < 0 || t3 > nl || t1 === line) continue
    const mtime = num(text, t1 + 1, t2)
    const disk = num(text, t2 + 1, t3)
    const wire = nl === t3 + 3 && text.startsWith('-1', t3 + 1) ? -1 : num(text, t3 + 1, nl)
    if (mtime < 0 || disk < 0 || wire < -1) continue
    map.set(text.slice(line, t1), { mtime, disk, wire, taken: false })
  }
  return map
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

/**
 * Writes the cache crash-safely: a new file in tmp/, fsync, then rename over the old one, so a
 * reader sees the old cache or the new one, never a part.
 */
export const saveCache = (entries: Iterable<[string, Known]>, file = CACHE_FILE): void => {
  const parts: string[] = [MAGIC]
  for (const [name, k] of entries)
    if (cacheable(name)) parts.push(`${name}\t${k.mtime}\t${k.disk}\t${k.wire}`)
  const tmp = `tmp/${file}.${process.pid}.${Date.now()}`
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    writeSync(fd, parts.join('\n') + '\n', null, 'latin1')
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
