// pop-tls: the TLS stage; implicit TLS before the next program (port 995), or UCSPI-TLS for STLS (110).
import { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { parseCommandLine, type CommandSpec } from '../../pop-lib/src/cli.js'
import { EXIT_PERM, EXIT_TEMP, ExitError, usage } from '../../pop-lib/src/exit-codes.js'
import { clean, fatal, warn } from '../../pop-lib/src/log.js'
import { anyCertificate, type CertSources } from './certs.js'
import { start, status } from './child.js'
import { handshake, HandshakeError } from './handshake.js'
import { infoRecord, scrub, tlsInfo } from './info.js'
import { relay } from './relay.js'
import { network } from './wire.js'

const SPEC: CommandSpec = {
  usage:
    'pop-tls [--starttls] [--cert FILE --key FILE] [--certdir DIR] [--timeout SECONDS] PROG [ARGS...]',
  minArgs: 1,
  options: {
    cert: {
      type: 'string',
      describe: 'certificate chain (PEM), read for each connection',
      env: 'CERTFILE',
    },
    key: { type: 'string', describe: 'private key (PEM) of --cert', env: 'KEYFILE' },
    certdir: {
      type: 'string',
      describe: 'directory of NAME.pem and NAME.key pairs chosen by SNI',
      env: 'POPTLS_CERTDIR',
    },
    starttls: {
      type: 'boolean',
      describe: 'run PROG at once and start TLS when it asks (UCSPI-TLS)',
      env: 'POPTLS_STARTTLS',
      default: false,
    },
    timeout: {
      type: 'number',
      describe: 'seconds allowed for the handshake and for the last output',
      env: 'POPTLS_TIMEOUT',
      default: 60,
    },
  },
}

/** UCSPI-TLS descriptors in the child; 3 and 4 stay free for a frontend's checkpassword pipes. */
export const CTL_FD = 5
export const READ_FD = 6
export const WRITE_FD = 7

interface Config {
  args: string[]
  src: CertSources
  timeout: number
  env: NodeJS.ProcessEnv
}

/** The client's address: from the launcher (tcpserver, systemd), else from the socket itself (inetd). */
const remote = (env: NodeJS.ProcessEnv, wire: Duplex): string =>
  clean(
    env.TCPREMOTEIP ??
      env.REMOTE_ADDR ??
      (wire instanceof Socket ? wire.remoteAddress?.replace(/^::ffff:/, '') : undefined) ??
      'unknown',
  )

/** Logs a failed handshake; a local cause (unreadable certificate) ends the program with its code. */
const refused = (e: unknown, peer: string): void => {
  if (!(e instanceof HandshakeError)) throw e
  if (e.local !== undefined) throw e.local
  warn(`TLS handshake with ${peer} failed: ${clean(e.message)}`)
}

/** Port 995: handshake first, so a client that cannot do TLS 1.2 starts nothing; then relay. */
const implicit = async (c: Config): Promise<number> => {
  const wire = network()
  const peer = remote(c.env, wire)
  let sock
  try {
    sock = await handshake(wire, c.src, c.timeout)
  } catch (e) {
    refused(e, peer)
    return EXIT_PERM
  }
  const env = { ...scrub(c.env), ...Object.fromEntries(tlsInfo(sock)) }
  let child
  try {
    child = start(c.args, env, ['pipe', 'pipe', 'inherit'])
  } catch (e) {
    sock.destroy()
    throw e
  }
  const flushed = relay(sock, child.stdin!, child.stdout!, c.timeout)
  const code = await status(child)
  await settle(flushed, c.timeout)
  sock.destroy()
  return code
}

/**
 * Waits for the last output to go out, but not for ever: a child that could not start, or a
 * descendant that kept its output open, leaves nothing to wait for after `seconds`.
 */
const settle = async (flushed: Promise<void>, seconds: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([flushed, new Promise((r) => (timer = setTimeout(r, seconds * 1000)))])
  clearTimeout(timer)
}

/** The first byte on the control socket: the command, or null when the child closes it (declines). */
const command = (ctl: Socket): Promise<string | null> =>
  new Promise((resolve) => {
    ctl.once('data', (d: Buffer) => {
      ctl.pause()
      resolve(String.fromCharCode(d[0]!))
    })
    ctl.once('end', () => resolve(null))
    ctl.once('error', () => resolve(null))
  })

/**
 * Port 110: the child gets the untouched plaintext connection on fds 0 and 1 and the UCSPI-TLS
 * descriptors. This program reads nothing from the network until the child writes `y` or `Y`;
 * whatever the client sent after STLS then reaches the TLS parser, never a command parser.
 */
const starttls = async (c: Config): Promise<number> => {
  const env = {
    ...scrub(c.env),
    SSLCTLFD: String(CTL_FD),
    SSLREADFD: String(READ_FD),
    SSLWRITEFD: String(WRITE_FD),
  }
  const stdio = [0, 1, 2, 'ignore', 'ignore', 'pipe', 'pipe', 'pipe'] as const
  const child = start(c.args, env, [...stdio])
  const fds = child.stdio as unknown as Socket[]
  const ctl = fds[CTL_FD]!
  const toChild = fds[READ_FD]!
  const fromChild = fds[WRITE_FD]!
  for (const s of [ctl, toChild, fromChild]) s.on('error', () => {})
  const ended = status(child)
  let wire: Duplex | undefined
  let secure = false
  let failed: number | undefined
  const session = command(ctl).then(async (cmd) => {
    if (cmd === null) return
    if (cmd !== 'y' && cmd !== 'Y') {
      warn(`unknown UCSPI-TLS command from ${clean(c.args[0]!)}: ${clean(cmd)}`)
      ctl.destroy()
      return
    }
    if (cmd === 'y') ctl.end()
    const w = (wire = network())
    const peer = remote(c.env, w)
    let sock
    try {
      sock = await handshake(w, c.src, c.timeout)
    } catch (e) {
      ctl.destroy()
      toChild.end()
      fromChild.destroy()
      refused(e, peer)
      return
    }
    secure = true
    if (cmd === 'Y') ctl.end(infoRecord(tlsInfo(sock)))
    await relay(sock, toChild, fromChild, c.timeout)
  })
  // Our own failure (certificate files) ends TLS, not the child's session: log it, report it at the end.
  const done = session.catch((e: unknown) => {
    failed = e instanceof ExitError ? e.code : EXIT_TEMP
    fatal(e instanceof Error ? e.message : String(e))
  })
  const code = await ended
  ctl.destroy()
  // A child gone during the handshake: nobody is left to talk to.
  if (wire !== undefined && !secure) wire.destroy()
  if (wire !== undefined) await settle(done, c.timeout)
  wire?.destroy()
  return failed ?? code
}

export const main = async (
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> => {
  const { opts, args } = await parseCommandLine('pop-tls', SPEC, argv, env)
  const src: CertSources = { env }
  for (const k of ['cert', 'key', 'certdir'] as const) {
    const v = opts[k]
    if (typeof v === 'string' && v !== '') src[k === 'certdir' ? 'dir' : k] = v
  }
  if ((src.cert === undefined) !== (src.key === undefined)) usage('--cert and --key go together')
  if (!anyCertificate(src)) usage('no certificate: give --cert and --key, or --certdir')
  const c: Config = { args, src, timeout: Number(opts.timeout), env }
  if (c.timeout <= 0) throw new ExitError(2, '--timeout must be positive')
  return opts.starttls === true ? starttls(c) : implicit(c)
}
