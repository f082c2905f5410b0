// One POP3 connection in the AUTHORIZATION state (RFC 1939 section 4): commands, SASL, STLS, login attempts.
import { closeSync, openSync, readSync } from 'node:fs'
import { LineReader, LINE_MAX, type Line } from '../../pop-lib/src/line-reader.js'
import { Out } from '../../pop-lib/src/out.js'
import { encodeCreds } from '../../pop-lib/src/creds.js'
import { clean, info, warn } from '../../pop-lib/src/log.js'
import { EXIT_OK, EXIT_BAD_LOGIN, EXIT_TEMP } from '../../pop-lib/src/exit-codes.js'
import type { Config } from './options.js'
import { decodeBase64, encodeBase64, parsePlain } from './sasl.js'
import { runLogin } from './login.js'
import { remoteAddress } from './peer.js'
import { parseTlsInfo, startTls, tlsFromEnv, UCSPI_TLS_VARS, type Tls } from './tls.js'

/**
 * Bytes of one line without a line end after which the session ends: exact reading costs a
 * read(2) per byte, so an endless line would otherwise cost a CPU for as long as it lasts.
 */
const GIVE_UP = 1024

/** The most a failed login's answer is delayed, however many failures came before. */
const DELAY_MAX_MS = 30_000

/** What a command handler says: go on, count a bad command, or end with an exit code. */
type Result = 'ok' | 'bad' | { exit: number }

/** The client went away or stayed silent too long in the middle of a command. */
class Gone extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Random hex for the greeting's timestamp, from /dev/urandom (node:crypto costs milliseconds of
 * start-up). Only uniqueness matters here (RFC 1939 section 7), and pid and time give most of it.
 */
const randomHex = (n: number): string => {
  const buf = Buffer.alloc(n)
  try {
    const fd = openSync('/dev/urandom', 'r')
    try {
      readSync(fd, buf, 0, n, null)
    } finally {
      closeSync(fd)
    }
  } catch {
    for (let i = 0; i < n; i++) buf[i] = Math.floor(Math.random() * 256)
  }
  return buf.toString('hex')
}

/** The client on fds 0 and 1 (or the UCSPI-TLS pipes), from greeting to the end. */
export class Session {
  readonly #cfg: Config
  readonly #env: NodeJS.ProcessEnv
  readonly #tls: Tls
  #tlsVars: Record<string, string | undefined> = {}
  #reader = new LineReader(0, true, GIVE_UP)
  #out = new Out(1)
  readonly #stamp: string
  #user: Buffer | null = null
  #attempts = 0
  #failures = 0
  #ip: string | undefined

  constructor(cfg: Config, env: NodeJS.ProcessEnv) {
    this.#cfg = cfg
    this.#env = env
    this.#tls = tlsFromEnv(env)
    this.#stamp = cfg.apop
      ? `<${process.pid}.${Math.floor(Date.now() / 1000)}.${randomHex(6)}@${cfg.host}>`
      : ''
  }

  get #ipText(): string {
    this.#ip ??= clean(remoteAddress(this.#env))
    return this.#ip
  }

  /** Cleartext passwords are acceptable: no policy, or TLS is on. */
  get #plainOk(): boolean {
    return !this.#cfg.requireTls || this.#tls.active
  }

  async run(): Promise<number> {
    try {
      await this.#out.ok(this.#cfg.apop ? this.#stamp : 'POP3 ready')
      let bad = 0
      let input = 0
      for (;;) {
        const line = await this.#next()
        // Reading before login costs CPU per byte (one byte per read, so that nothing past the
        // authenticating command is consumed): a client gets a budget, not a core.
        input += line.kind === 'line' ? line.data.length + 2 : LINE_MAX
        if (input > this.#cfg.maxInput) {
          if (line.kind === 'line') line.data.fill(0)
          info(`too much input before login: ip=${this.#ipText}`)
          await this.#out.err('too much input before login')
          return EXIT_OK
        }
        let r: Result
        if (line.kind === 'long') {
          await this.#out.err('line too long')
          r = 'bad'
        } else {
          try {
            r = await this.#dispatch(line.data)
          } finally {
            line.data.fill(0)
          }
        }
        if (typeof r === 'object') return r.exit
        bad = r === 'bad' ? bad + 1 : 0
        if (bad >= this.#cfg.maxBad) {
          info(`too many bad commands: ip=${this.#ipText}`)
          await this.#out.err('too many bad commands')
          return EXIT_OK
        }
      }
    } catch (e) {
      if (e instanceof Gone || this.#out.dead) return EXIT_OK
      throw e
    }
  }

  /** The next line; Gone at end of input or when the client is silent for the idle time. */
  async #next(): Promise<Exclude<Line, { kind: 'eof' }>> {
    let timer: NodeJS.Timeout | undefined
    const silence = new Promise<'timeout'>((resolve) => {
      if (this.#cfg.idleMs > 0) timer = setTimeout(() => resolve('timeout'), this.#cfg.idleMs)
    })
    const line = await Promise.race([this.#reader.next(), silence])
    clearTimeout(timer)
    if (line === 'timeout') {
      info(`idle timeout: ip=${this.#ipText}`)
      await this.#out.err('idle timeout').catch(() => {})
      throw new Gone()
    }
    if (line.kind === 'eof') throw new Gone()
    if (this.#reader.overflowed) {
      info(`line too long, session ended: ip=${this.#ipText}`)
      await this.#out.err('line too long').catch(() => {})
      throw new Gone()
    }
    return line
  }

  #dispatch(data: Buffer): Promise<Result> {
    const sp = data.indexOf(32)
    const verb = (sp < 0 ? data : data.subarray(0, sp)).toString('latin1').toUpperCase()
    const rest = sp < 0 ? Buffer.alloc(0) : data.subarray(sp + 1)
    switch (verb) {
      case 'USER':
        return this.#userCmd(rest)
      case 'PASS':
        return this.#passCmd(rest)
      case 'APOP':
        return this.#apopCmd(rest)
      case 'AUTH':
        return this.#authCmd(rest)
      case 'CAPA':
        return this.#capaCmd()
      case 'STLS':
        return this.#stlsCmd()
      case 'NOOP':
        return this.#reply('ok')
      case 'QUIT':
        return this.#out.ok().then(() => ({ exit: EXIT_OK }))
      default:
        return this.#reply(
          'bad',
          /^[A-Z]{3,4}$/.test(verb) ? 'authorization first' : 'unknown command',
        )
    }
  }

  async #reply(r: 'ok' | 'bad', text = '', code?: string): Promise<Result> {
    await (r === 'ok' ? this.#out.ok(text) : this.#out.err(text, code))
    return r
  }

  #refusePlain(): Promise<Result> {
    return this.#reply('bad', 'cleartext passwords need TLS: use STLS first', 'AUTH')
  }

  #userCmd(name: Buffer): Promise<Result> {
    if (!this.#plainOk) return this.#refusePlain()
    if (name.length === 0 || name.includes(0)) return this.#reply('bad', 'USER needs a name')
    this.#user = Buffer.from(name)
    return this.#reply('ok')
  }

  #passCmd(secret: Buffer): Promise<Result> {
    const user = this.#user
    this.#user = null
    if (user === null) return this.#reply('bad', 'USER first')
    // A NUL would end the secret early and let the client write the timestamp field itself:
    // `PASS digest NUL stamp` would replay an APOP digest sniffed from another connection.
    if (secret.includes(0)) return this.#reply('bad', 'NUL in the password', 'AUTH')
    return this.#login(user, secret, 'USER')
  }

  #apopCmd(rest: Buffer): Promise<Result> {
    if (!this.#cfg.apop) return this.#reply('bad', 'APOP is not offered here')
    const args = rest.toString('latin1').split(' ')
    if (args.length !== 2 || args[0] === '' || !/^[0-9a-f]{32}$/i.test(args[1]!))
      return this.#reply('bad', 'usage: APOP name digest')
    return this.#login(
      Buffer.from(args[0]!, 'latin1'),
      Buffer.from(args[1]!.toLowerCase(), 'latin1'),
      'APOP',
    )
  }

  async #authCmd(rest: Buffer): Promise<Result> {
    const sp = rest.indexOf(32)
    const mech = (sp < 0 ? rest : rest.subarray(0, sp)).toString('latin1').toUpperCase()
    const initial = sp < 0 ? null : rest.subarray(sp + 1)
    const mechs = this.#plainOk ? ['PLAIN', 'LOGIN'] : []
    if (mech === '') {
      await this.#out.send(['+OK', ...mechs, '.', ''].join('\r\n'))
      return 'ok'
    }
    if (mech !== 'PLAIN' && mech !== 'LOGIN') return this.#reply('bad', 'unsupported mechanism')
    if (!this.#plainOk) return this.#refusePlain()
    if (mech === 'PLAIN') {
      const msg = await this.#response(initial, '')
      if (msg === null) return 'bad'
      const p = parsePlain(msg)
      if (p === null || (p.authzid.length > 0 && !p.authzid.equals(p.authcid))) {
        msg.fill(0)
        return this.#reply('bad', 'bad PLAIN message', 'AUTH')
      }
      const r = await this.#login(p.authcid, p.passwd, 'PLAIN')
      msg.fill(0)
      return r
    }
    const user = await this.#response(initial, 'Username:')
    if (user === null) return 'bad'
    const pass = await this.#response(null, 'Password:')
    if (pass === null) return 'bad'
    return this.#login(user, pass, 'LOGIN')
  }

  /**
   * One SASL response, decoded: the initial response if the client gave one (`=` is an empty one,
   * RFC 5034 section 4), else the answer to a `+ ` challenge. Null after answering -ERR for `*`
   * (cancel) or bad base64. The result is the caller's to zero.
   */
  async #response(initial: Buffer | null, prompt: string): Promise<Buffer | null> {
    let line = initial
    if (line === null) {
      await this.#out.send(`+ ${encodeBase64(prompt)}\r\n`)
      const got = await this.#next()
      if (got.kind === 'long') {
        await this.#out.err('line too long')
        return null
      }
      line = got.data
    }
    try {
      if (line.length === 1 && line[0] === 42) {
        await this.#out.err('authentication cancelled')
        return null
      }
      const text = line.length === 1 && line[0] === 61 ? Buffer.alloc(0) : decodeBase64(line)
      if (text === null || text.includes(0) !== (prompt === '')) {
        text?.fill(0)
        await this.#out.err('bad base64 response')
        return null
      }
      return text
    } finally {
      // An initial response is part of the command line, which is zeroed only after the login
      // returns, i.e. after the whole session: zero it now.
      line.fill(0)
    }
  }

  async #capaCmd(): Promise<Result> {
    const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING']
    if (this.#tls.offered && !this.#tls.active) caps.push('STLS')
    if (this.#plainOk) caps.push('USER', 'SASL PLAIN LOGIN')
    caps.push('IMPLEMENTATION popchain')
    await this.#out.send(['+OK capability list follows', ...caps, '.', ''].join('\r\n'))
    return 'ok'
  }

  async #stlsCmd(): Promise<Result> {
    if (this.#tls.active) return this.#reply('bad', 'TLS is already active')
    if (!this.#tls.offered) return this.#reply('bad', 'STLS is not offered here')
    await this.#out.ok('Begin TLS negotiation')
    // The TLS program reads the socket from here on, in blocking mode.
    this.#reader.handOver()
    let data: Buffer
    try {
      data = await startTls(this.#tls, this.#cfg.idleMs > 0 ? this.#cfg.idleMs : 600_000)
    } catch (e) {
      warn(`cannot start TLS: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
      return { exit: EXIT_TEMP }
    }
    // RFC 2595 section 4: forget what the client said in the clear; from here the wrapper's pipes.
    this.#tlsVars = parseTlsInfo(data)
    this.#user = null
    this.#reader = new LineReader(this.#tls.read, true, GIVE_UP)
    this.#out = new Out(this.#tls.write)
    return 'ok'
  }

  #childEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.#env }
    for (const name of UCSPI_TLS_VARS) delete env[name]
    for (const [name, value] of Object.entries(this.#tlsVars)) {
      if (value === undefined) delete env[name]
      else env[name] = value
    }
    return env
  }

  /** One login attempt; zeroes login and secret. */
  async #login(login: Buffer, secret: Buffer, mech: string): Promise<Result> {
    const creds = encodeCreds(login, secret, Buffer.from(this.#stamp, 'latin1'))
    secret.fill(0)
    const who = `ip=${this.#ipText} mech=${mech}`
    const user = clean(login)
    login.fill(0)
    if (creds === null) return this.#reply('bad', 'credentials too long', 'AUTH')
    this.#attempts++
    const tls = this.#tls.active && this.#tls.offered
    const waitInPlace = this.#cfg.execWait ? (await import('./wait.js')).waitInPlace : null
    // The next program reads the client from here on, in blocking mode, as the interface says.
    this.#reader.handOver()
    const v = await runLogin(this.#cfg.prog, creds, {
      in: tls ? this.#tls.read : 0,
      out: tls ? this.#tls.write : 1,
      env: this.#childEnv(),
      onSession: () =>
        waitInPlace?.('pop-frontend', `session ended: ${who} user=${user}`, this.#env),
    })
    this.#reader.takeBack()
    if (v.kind === 'session' || v.kind === 'good') {
      info(`session ended: ${who} user=${user} (${v.detail})`)
      return { exit: v.status }
    }
    if (v.kind === 'temp') {
      if (v.detail.startsWith('cannot')) warn(v.detail)
      warn(`login failed temporarily: ${who} status=${v.status} user=${user}`)
      await this.#out.err('temporary failure, try again later', 'SYS/TEMP')
    } else {
      this.#failures++
      warn(`login failed: ${who} status=${v.status} user=${user}`)
      await sleep(Math.min(this.#cfg.delayMs * 2 ** (this.#failures - 1), DELAY_MAX_MS))
      await this.#out.err('authentication failed', 'AUTH')
    }
    if (this.#attempts < this.#cfg.attempts) return 'ok'
    info(`too many login attempts: ip=${this.#ipText}`)
    return { exit: EXIT_BAD_LOGIN }
  }
}
