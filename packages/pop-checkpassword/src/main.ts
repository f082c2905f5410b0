// pop-checkpassword: djb's checkpassword interface; verifies fd 3's login, becomes the user, runs PROG.
import { accessSync, constants } from 'node:fs'
import { parseCommandLine } from '../../pop-lib/src/cli.js'
import { parseCreds } from '../../pop-lib/src/creds.js'
import { execNext, which } from '../../pop-lib/src/exec.js'
import { EXIT_BAD_LOGIN, temp } from '../../pop-lib/src/exit-codes.js'
import { clean, info } from '../../pop-lib/src/log.js'
import { signalLogin } from '../../pop-lib/src/login-signal.js'
import { dropTo } from './drop.js'
import { readCredsFd } from './fd3.js'
import { authenticate } from './login.js'
import { SPEC } from './options.js'

const runnable = (name: string, env: NodeJS.ProcessEnv): boolean => {
  const file = which(name, env)
  try {
    if (file !== null) accessSync(file, constants.X_OK)
    return file !== null
  } catch {
    return false
  }
}

export const main = async (
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> => {
  const { opts, args } = await parseCommandLine('pop-checkpassword', SPEC, argv, env)
  const data = readCredsFd()
  try {
    const creds = parseCreds(data)
    const ip = env.TCPREMOTEIP ?? env.REMOTE_ADDR
    // The address first, the client-chosen name after it: no name can pass for an address.
    const who = `ip=${ip === undefined ? '-' : clean(ip)} user=${clean(creds.login)}`
    const verdict = await authenticate(opts, creds, ip)
    data.fill(0)
    if ('refused' in verdict) {
      info(`login failed: ${who} reason=${verdict.refused}`)
      return EXIT_BAD_LOGIN
    }
    const { account, groups } = verdict
    dropTo({ name: account.name, uid: account.uid, gid: account.gid, groups })
    try {
      process.chdir(account.home)
    } catch (e) {
      temp(`cannot chdir to ${clean(account.home)}: ${(e as NodeJS.ErrnoException).code}`)
    }
    const next = { ...env, USER: account.name, HOME: account.home, SHELL: account.shell }
    // A PROG that cannot be found is a temporary failure, told before the frontend hears "good login".
    if (!runnable(args[0]!, next))
      temp(`cannot run ${clean(args[0]!)}: not found or not executable`)
    info(`login: ${who} uid=${account.uid}`)
    signalLogin(next)
    return await execNext(args, { env: next })
  } finally {
    data.fill(0)
  }
}
