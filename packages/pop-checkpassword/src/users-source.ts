// Virtual users from a file in Dovecot's passwd-file format: user:{SCHEME}hash:uid:gid:gecos:home:shell:extra.
import { type Account, type Source, DUMMY_HASH, parseId } from './account.js'
import { findRecord, readDb, records } from './text-db.js'

/** Builds an account from a users-file record; what it lacks to log in becomes its refusal. */
export const usersAccount = (r: string[]): Account => {
  const uid = parseId(r[2])
  const gid = parseId(r[3])
  const stored = r[1] ?? ''
  const home = r[5] ?? ''
  let refusal: string | null = null
  if (stored === '') refusal = 'empty password'
  else if (stored.startsWith('!') || stored.startsWith('*')) refusal = 'locked account'
  else if (uid === null || gid === null) refusal = 'no numeric uid and gid in the users file'
  else if (!home.startsWith('/')) refusal = 'no absolute home directory in the users file'
  return { name: r[0]!, stored, uid: uid ?? -1, gid: gid ?? -1, home, shell: r[6] ?? '', refusal }
}

/** The users-file source; virtual users get only their primary gid as a group. */
export const usersSource = (file: string): Source => {
  let text: string | null = null
  const read = (): string => (text ??= readDb(file))
  return {
    lookup: (name) => {
      const r = findRecord(read(), name)
      return r === null ? null : usersAccount(r)
    },
    dummy: () => records(read()).find((r) => (r[1] ?? '') !== '')?.[1] ?? DUMMY_HASH,
    groups: (account) => [account.gid],
  }
}
