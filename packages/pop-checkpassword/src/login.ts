// The decision: is this login, with this secret, from this address, allowed in? Everything before the drop.
import type { Parsed } from '../../pop-lib/src/cli.js'
import type { Creds } from '../../pop-lib/src/creds.js'
import type { Account, Source } from './account.js'
import { badLoginName } from './login-name.js'
import { nssSource } from './nss-source.js'
import { plaintextOf } from './stored.js'
import { systemSource } from './system-source.js'
import { Throttle } from './throttle.js'
import { readDb, findRecord } from './text-db.js'
import { usersSource } from './users-source.js'
import { checkSecret } from './verify.js'

/** The parsed options (options.ts). */
export type Opts = Parsed['opts']
const str = (o: Opts, k: string): string | undefined =>
  typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined
const num = (o: Opts, k: string): number => Number(o[k])

const sourceOf = (o: Opts): Source => {
  const users = str(o, 'users')
  if (users !== undefined) return usersSource(users)
  const common = {
    ignoreAging: o['ignore-aging'] === true,
    primaryOnly: o['primary-group-only'] === true,
    now: Date.now,
  }
  if (o.nss === true)
    return nssSource({
      ...common,
      dummy: str(o, 'dummy-hash') ?? null,
      localShadow: str(o, 'shadow')!,
    })
  return systemSource({
    ...common,
    passwd: str(o, 'passwd')!,
    shadow: str(o, 'shadow')!,
    group: str(o, 'group')!,
  })
}

// Why a verified account still may not log in (policy), or null.
const policyRefusal = (a: Account, o: Opts): string | null => {
  if (a.refusal !== null) return a.refusal
  if (a.uid === 0) return 'uid 0'
  if (a.uid < num(o, 'min-uid')) return `uid ${a.uid} below the minimum ${num(o, 'min-uid')}`
  const shells = str(o, 'shells')
  if (
    shells !== undefined &&
    !readDb(shells)
      .split('\n')
      .map((l) => l.trim())
      .includes(a.shell)
  )
    return `shell ${a.shell} not allowed`
  return null
}

const apopSecretOf = (o: Opts, name: string): Buffer | null => {
  const file = str(o, 'apop-secrets')
  if (file === undefined) return null
  const r = findRecord(readDb(file), name)
  return r === null ? null : plaintextOf(r[1] ?? '')
}

const throttleOf = (o: Opts, login: Buffer, ip: string | undefined): Throttle | null => {
  const dir = str(o, 'state-dir')
  if (dir === undefined) return null
  const limits = {
    dir,
    window: num(o, 'failure-window'),
    maxUser: num(o, 'max-user-failures'),
    maxIp: num(o, 'max-ip-failures'),
    delay: num(o, 'fail-delay'),
    maxDelay: num(o, 'max-delay'),
  }
  return new Throttle(limits, login, ip, Date.now())
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The account to become, or why not. */
export type Verdict = { account: Account; groups: number[] | null } | { refused: string }

/**
 * Checks a login: lock-out, name, lookup, secret (a dummy check for unknown logins), account
 * policy. A refusal is counted and delayed (with --state-dir) before it is returned.
 */
export const authenticate = async (
  opts: Opts,
  creds: Creds,
  ip: string | undefined,
): Promise<Verdict> => {
  const throttle = throttleOf(opts, creds.login, ip)
  const fail = async (why: string): Promise<Verdict> => {
    throttle?.failure()
    if (throttle !== null) await sleep(throttle.delay())
    return { refused: why }
  }
  if (throttle?.locked() === true) return fail('locked out after repeated failures')
  const source = sourceOf(opts)
  const name = creds.login.toString('latin1')
  const badName = badLoginName(creds.login)
  const account = badName === null ? source.lookup(name) : null
  const dummy = (): string => str(opts, 'dummy-hash') ?? source.dummy()
  const apop = account === null ? null : apopSecretOf(opts, name)
  const good = await checkSecret(account, dummy, creds, apop)
  if (!good || account === null)
    return fail(badName ?? (account === null ? 'unknown login' : 'wrong password'))
  const refusal = policyRefusal(account, opts)
  if (refusal !== null) return fail(refusal)
  throttle?.success()
  return { account, groups: source.groups(account) }
}
