// The snapshot of a Maildir's new/ and cur/ that one session serves, in delivery order.
import { readdirSync, statSync, lstatSync, unlinkSync } from 'node:fs'
import type { Known } from './size-cache.js'

/** One message of the snapshot. Names are latin1 strings: one character per byte of the file name. */
export interface Message {
  sub: 'new' | 'cur'
  name: string
  /** The unique part of the name (up to `:`): the size cache's key. */
  base: string
  mtime: number
  /** Bytes on disk, -1 when unknown. */
  disk: number
  /** Bytes on the wire (RFC 1939 sizes), -1 until computed. */
  wire: number
}

/** A path relative to the Maildir, as bytes. */
export const pathOf = (sub: string, name: string): Buffer => Buffer.from(`${sub}/${name}`, 'latin1')

/** The unique part of a Maildir file name. */
export const baseOf = (name: string): string => {
  const colon = name.indexOf(':')
  return colon < 0 ? name : name.slice(0, colon)
}

/** Maildir++'s wire size tag, `,W=n` before the `:`, or -1. */
export const tagWire = (base: string): number => {
  const m = /,W=([0-9]{1,15})(?:,|$)/.exec(base)
  return m === null ? -1 : Number(m[1])
}

/** Lists a Maildir subdirectory as latin1 names, skipping dot files (the Maildir spec says to). */
export const listDir = (sub: string): string[] =>
  readdirSync(sub, { encoding: 'latin1' }).filter((n) => !n.startsWith('.'))

/** One file found in new/ or cur/, not looked at yet. */
export interface Listed {
  sub: 'new' | 'cur'
  name: string
}

/** Lists new/, then cur/. */
export const listMaildir = (): Listed[] => {
  const out: Listed[] = []
  for (const sub of ['new', 'cur'] as const)
    for (const name of listDir(sub)) out.push({ sub, name })
  return out
}

/** What looking at one file gives: null when it is gone or not a regular file. */
export type Look = (
  sub: 'new' | 'cur',
  name: string,
  base: string,
) => Omit<Message, 'sub' | 'name' | 'base'> | null

/** Looks with stat(2): the order and the size on disk; the wire size only from a `,W=` tag. */
export const statLook: Look = (sub, name, base) => {
  const st = statSync(pathOf(sub, name), { throwIfNoEntry: false })
  if (st === undefined || !st.isFile()) return null
  return { mtime: Math.floor(st.mtimeMs / 1000), disk: st.size, wire: tagWire(base) }
}

/**
 * Takes the snapshot from a listing. Every message found in the cache costs no system call (its
 * entry is marked taken); the others are looked at (statLook, or a look that reads them) and
 * reported through fresh. Files that vanish or are not regular files are skipped.
 * The order is qmail-pop3d's: by modification time in seconds, then by name.
 */
export const scanMaildir = (
  cache: Map<string, Known>,
  fresh: (m: Message) => void,
  listed: Listed[],
  look: Look,
): Message[] => {
  const out: Message[] = []
  // Files of cur/ that were not listed, by unique name: where a listed file went if another
  // program moved it from new/ or changed its flags since (read once, when first needed).
  let moved: Map<string, string> | null = null
  const movedTo = (base: string): string | undefined => {
    if (moved === null) {
      moved = new Map()
      const had = new Set(listed.filter((l) => l.sub === 'cur').map((l) => l.name))
      try {
        for (const n of listDir('cur')) if (!had.has(n)) moved.set(baseOf(n), n)
      } catch {
        // cur/ unreadable now: nothing to find
      }
    }
    const to = moved.get(base)
    moved.delete(base)
    return to
  }
  for (const l of listed) {
    let { sub, name } = l
    const base = baseOf(name)
    const k = cache.get(base)
    // An entry serves one file only: a second file with the same unique name is looked at.
    if (k !== undefined && !k.taken) {
      k.taken = true
      out.push({ sub, name, base, mtime: k.mtime, disk: k.disk, wire: k.wire })
      continue
    }
    let seen: ReturnType<Look> = null
    for (let again = true; ; again = false) {
      try {
        seen = look(sub, name, base)
      } catch {
        // gone, or not to be read: as if not there
      }
      if (seen !== null || !again) break
      const to = movedTo(base)
      if (to === undefined) break
      sub = 'cur'
      name = to
    }
    if (seen === null) continue
    const m: Message = { sub, name, base, ...seen }
    out.push(m)
    fresh(m)
  }
  return out.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * How long new/ and cur/ must have been unchanged before a listing of them is saved as a
 * snapshot. Any later change to a directory (a delivery, a removal, a rename) gives it a newer
 * modification and change time, so the stamp no longer matches and the next session lists the
 * directories again. The margin covers coarse file-system clocks (a tick, or a whole second).
 */
export const QUIET_MS = 2000

/** The identity and times of new/ and cur/, and whether they are old enough to be trusted. */
export interface Stamp {
  raw: string
  quiet: boolean
}

/** Stats new/ and cur/ (device, inode, modification and change times in nanoseconds). */
export const dirStamp = (quietMs = QUIET_MS, now = Date.now()): Stamp => {
  let raw = ''
  let newest = 0n
  for (const sub of ['new', 'cur']) {
    const st = statSync(sub, { bigint: true })
    raw += `${raw === '' ? '' : ','}${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`
    if (st.mtimeNs > newest) newest = st.mtimeNs
    if (st.ctimeNs > newest) newest = st.ctimeNs
  }
  return { raw, quiet: newest <= BigInt(now - quietMs) * 1000000n }
}

/** The Maildir spec's 36 hours: files in tmp/ untouched that long are left over from a crash. */
export const TMP_AGE_MS = 36 * 3600 * 1000

/** Removes files in tmp/ neither read nor written for 36 hours; returns how many. */
export const cleanTmp = (now = Date.now()): number => {
  let removed = 0
  let names: string[]
  try {
    names = readdirSync('tmp', { encoding: 'latin1' })
  } catch {
    return 0
  }
  for (const name of names) {
    const p = pathOf('tmp', name)
    try {
      const st = lstatSync(p)
      if (!st.isFile() || now - st.atimeMs < TMP_AGE_MS || now - st.mtimeMs < TMP_AGE_MS) continue
      unlinkSync(p)
      removed++
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed
}
