// System accounts through NSS (LDAP, sssd, extrausers): `getent passwd` and `getent shadow`, since Node has no getpwnam(3).
import { existsSync, readFileSync } from 'node:fs'
import { temp } from '../../pop-lib/src/exit-codes.js'
import { type Source, DUMMY_HASH } from './account.js'
import { firstHash, systemAccount } from './system-source.js'

// A root program does not search PATH for a helper when the system's own copy is there.
// Looked for at the first lookup: start-up without --nss costs nothing for it.
const getentPath = (): string =>
  ['/usr/bin/getent', '/bin/getent'].find((f) => existsSync(f)) ?? 'getent'

/** getent's exit status for "no such entry". */
const NOT_FOUND = 2

const getent = (db: string, name: string): string[] | null => {
  try {
    const out = process
      .getBuiltinModule('node:child_process')
      .execFileSync(getentPath(), [db, '--', name], {
        encoding: 'latin1',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 10000,
      })
    const line = out.split('\n')[0] ?? ''
    return line === '' ? null : line.split(':')
  } catch (e) {
    if ((e as { status?: number }).status === NOT_FOUND) return null
    return temp(`getent ${db} failed: ${(e as Error).message.split('\n')[0]}`)
  }
}

/** The NSS source: one getent run per database; groups come from initgroups(3). */
export const nssSource = (opts: {
  ignoreAging: boolean
  primaryOnly: boolean
  dummy: string | null
  /** The local shadow file, read only for the dummy hash. */
  localShadow: string
  now: () => number
}): Source => ({
  lookup: (name) => {
    const pw = getent('passwd', name)
    if (pw === null || pw[0] !== name) return null
    const sp = pw[1] === 'x' ? getent('shadow', name) : null
    return systemAccount(pw, sp, opts)
  },
  // NSS cannot list accounts cheaply; the local shadow file shows the scheme and cost this host writes.
  dummy: () => {
    if (opts.dummy !== null) return opts.dummy
    try {
      return firstHash(readFileSync(opts.localShadow, 'latin1'))
    } catch {
      return DUMMY_HASH
    }
  },
  groups: (account) => (opts.primaryOnly ? [account.gid] : null),
})
