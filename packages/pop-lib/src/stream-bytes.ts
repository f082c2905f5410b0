// Reads a socket or pipe through the event loop, never more than asked: no read(2) left blocked.
import type { Socket } from 'node:net'
import { setBlocking } from './blocking.js'

/**
 * Reads a socket or pipe at most size bytes per request (one, so that nothing past what was asked
 * for is taken from the descriptor: the next program of the chain reads the rest). Unlike a read(2) in Node's
 * thread pool, a request waiting for a silent client holds no thread: the process can exit at an
 * idle timeout (Node joins its pool threads on exit, and a blocked read would hang it).
 *
 * The descriptor is in non-blocking mode while this reads; handOver() puts it back in blocking
 * mode for another program, takeBack() makes it ours again.
 */
export class StreamBytes {
  readonly #sock: Socket
  #want: { dst: Buffer; at: number; done: (n: number) => void; fail: (e: Error) => void } | null =
    null
  readonly #size: number
  #ended = false
  #error: Error | null = null

  constructor(fd: number, size = 1) {
    this.#size = size
    const net = process.getBuiltinModule('node:net')
    // onread (a buffer of our own, one byte long) is a node:net option the socket type lacks, and
    // pauseOnCreate (not reading until asked) is how node:net itself hands over handles.
    const opts = {
      fd,
      readable: true,
      writable: false,
      allowHalfOpen: true,
      pauseOnCreate: true,
      onread: {
        buffer: Buffer.alloc(size),
        callback: (n: number, buf: Uint8Array): boolean => {
          const w = this.#want
          this.#want = null
          if (w !== null && n > 0) {
            w.dst.set(buf.subarray(0, n), w.at)
            buf.fill(0, 0, n)
            w.done(n)
          }
          // false: pause at once, so that libuv reads no further byte.
          return false
        },
      },
    }
    this.#sock = new net.Socket(opts as ConstructorParameters<typeof net.Socket>[0])
    const end = (): void => {
      this.#ended = true
      this.#want?.done(0)
      this.#want = null
    }
    this.#sock.on('end', end)
    this.#sock.on('close', end)
    this.#sock.on('error', (e: Error) => {
      this.#error = e
      this.#want?.fail(e)
      this.#want = null
    })
  }

  /**
   * Reads up to size bytes into dst from at (which must have room); resolves the count, 0 at end
   * of input; rejects on an error.
   */
  read(dst: Buffer, at: number): Promise<number> {
    if (dst.length - at < this.#size) return Promise.reject(new RangeError('no room to read into'))
    if (this.#error !== null) return Promise.reject(this.#error)
    if (this.#ended) return Promise.resolve(0)
    return new Promise((done, fail) => {
      this.#want = { dst, at, done, fail }
      this.#sock.resume()
    })
  }

  /** Stops reading and puts the descriptor in blocking mode, for the next program. */
  handOver(): void {
    this.#sock.pause()
    setBlocking(this.#sock, true)
  }

  /** Takes the descriptor back after the other program ended: non-blocking again. */
  takeBack(): void {
    setBlocking(this.#sock, false)
  }
}
