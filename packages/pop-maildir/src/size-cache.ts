// The size cache: what a session learnt about each message, so the next one needs no stat or read.
import { readFileSync, openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } from 'node:fs'

/** What is known of one message, by its unique name (the file name up to `:`). */
export interface Known {
  /** Modification time, whole seconds (the order of messages). */
  mtime: number
  /** Bytes on disk. */
  disk: number
  /** Bytes on the wire, or -1 when not computed yet. */
  wire: number
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
  let at = MAGIC.length + 1
  for (;;) {
    const nl = text.indexOf('\n', at)
    if (nl < 0) break
    const line = text.slice(at, nl)
    at = nl + 1
    const f = line.split('\t')
    if (f.length !== 4) continue
    const mtime = Number(f[1])
    const disk = Number(f[2])
    const wire = Number(f[3])
    if (!Number.isSafeInteger(mtime) || !Number.isSafeInteger(disk) || disk < 0) continue
    if (!Number.isSafeInteger(wire) || wire < -1) continue
    map.set(f[0]!, { mtime, disk, wire })
  }
  return map
}

/** True when a name can be a cache key (one field of one line). */
export const cacheable = (name: string): boolean => name !== '' && !/[\t\n]/.test(name)

/**
 * Writes the cache crash-safely: a new file in tmp/, fsync, then rename over the old one, so a
 * reader sees the old cache or the new one, never a part.
 */
export const saveCache = (entries: Iterable<[string, Known]>, file = CACHE_FILE): void => {
  const parts: string[] = [MAGIC]
  for (const [name, k] of entries) if (cacheable(name)) parts.push(`${name}\t${k.mtime}\t${k.disk}\t${k.wire}`)
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
