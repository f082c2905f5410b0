// pop-maildir: the TRANSACTION and UPDATE states of POP3 from a Maildir, as the mail user.
import { writeSync, statSync } from 'node:fs'
import { parseCommandLine, Done, type Parsed } from '../../pop-lib/src/cli.js'
import { commandLoop, type EndReason } from '../../pop-lib/src/session.js'
import { signalLogin } from '../../pop-lib/src/login-signal.js'
import { fatal, info, warn, clean } from '../../pop-lib/src/log.js'
import { ExitError, EXIT_OK, EXIT_PERM, EXIT_TEMP } from '../../pop-lib/src/exit-codes.js'
import { SPEC } from './options.js'
import { openConn, type Conn } from './io.js'
import { Mailbox } from './mailbox.js'
import { cleanTmp } from './maildir-scan.js'
import { lockMaildir } from './lock.js'
import { dispatch, newSession, type Tally } from './commands.js'
import type { UidlForm } from './uidl.js'

/** What main touches, so tests can supply it. */
export interface Io {
  env: NodeJS.ProcessEnv
  uid: () => number
  conn: (timeoutMs: number, mode: 'auto' | 'fd') => Conn
}

const defaultIo = (): Io => ({
  env: process.env,
  uid: () => process.getuid?.() ?? -1,
  conn: openConn,
})

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e)

/** Refuses to start: one reply to the client, one line for the operator, the exit code. */
const refuse = async (
  conn: Conn,
  reply: string,
  rc: string,
  log: string,
  exit: number,
): Promise<number> => {
  fatal(log)
  await conn.out.err(reply, rc).catch(() => {})
  conn.restore()
  return exit
}

/** Opens the Maildir as the working directory; returns a refusal or null. */
const enter = (dir: string): [string, string, string, number] | null => {
  try {
    process.chdir(dir)
    if (!statSync('new').isDirectory() || !statSync('cur').isDirectory())
      throw Object.assign(new Error(), { code: 'ENOTDIR' })
    return null
  } catch (e) {
    const c = code(e)
    if (c === 'ENOENT' || c === 'ENOTDIR')
      return ['no such Maildir', 'SYS/PERM', `${clean(dir)} is not a Maildir (${c})`, EXIT_PERM]
    return ['cannot open the mailbox', 'SYS/TEMP', `cannot open ${clean(dir)}: ${c}`, EXIT_TEMP]
  }
}

const endLine = (env: NodeJS.ProcessEnv, reason: string, box: Mailbox, t: Tally): string => {
  // A session that needed no message looks at none just for this line.
  const bytes = box.listedBytes() ?? '-'
  const user = clean(env.USER ?? '-')
  const ip = clean(env.TCPREMOTEIP ?? env.REMOTE_ADDR ?? '-')
  return (
    `end user=${user} ip=${ip} reason=${reason} listed=${box.announced}/${bytes} ` +
    `retrieved=${t.retrieved}/${t.retrievedBytes} top=${t.top} deleted=${t.deleted}/${t.deletedBytes}`
  )
}

/** Runs one session; returns the exit code. */
export const main = async (argv: string[], io: Io = defaultIo()): Promise<number> => {
  let parsed
  try {
    parsed = await parseCommandLine('pop-maildir', SPEC, argv, io.env)
  } catch (e) {
    if (!(e instanceof Done)) {
      try {
        writeSync(1, '-ERR [SYS/TEMP] server misconfigured\r\n')
      } catch {
        // no client to tell
      }
    }
    throw e
  }
  const { opts, args } = parsed
  signalLogin(io.env)
  const timeoutMs = Number(opts.timeout) * 1000
  const conn = io.conn(timeoutMs, opts.io === 'fd' ? 'fd' : 'auto')
  if (io.uid() === 0)
    return refuse(conn, 'server misconfigured', 'SYS/PERM', 'refusing to run as root', EXIT_PERM)

  const dir = args[0] ?? (io.env.MAILDIR || 'Maildir')
  const bad = enter(dir)
  if (bad !== null) return refuse(conn, ...bad)
  let unlock = (): void => {}
  if (opts.lock === true) {
    try {
      const l = await lockMaildir()
      if (l.kind === 'busy')
        return refuse(
          conn,
          'mailbox in use by another session',
          'IN-USE',
          `${clean(dir)} is in use`,
          EXIT_TEMP,
        )
      if (l.kind === 'unsupported') warn('no session lock on this system')
      else
        unlock = () => {
          unlock = () => {}
          l.release()
        }
    } catch (e) {
      return refuse(
        conn,
        'cannot lock the mailbox',
        'SYS/TEMP',
        `cannot lock ${clean(dir)}: ${code(e)}`,
        EXIT_TEMP,
      )
    }
  }
  try {
    return await serve(conn, opts, io.env, timeoutMs, dir, () => unlock())
  } finally {
    unlock()
  }
}

/** Serves the locked Maildir in the working directory. */
const serve = async (
  conn: Conn,
  opts: Parsed['opts'],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  dir: string,
  unlock: () => void,
): Promise<number> => {
  cleanTmp()
  let box: Mailbox
  try {
    box = new Mailbox(opts.uidl as UidlForm, opts.cache === true)
  } catch (e) {
    return refuse(
      conn,
      'cannot read the mailbox',
      'SYS/TEMP',
      `cannot read ${clean(dir)}: ${code(e)}`,
      EXIT_TEMP,
    )
  }

  const s = newSession(box, conn.out, opts.seen === true, unlock)
  const tally = s.tally
  let reason: EndReason = 'disconnect'
  try {
    await conn.out.ok(`${box.announced} messages`)
    reason = await commandLoop({
      reader: conn.reader,
      out: conn.out,
      idleMs: timeoutMs,
      maxBad: Math.max(1, Number(opts['max-bad'])),
      dispatch: (cmd) =>
        dispatch(s, cmd).catch((e: unknown) => {
          if (!conn.out.dead) warn(`${clean(cmd.verb)} failed: ${code(e)}`)
          throw e
        }),
    })
    await conn.flush()
  } catch (e) {
    if (!conn.out.dead) {
      reason = 'error'
      warn(`session failed: ${e instanceof ExitError ? e.message : code(e)}`)
    }
  }
  box.saveCache()
  const ended = reason === 'quit' && !tally.updated ? 'error' : reason
  info(endLine(env, ended, box, tally))
  conn.restore()
  return ended === 'error' ? EXIT_TEMP : EXIT_OK
}
