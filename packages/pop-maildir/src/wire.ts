// A message as it goes on the wire: CRLF line ends, dot-stuffing (RFC 1939 section 3), TOP's line limit.

const CR = 13
const LF = 10
const DOT = 46

/** What sending a message needs of an encoder (WireEncoder, or SimdEncoder for RETR). */
export interface Encoder {
  readonly done: boolean
  readonly stuffed: number
  encodeWithin(buf: Buffer, from: number, to: number, at: number): number
  finishInto(buf: Buffer, at: number): number
}

/**
 * Turns a stored message, chunk by chunk, into its RETR or TOP form: a bare LF becomes CRLF, an
 * existing CRLF stays, a line that starts with `.` gets one more, and a last line without a line
 * end gets one (a trailing lone CR just gets its LF). With a body line limit (TOP) it stops after
 * the header, the blank line and that many body lines. State carries across chunks, so lines
 * longer than any chunk are fine.
 */
export class WireEncoder implements Encoder {
  #atStart = true
  #prevCR = false
  #lineBytes = 0
  #inHeader = true
  #bodyLines = 0
  readonly #limit: number | null
  readonly #stuff: boolean
  done = false
  /** The dots added by stuffing so far. */
  stuffed = 0

  /** limit: body lines for TOP, or null for the whole message; stuff: false to count wire size. */
  constructor(limit: number | null = null, stuff = true) {
    this.#limit = limit
    this.#stuff = stuff
  }

  /**
   * Encodes buf[from, to) in place, writing from offset at on; returns the new offset. Nothing
   * written may overtake unread input, so at + (to - from) + 2 <= from must hold: every input
   * byte yields at most two. Lines move with copyWithin (a memmove), no buffer per line.
   */
  encodeWithin(buf: Buffer, from: number, to: number, at: number): number {
    if (at + (to - from) + 2 > from)
      throw new RangeError('encodeWithin: output would overtake input')
    let o = at
    let i = from
    while (i < to && !this.done) {
      if (this.#atStart && this.#stuff && buf[i] === DOT) {
        buf[o++] = DOT
        this.stuffed++
      }
      const found = buf.indexOf(LF, i)
      const lf = found < 0 || found >= to ? -1 : found
      const end = lf < 0 ? to : lf
      const seg = end - i
      if (seg > 0) {
        buf.copyWithin(o, i, end)
        o += seg
      }
      if (lf < 0) {
        if (seg > 0) {
          this.#prevCR = buf[end - 1] === CR
          this.#atStart = false
          this.#lineBytes += seg
        }
        break
      }
      const hadCR = seg > 0 ? buf[end - 1] === CR : this.#prevCR
      if (!hadCR) buf[o++] = CR
      buf[o++] = LF
      const len = this.#lineBytes + seg
      this.#endLine(len === 0 || (len === 1 && hadCR))
      i = lf + 1
    }
    return o
  }

  #endLine(empty: boolean): void {
    this.#lineBytes = 0
    this.#prevCR = false
    this.#atStart = true
    if (this.#limit === null) return
    if (this.#inHeader) {
      if (!empty) return
      this.#inHeader = false
      if (this.#limit === 0) this.done = true
    } else if (++this.#bodyLines >= this.#limit) this.done = true
  }

  /** Encodes one chunk into a new buffer. */
  encode(chunk: Buffer): Buffer {
    const n = chunk.length
    const buf = Buffer.allocUnsafe(2 * n + 2)
    chunk.copy(buf, n + 2)
    return buf.subarray(0, this.encodeWithin(buf, n + 2, 2 * n + 2, 0))
  }

  /** Ends the message: the line end a last line lacks (at most 2 bytes written into out). */
  finishInto(out: Buffer, at: number): number {
    if (this.done || this.#atStart) return at
    let o = at
    if (!this.#prevCR) out[o++] = CR
    out[o++] = LF
    this.#atStart = true
    return o
  }
}

/**
 * Counts the wire size of a stored message: its bytes, plus one CR per bare LF, plus the line end
 * a last line lacks. Feed chunks in order, then read total().
 */
export class WireCounter {
  #size = 0
  #bareLF = 0
  #prevCR = false
  #last = -1

  add(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.#size += chunk.length
    let i = chunk.indexOf(LF)
    while (i >= 0) {
      const before = i === 0 ? this.#prevCR : chunk[i - 1] === CR
      if (!before) this.#bareLF++
      i = chunk.indexOf(LF, i + 1)
    }
    this.#last = chunk[chunk.length - 1]!
    this.#prevCR = this.#last === CR
  }

  total(): number {
    const tail = this.#last < 0 || this.#last === LF ? 0 : this.#last === CR ? 1 : 2
    return this.#size + this.#bareLF + tail
  }
}
