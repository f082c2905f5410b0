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

/**
 * Takes the snapshot. Every message found in the cache costs no system call; the others are
 * stat()ed (and reported through fresh). Files that vanish or are not regular files are skipped.
 * The order is qmail-pop3d's: by modification time in seconds, then by name.
 */
export const scanMaildir = (cache: Map<string, Known>, fresh: (m: Message) => void): Message[] => {
  const msgs: Message[] = []
  const bases = new Map<string, number>()
  for (const sub of ['new', 'cur'] as const)
    for (const name of listDir(sub)) {
      const base = baseOf(name)
      bases.set(base, (bases.get(base) ?? 0) + 1)
      msgs.push({ sub, name, base, mtime: 0, disk: -1, wire: -1 })
    }
  const out: Message[] = []
  for (const m of msgs) {
    // Two files with one unique name are not the same message for sure: look at both.
    const k = bases.get(m.base) === 1 ? cache.get(m.base) : undefined
    if (k !== undefined) {
      m.mtime = k.mtime
      m.disk = k.disk
      m.wire = k.wire
      out.push(m)
      continue
    }
    let st
    try {
      st = statSync(pathOf(m.sub, m.name))
    } catch {
      continue
    }
    if (!st.isFile()) continue
    m.mtime = Math.floor(st.mtimeMs / 1000)
    m.disk = st.size
    m.wire = tagWire(m.base)
    out.push(m)
    fresh(m)
  }
  return out.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
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
