// RETR and TOP: a message streamed from its file to the client in big writes, memory bounded.
import { readSync, closeSync } from 'node:fs'
import type { Out } from '../../pop-lib/src/out.js'
import { WireEncoder, type Encoder } from './wire.js'
import { simd, SimdEncoder, type Simd } from './wire-simd.js'
import type { Opened } from './mailbox.js'

/** Bytes read from the file at a time; a write carries up to about twice this. */
const CHUNK = 256 * 1024
/** Room for the status line (and output left over from a short chunk) before a read's input. */
const ROOM = 1024
/** Where a chunk is read: far enough on that encoding it in place never overtakes it. */
const INPUT = ROOM + CHUNK + 18
const SIZE = INPUT + CHUNK + 8
const TERMINATOR = '.\r\n'
/** RETR bytes after which the SIMD encoder (about 1 ms to set up, 1 ms per MB faster) pays. */
const SIMD_AFTER = 1024 * 1024

/** Thrown when the file fails after +OK went out: the only honest thing left is to hang up. */
export class BrokenMessage extends Error {}

/** One buffer for every message of the session: no big allocation (and garbage) per RETR. */
let shared: Buffer | null = null
let busy = false
let engine: Simd | null = null
let tried = false
/** Bytes of messages retrieved so far, this one included. */
let volume = 0
const peek = Buffer.alloc(1)

const take = (): Buffer => {
  if (busy) return Buffer.allocUnsafe(SIZE)
  busy = true
  if (!tried && volume >= SIMD_AFTER) {
    tried = true
    engine = simd(SIZE)
    if (engine !== null) shared = engine.buf
  }
  shared ??= Buffer.allocUnsafe(SIZE)
  return shared
}

const give = (buf: Buffer): void => {
  if (buf === shared) busy = false
}

/** Whether RETR uses the SIMD encoder now (for tests). */
export const usingSimd = (): boolean => engine !== null

const read = (fd: number, buf: Buffer, at: number, n: number): number => {
  try {
    return readSync(fd, buf, at, n, null)
  } catch (e) {
    throw new BrokenMessage((e as NodeJS.ErrnoException).code ?? String(e))
  }
}

/**
 * Sends `+OK head`, the message (all of it, or with limit the header and that many body lines),
 * and the terminator. Each chunk is read into the buffer behind the output and encoded in place.
 * Output goes out before the next chunk is read over it; once the file's size is read, one byte
 * more is tried first, so the status line, a message up to CHUNK and the terminator are one write.
 * Returns the size of what was sent as RFC 1939 counts it (CRLF line ends, without stuffing,
 * status line and terminator). Closes fd.
 */
export const sendMessage = async (
  out: Out,
  f: Opened,
  head: string,
  limit: number | null,
): Promise<number> => {
  if (limit === null) volume += f.disk
  const buf = take()
  const enc: Encoder =
    limit === null && engine !== null && buf === engine.buf
      ? new SimdEncoder(engine)
      : new WireEncoder(limit)
  const status = `+OK ${head}\r\n`
  // Bytes sent, less a status line that shares the first write.
  let sent = 0
  try {
    let o = 0
    if (status.length > ROOM) await out.send(status)
    else {
      o = buf.write(status, 0, 'latin1')
      sent = -o
    }
    let total = 0
    let ahead = -1
    for (;;) {
      let n = 0
      if (ahead >= 0) buf[INPUT + n++] = ahead
      ahead = -1
      if (!enc.done) {
        const got = read(f.fd, buf, INPUT + n, CHUNK - n)
        total += got
        n += got
      }
      if (n === 0) break
      o = enc.encodeWithin(buf, INPUT, INPUT + n, o)
      if (o <= ROOM) continue
      if (!enc.done && total >= f.disk) {
        if (read(f.fd, peek, 0, 1) === 0) break
        ahead = peek[0]!
        total++
      }
      await out.send(buf.subarray(0, o))
      sent += o
      o = 0
    }
    o = enc.finishInto(buf, o)
    o += buf.write(TERMINATOR, o, 'latin1')
    await out.send(buf.subarray(0, o))
    return sent + o - TERMINATOR.length - enc.stuffed
  } finally {
    give(buf)
    closeSync(f.fd)
  }
}
