// Reads POP3 command lines from a descriptor, with a length limit, optionally never past a line end.
import { read, fstatSync } from 'node:fs'
import { StreamBytes } from './stream-bytes.js'

/** What one call to next() found. */
export type Line = { kind: 'line'; data: Buffer } | { kind: 'long' } | { kind: 'eof' }

/** RFC 2449 section 4: a command line is at most 255 octets, CRLF included. */
export const LINE_MAX = 255

const readAsync = (fd: number, buf: Buffer, at: number, len: number): Promise<number> =>
  new Promise((resolve, reject) => {
    read(fd, buf, at, len, null, (err, n) => {
      if (err === null) resolve(n)
      else reject(err)
    })
  })

/** Zeroes the pieces a line was gathered in (it may hold a password), then returns result. */
const wipe = <T>(pieces: Buffer[], result: T): T => {
  for (const p of pieces) p.fill(0)
  return result
}

/**
 * Splits input on LF, dropping a CR before it. In exact mode it reads one byte at a time, so that
 * whatever follows a line stays unread on the descriptor for the next program of the chain. A line
 * longer than LINE_MAX is discarded up to its LF and reported once as 'long'; memory stays bounded.
 * A read error counts as end of file.
 */
export class LineReader {
  readonly #fd: number
  readonly #exact: boolean
  readonly #chunk: Buffer
  readonly #giveUp: number
  #start = 0
  #end = 0
  #eof = false
  #overflowed = false
  #stream = false
  /** Made at the first read: node:net loads after the greeting, not before. */
  #bytes: StreamBytes | null = null

  /**
   * giveUp: after this many bytes of one line without its LF, next() stops reading and reports
   * 'long' at once, and overflowed turns true. In exact mode every byte costs a read(2) through
   * the thread pool (tens of microseconds), so a client sending a megabyte without a line end
   * would otherwise hold a CPU for a minute; the caller ends such a session.
   */
  constructor(fd: number, exact: boolean, giveUp = Infinity) {
    this.#fd = fd
    this.#exact = exact
    this.#chunk = Buffer.alloc(exact ? 1 : 4096)
    this.#giveUp = giveUp
    // Reads of a socket or pipe go through the event loop: a read(2) in the thread pool waiting
    // for a silent client would keep the process from exiting at its idle timeout.
    let st
    try {
      st = fstatSync(fd)
    } catch {
      st = null
    }
    this.#stream = st !== null && (st.isSocket() || st.isFIFO())
  }

  /** Another program is to read the descriptor now: stop, and leave it in blocking mode. */
  handOver(): void {
    this.#bytes?.handOver()
  }

  /** The other program ended: the descriptor is this reader's again. */
  takeBack(): void {
    this.#bytes?.takeBack()
  }

  /** True once a line ran past the giveUp bound: the rest of it was not read. */
  get overflowed(): boolean {
    return this.#overflowed
  }

  /** True when bytes already read wait behind the last line (never in exact mode). */
  get buffered(): boolean {
    return this.#end > this.#start
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false
    try {
      if (this.#stream) this.#bytes ??= new StreamBytes(this.#fd, this.#chunk.length)
      const n =
        this.#bytes !== null
          ? await this.#bytes.read(this.#chunk, 0)
          : await readAsync(this.#fd, this.#chunk, 0, this.#chunk.length)
      this.#start = 0
      this.#end = n
      if (n === 0) this.#eof = true
      return n > 0
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        await new Promise((r) => setTimeout(r, 5))
        return this.#fill()
      }
      this.#eof = true
      return false
    }
  }

  /** Returns the next line without its line end, a 'long' marker, or 'eof'. */
  async next(): Promise<Line> {
    const parts: Buffer[] = []
    let size = 0
    let seen = 0
    let long = false
    for (;;) {
      // A last line without its line end is not a command (RFC 1939 section 3): drop it.
      if (this.#start >= this.#end && !(await this.#fill())) return wipe(parts, { kind: 'eof' })
      const lf = this.#chunk.indexOf(10, this.#start)
      const stop = lf < 0 || lf >= this.#end ? this.#end : lf
      if (!long) {
        const piece = this.#chunk.subarray(this.#start, stop)
        size += piece.length
        if (size > LINE_MAX - 1) long = true
        else parts.push(Buffer.from(piece))
      }
      seen += stop - this.#start
      this.#start = stop
      if (long && seen > this.#giveUp && stop >= this.#end) {
        this.#overflowed = true
        return wipe(parts, { kind: 'long' })
      }
      if (stop < this.#end) {
        this.#start = stop + 1
        if (long) return wipe(parts, { kind: 'long' })
        let data = parts.length === 1 ? parts[0]! : wipe(parts, Buffer.concat(parts))
        if (data.length > 0 && data[data.length - 1] === 13) data = data.subarray(0, -1)
        if (data.length > LINE_MAX - 2) return wipe([data], { kind: 'long' })
        return { kind: 'line', data }
      }
    }
  }
}
