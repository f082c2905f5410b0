// Becomes the user: supplementary groups, then gid, then uid; checks it held and that root cannot come back.
import { temp } from '../../pop-lib/src/exit-codes.js'

/** Who to become. groups null: initgroups(3) from the group database (NSS). */
export interface Identity {
  name: string
  uid: number
  gid: number
  groups: number[] | null
}

// Every call here exists on POSIX systems, the only ones popchain runs on; the types mark them optional.
interface Posix {
  getuid: () => number
  geteuid: () => number
  getgid: () => number
  getegid: () => number
  getgroups: () => number[]
  setuid: (id: number) => void
  seteuid: (id: number) => void
  setgid: (id: number) => void
  setgroups: (groups: number[]) => void
  initgroups: (user: string, extraGroup: number) => void
}
const p = process as unknown as Posix

const sameSet = (a: number[], b: number[]): boolean =>
  a.every((x) => b.includes(x)) && b.every((x) => a.includes(x))

const regains = (): boolean => {
  try {
    p.setuid(0)
    return true
  } catch {
    // EPERM: as it must be
  }
  try {
    p.seteuid(0)
    return true
  } catch {
    return false
  }
}

/**
 * Drops to the identity. Not running as root, becoming the uid and gid the process already has
 * is a no-op, and anything else a temporary failure (111). Any call that fails, or a result that
 * differs from what was asked, is a temporary failure too.
 */
export const dropTo = (id: Identity): void => {
  if (p.geteuid() !== 0) {
    if (
      p.getuid() === id.uid &&
      p.geteuid() === id.uid &&
      p.getgid() === id.gid &&
      p.getegid() === id.gid
    )
      return
    temp(
      `not running as root: cannot become uid ${id.uid} gid ${id.gid} (running as uid ${p.getuid()} gid ${p.getgid()})`,
    )
  }
  try {
    if (id.groups === null) p.initgroups(id.name, id.gid)
    else p.setgroups(id.groups)
    p.setgid(id.gid)
    p.setuid(id.uid)
  } catch (e) {
    temp(`cannot become uid ${id.uid} gid ${id.gid}: ${(e as Error).message}`)
  }
  const groups = p.getgroups()
  const held =
    p.getuid() === id.uid &&
    p.geteuid() === id.uid &&
    p.getgid() === id.gid &&
    p.getegid() === id.gid &&
    (id.groups === null ? groups.includes(id.gid) : sameSet(groups, id.groups))
  if (!held) temp(`privileges not dropped as asked for uid ${id.uid}`)
  if (regains()) temp('could regain root after dropping privileges')
}
