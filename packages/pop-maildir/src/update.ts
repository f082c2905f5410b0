// The UPDATE state (RFC 1939 section 6): remove deleted messages, file the rest as seen by the client.
import { unlinkSync, renameSync, openSync, fsyncSync, closeSync } from 'node:fs'
import { pathOf, type Message } from './maildir-scan.js'
import type { Mailbox } from './mailbox.js'
import { warn, clean } from '../../pop-lib/src/log.js'

/** What UPDATE did. */
export interface Updated {
  ok: boolean
  deleted: number
  deletedBytes: number
}

/** The name a message gets in cur/: `:2,` info with flags in ASCII order, plus S when asked. */
export const curName = (m: Message, seen: boolean): string => {
  const colon = m.name.indexOf(':')
  const info = colon < 0 ? '' : m.name.slice(colon + 1)
  if (colon >= 0 && !info.startsWith('2,')) return m.name
  const flags = new Set(info.slice(2))
  if (seen) flags.add('S')
  return `${m.base}:2,${[...flags].sort().join('')}`
}

const removeOne = (box: Mailbox, m: Message): boolean => {
  try {
    unlinkSync(pathOf(m.sub, m.name))
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      warn(
        `cannot remove ${clean(m.sub + '/' + m.name)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      )
      return false
    }
  }
  // Renamed by someone else meanwhile (an IMAP flag change): remove it under its new name.
  const f = box.open(m)
  if (f === null) return true
  closeSync(f.fd)
  try {
    unlinkSync(pathOf(m.sub, m.name))
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT'
  }
}

const syncDir = (dir: string): boolean => {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    return true
  } catch (e) {
    warn(`cannot sync ${dir}/: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
    return false
  }
}

/**
 * Unlinks every deleted message; then, so that IMAP clients of the same Maildir agree, moves every
 * remaining message of new/ to cur/ (the client has seen it listed: no longer \Recent) and adds
 * the S flag (\Seen) to each message the client retrieved with RETR when seen is true. Neither
 * move changes a UIDL. Finally, if anything changed, syncs both directories. ok is false when a removal or a sync
 * failed; a failed move is only logged (the message stays where it was, nothing is lost).
 */
export const update = (box: Mailbox, seen: boolean): Updated => {
  // Served from the snapshot, nothing deleted, nothing in new/: nothing to do, nothing to read.
  if (box.untouched && box.fresh === 0 && !box.anyDeleted())
    return { ok: true, deleted: 0, deletedBytes: 0 }
  let ok = true
  let deleted = 0
  let deletedBytes = 0
  let changed = false
  for (let i = 0; i < box.count; i++) {
    const m = box.msgs[i]!
    if (box.deleted[i]) {
      changed = true
      if (removeOne(box, m)) {
        deleted++
        deletedBytes += Math.max(0, m.wire)
      } else ok = false
      continue
    }
    const flag = seen && box.retrieved[i]!
    if (m.sub === 'cur' && !flag) continue
    const to = curName(m, flag)
    if (m.sub === 'cur' && to === m.name) continue
    try {
      renameSync(pathOf(m.sub, m.name), pathOf('cur', to))
      changed = true
    } catch (e) {
      warn(
        `cannot move ${clean(m.sub + '/' + m.name)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      )
    }
  }
  // Nothing changed (a read-only Maildir, say): nothing to make durable, nothing to fail.
  if (changed && !syncDir('new')) ok = false
  if (changed && !syncDir('cur')) ok = false
  return { ok, deleted, deletedBytes }
}
