// pop-checkpassword: djb's checkpassword interface; verifies fd 3's login, becomes the user, runs PROG.
import { readFileSync } from 'node:fs'
import { parseCommandLine, type Parsed } from '../../pop-lib/src/cli.js'
import { parseCreds } from '../../pop-lib/src/creds.js'
import { execNext } from '../../pop-lib/src/exec.js'
import { EXIT_BAD_LOGIN, temp } from '../../pop-lib/src/exit-codes.js'
import { clean, info } from '../../pop-lib/src/log.js'
import { signalLogin } from '../../pop-lib/src/login-signal.js'
import type { Account, Source } from './account.js'
import { dropTo } from './drop.js'
import { readCredsFd } from './fd3.js'
import { badLoginName } from './login-name.js'
import { nssSource } from './nss-source.js'
import { SPEC } from './options.js'
import { plaintextOf } from './stored.js'
import { systemSource } from './system-source.js'
import { Throttle } from './throttle.js'
import { readDb, findRecord } from './text-db.js'
import { usersSource } from './users-source.js'
import { checkSecret } from './verify.js'

type Opts = Parsed['opts']
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
  if (o.nss === true) return nssSource({ ...common, dummy: str(o, 'dummy-hash') ?? null })
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

export const main = async (
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> => {
  const { opts, args } = await parseCommandLine('pop-checkpassword', SPEC, argv, env)
  const data = readCredsFd()
  try {
    const creds = parseCreds(data)
    const name = creds.login.toString('latin1')
    const ip = env.TCPREMOTEIP ?? env.REMOTE_ADDR
    const who = `${clean(name)}${ip === undefined ? '' : ` from ${clean(ip)}`}`
    const throttle = throttleOf(opts, creds.login, ip)
    const fail = async (why: string): Promise<number> => {
      throttle?.failure()
      info(`login failed for ${who}: ${why}`)
      if (throttle !== null) await sleep(throttle.delay())
      return EXIT_BAD_LOGIN
    }
    if (throttle?.locked() === true) return await fail('locked out after repeated failures')
    const source = sourceOf(opts)
    const badName = badLoginName(creds.login)
    const account = badName === null ? source.lookup(name) : null
    const dummy = (): string => str(opts, 'dummy-hash') ?? source.dummy()
    const good = await checkSecret(
      account,
      dummy,
      creds,
      account === null ? null : apopSecretOf(opts, name),
    )
    if (!good || account === null)
      return await fail(badName ?? (account === null ? 'unknown login' : 'wrong password'))
    const refusal = policyRefusal(account, opts)
    if (refusal !== null) return await fail(refusal)
    throttle?.success()
    data.fill(0)
    const groups = source.groups(account)
    dropTo({ name: account.name, uid: account.uid, gid: account.gid, groups })
    try {
      process.chdir(account.home)
    } catch (e) {
      temp(`cannot chdir to ${clean(account.home)}: ${(e as NodeJS.ErrnoException).code}`)
    }
    const next = { ...env, USER: account.name, HOME: account.home, SHELL: account.shell }
    info(`login ${who} uid ${account.uid}`)
    signalLogin(next)
    return await execNext(args, { env: next })
  } finally {
    data.fill(0)
  }
}
