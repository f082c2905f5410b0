// System accounts: /etc/passwd, /etc/shadow and /etc/group read directly, as the C library's files backend does.
import { type Account, type Source, DUMMY_HASH, parseId } from './account.js'
import { cryptKind } from './crypt.js'
import { shadowRefusal } from './shadow-state.js'
import { eachRecord, findRecord, readDb, records } from './text-db.js'

/** Where the system databases are and how they are judged. */
export interface SystemPaths {
  passwd: string
  shadow: string
  group: string
  ignoreAging: boolean
  /** Only the primary gid as the supplementary groups (djb's checkpassword does this). */
  primaryOnly: boolean
  now: () => number
}

/** Builds an account from a passwd record and its shadow record (null when there is none). */
export const systemAccount = (
  pw: string[],
  sp: string[] | null,
  opts: Pick<SystemPaths, 'ignoreAging' | 'now'>,
): Account | null => {
  const uid = parseId(pw[2])
  const gid = parseId(pw[3])
  if (uid === null || gid === null || pw.length < 7) return null
  // A passwd field of `x` means: the hash is in shadow. Without a shadow record the account cannot log in.
  const fromShadow = pw[1] === 'x'
  const stored = fromShadow ? (sp?.[1] ?? '*') : (pw[1] ?? '')
  const refusal =
    fromShadow && sp === null
      ? 'no shadow entry'
      : shadowRefusal(stored, sp ?? [], opts.now(), opts.ignoreAging)
  return { name: pw[0]!, stored, uid, gid, home: pw[5] ?? '', shell: pw[6] ?? '', refusal }
}

/** The first real hash in a shadow file: it has the scheme and cost that passwd(1) writes here. */
export const firstHash = (shadowText: string): string => {
  for (const r of eachRecord(shadowText))
    if (r[1] !== undefined && cryptKind(r[1]) !== null) return r[1]
  return DUMMY_HASH
}

/** The system account source, reading the files given. */
export const systemSource = (paths: SystemPaths): Source => {
  let shadowText: string | null = null
  const shadow = (): string => (shadowText ??= readDb(paths.shadow))
  return {
    lookup: (name) => {
      const pw = findRecord(readDb(paths.passwd), name)
      if (pw === null) return null
      const sp = pw[1] === 'x' ? findRecord(shadow(), name) : null
      return systemAccount(pw, sp, paths)
    },
    dummy: () => firstHash(shadow()),
    groups: (account) => {
      if (paths.primaryOnly) return [account.gid]
      const out = [account.gid]
      for (const r of records(readDb(paths.group))) {
        const gid = parseId(r[2])
        if (gid !== null && !out.includes(gid) && (r[3] ?? '').split(',').includes(account.name))
          out.push(gid)
      }
      return out
    },
  }
}
