// The client connection: a socket read in big chunks and written with TCP_NODELAY, or plain fds.
import type { Socket } from 'node:net'
import { fstatSync } from 'node:fs'
import { LineReader, LINE_MAX, type Line } from '../../pop-lib/src/line-reader.js'
import { Out } from '../../pop-lib/src/out.js'
import { setBlocking } from '../../pop-lib/src/blocking.js'

/** Replies waiting while more commands are already here go out together, up to this many bytes. */
const HOLD_MAX = 64 * 1024
/** Unread client input beyond this pauses the socket, so a flood costs no memory. */
const INPUT_MAX = 64 * 1024

/** Writes to a socket: whole responses per write, a deadline per write, replies to a burst coalesced. */
export class SocketOut extends Out {
  readonly #sock: Socket
  readonly #timeoutMs: number
  #dead = false
  #held: Buffer[] = []
  #heldBytes = 0
  hold: () => boolean = () => false

  constructor(sock: Socket, timeoutMs: number) {
    super(-1)
    this.#sock = sock
    this.#timeoutMs = timeoutMs
    sock.on('error', () => {
      this.#dead = true
    })
  }

  override get dead(): boolean {
    return this.#dead
  }

  override async send(data: string | Buffer): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
    if (this.#heldBytes + buf.length <= HOLD_MAX && this.hold()) {
      this.#held.push(Buffer.from(buf))
      this.#heldBytes += buf.length
      return
    }
    await this.#write(this.#take(buf))
  }

  /** Sends whatever replies are held back. */
  async flush(): Promise<void> {
    if (this.#heldBytes > 0) await this.#write(this.#take(Buffer.alloc(0)))
  }

  #take(buf: Buffer): Buffer {
    if (this.#held.length === 0) return buf
    const all = Buffer.concat([...this.#held, buf])
    this.#held = []
    this.#heldBytes = 0
    return all
  }

  #write(buf: Buffer): Promise<void> {
    if (this.#dead) return Promise.reject(new Error('connection closed'))
    return new Promise((resolve, reject) => {
      // A client that stops reading must not hold the session forever.
      const timer = setTimeout(() => {
        this.#dead = true
        this.#sock.destroy()
        reject(new Error('write timeout'))
      }, this.#timeoutMs)
      this.#sock.write(buf, (err) => {
        clearTimeout(timer)
        if (err === null || err === undefined) return resolve()
        this.#dead = true
        reject(err)
      })
    })
  }
}

/** Reads command lines from a socket in big chunks (this is the last stage: nobody reads after us). */
export class SocketLineReader extends LineReader {
  readonly #sock: Socket
  readonly #out: SocketOut
  #buf: Buffer = Buffer.alloc(0)
  #eof = false
  #long = false
  #wake: (() => void) | null = null

  constructor(sock: Socket, out: SocketOut) {
    super(-1, true)
    this.#sock = sock
    this.#out = out
    out.hold = () => this.#buf.includes(10)
    sock.on('data', (d: Buffer) => {
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d])
      if (this.#buf.length > INPUT_MAX) sock.pause()
      this.#poke()
    })
    const end = (): void => {
      this.#eof = true
      this.#poke()
    }
    sock.on('end', end)
    sock.on('close', end)
    sock.on('error', end)
  }

  override get buffered(): boolean {
    return this.#buf.length > 0
  }

  #poke(): void {
    const w = this.#wake
    this.#wake = null
    w?.()
  }

  override async next(): Promise<Line> {
    for (;;) {
      const lf = this.#buf.indexOf(10)
      if (lf >= 0) {
        let data = this.#buf.subarray(0, lf)
        this.#buf = this.#buf.subarray(lf + 1)
        if (this.#buf.length <= INPUT_MAX) this.#sock.resume()
        if (this.#long) {
          this.#long = false
          return { kind: 'long' }
        }
        if (data.length > 0 && data[data.length - 1] === 13) data = data.subarray(0, -1)
        if (data.length > LINE_MAX - 2) return { kind: 'long' }
        return { kind: 'line', data: Buffer.from(data) }
      }
      if (this.#buf.length > LINE_MAX) {
        this.#long = true
        this.#buf = Buffer.alloc(0)
        this.#sock.resume()
      }
      if (this.#eof) return { kind: 'eof' }
      await this.#out.flush().catch(() => {})
      if (this.#out.dead) return { kind: 'eof' }
      await new Promise<void>((r) => {
        this.#wake = r
      })
    }
  }
}

/** The conversation with the client. */
export interface Conn {
  reader: LineReader
  out: Out
  /** Sends held replies; call before the session ends. */
  flush: () => Promise<void>
  /** Puts the descriptor back the way the launcher gave it. */
  restore: () => void
}

const inode = (fd: number): { socket: boolean; ino: number } | null => {
  try {
    const st = fstatSync(fd)
    return { socket: st.isSocket(), ino: st.ino }
  } catch {
    return null
  }
}

/**
 * Opens the client connection on fds 0 and 1. When both are the same socket (tcpserver, inetd,
 * systemd) it is wrapped in one net.Socket: reads take whatever arrived, writes go out whole with
 * TCP_NODELAY, so no response waits for a delayed ACK. Anything else uses plain fd reads and writes.
 * mode 'fd' forces the plain path.
 */
export const openConn = (timeoutMs: number, mode: 'auto' | 'fd' = 'auto'): Conn => {
  const a = inode(0)
  const b = inode(1)
  if (mode === 'auto' && a !== null && b !== null && a.socket && b.socket && a.ino === b.ino) {
    try {
      // Loaded here, not at start-up: a session on plain descriptors does without it.
      const net = process.getBuiltinModule('node:net')
      const sock = new net.Socket({ fd: 0, readable: true, writable: true, allowHalfOpen: true })
      sock.setNoDelay(true)
      const out = new SocketOut(sock, timeoutMs)
      const reader = new SocketLineReader(sock, out)
      return {
        reader,
        out,
        flush: () => out.flush(),
        restore: () => {
          // The launcher and a waiting frontend share this socket's file status flags.
          setBlocking(sock, true)
        },
      }
    } catch {
      // not a socket libuv can take: fall through to plain descriptors
    }
  }
  const reader = new LineReader(0, false)
  return {
    reader,
    out: new Out(1),
    flush: async () => {},
    // A socket or pipe read through the event loop was made non-blocking: blocking again.
    restore: () => reader.handOver(),
  }
}
