// Writes replies to the client in order, without ever blocking the event loop.
import { write } from 'node:fs'

const writeAsync = (fd: number, buf: Buffer, at: number): Promise<number> =>
  new Promise((resolve, reject) => {
    write(fd, buf, at, buf.length - at, null, (err, n) => {
      if (err === null) resolve(n)
      else reject(err)
    })
  })

/**
 * The client's side of the conversation. Writes go through the thread pool, so timers keep
 * running while a client that reads nothing holds a write; the caller awaits each send, so
 * nothing is buffered without bound. A failed write marks the output dead and throws.
 */
export class Out {
  readonly #fd: number
  #dead = false

  constructor(fd = 1) {
    this.#fd = fd
  }

  get dead(): boolean {
    return this.#dead
  }

  /** Sends bytes or text (latin1) completely. */
  async send(data: string | Buffer): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
    let at = 0
    while (at < buf.length) {
      try {
        at += await writeAsync(this.#fd, buf, at)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          await new Promise((r) => setTimeout(r, 5))
          continue
        }
        this.#dead = true
        throw e
      }
    }
  }

  /** Sends `+OK text` and CRLF. */
  ok(text = ''): Promise<void> {
    return this.send(text === '' ? '+OK\r\n' : `+OK ${text}\r\n`)
  }

  /** Sends `-ERR [CODE] text` (RFC 2449 response codes) and CRLF. */
  err(text: string, code?: string): Promise<void> {
    return this.send(code === undefined ? `-ERR ${text}\r\n` : `-ERR [${code}] ${text}\r\n`)
  }
}
