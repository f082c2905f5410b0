// A small, fast POP3 client for the benchmark: one command at a time, replies as Buffers, timing in ms.
import { connect } from 'node:net'

const CRLF_DOT_CRLF = Buffer.from('\r\n.\r\n')

/** Milliseconds from a monotonic clock. */
export const now = () => Number(process.hrtime.bigint()) / 1e6

/** One POP3 connection. Every method returns a promise of the reply as a Buffer. */
export class Pop3 {
  /** Connects and resolves once the greeting arrived. */
  static async open(port, host = '127.0.0.1', timeoutMs = 60000) {
    const c = new Pop3()
    await c.#connect(port, host, timeoutMs)
    return c
  }

  #sock
  #chunks = []
  #size = 0
  #want = null
  #resolve = null
  #reject = null
  #closed = false
  #timer = null
  #timeoutMs = 60000
  greeting = null

  #connect(port, host, timeoutMs) {
    this.#timeoutMs = timeoutMs
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, noDelay: true })
      this.#sock = s
      s.on('data', (d) => this.#data(d))
      s.on('error', (e) => this.#fail(e))
      s.on('close', () => {
        this.#closed = true
        this.#fail(new Error('connection closed'))
      })
      this.#expect('line').then((g) => {
        this.greeting = g
        resolve()
      }, reject)
    })
  }

  #expect(kind) {
    return new Promise((resolve, reject) => {
      this.#want = kind
      this.#resolve = resolve
      this.#reject = reject
      this.#timer = setTimeout(
        () => this.#fail(new Error(`timeout waiting for a ${kind} reply`)),
        this.#timeoutMs,
      )
      this.#check()
    })
  }

  #fail(e) {
    const reject = this.#reject
    if (reject === null) return
    this.#done()
    reject(e)
  }

  #done() {
    clearTimeout(this.#timer)
    this.#want = this.#resolve = this.#reject = null
  }

  #data(d) {
    this.#chunks.push(d)
    this.#size += d.length
    this.#check()
  }

  #take(n) {
    const all =
      this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#size)
    const out = all.subarray(0, n)
    const rest = all.subarray(n)
    this.#chunks = rest.length > 0 ? [rest] : []
    this.#size = rest.length
    return out
  }

  #check() {
    if (this.#want === null || this.#size === 0) return
    const resolve = this.#resolve
    if (this.#want === 'line') {
      const all =
        this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#size)
      this.#chunks = [all]
      const i = all.indexOf(10)
      if (i < 0) return
      this.#done()
      resolve(this.#take(i + 1))
      return
    }
    // multi-line: a -ERR first line ends it; else it ends at CRLF.CRLF (or ".\r\n" right after the first line)
    const first = this.#chunks[0]
    if (first.length > 0 && first[0] === 45 /* - */) {
      this.#want = 'line'
      this.#resolve = resolve
      this.#check()
      return
    }
    const last = this.#chunks[this.#chunks.length - 1]
    const tail =
      last.length >= 5
        ? last.subarray(last.length - 5)
        : Buffer.concat(this.#chunks, this.#size).subarray(-5)
    if (!tail.equals(CRLF_DOT_CRLF)) {
      // A reply may be followed by nothing else (one command at a time), so the end is at the tail.
      return
    }
    this.#done()
    resolve(this.#take(this.#size))
  }

  /** Sends one command; multi = the reply is multi-line when positive. */
  cmd(line, multi = false) {
    this.#sock.write(line + '\r\n')
    return this.#expect(multi ? 'multi' : 'line')
  }

  /** Sends QUIT, waits for the reply and the close. */
  async quit() {
    const r = await this.cmd('QUIT')
    await this.closed()
    return r
  }

  /** Resolves when the server closed the connection. */
  closed() {
    if (this.#closed) return Promise.resolve()
    return new Promise((resolve) => this.#sock.once('close', resolve))
  }

  destroy() {
    this.#sock.destroy()
  }
}

/** Throws unless a reply is positive. */
export const ok = (r, what) => {
  if (r[0] !== 43 /* + */) throw new Error(`${what}: ${r.subarray(0, 200).toString().trim()}`)
  return r
}

/** A full login: connect, USER, PASS. Returns the open client. */
export const login = async (port, user, pass, timeoutMs) => {
  const c = await Pop3.open(port, '127.0.0.1', timeoutMs)
  try {
    ok(c.greeting, 'greeting')
    ok(await c.cmd(`USER ${user}`), 'USER')
    ok(await c.cmd(`PASS ${pass}`), `PASS ${user} on port ${port}`)
    return c
  } catch (e) {
    c.destroy()
    throw e
  }
}

/** Runs fn(client) and closes the connection however it ends. */
export const using = async (c, fn) => {
  try {
    return await fn(c)
  } finally {
    c.destroy()
  }
}
