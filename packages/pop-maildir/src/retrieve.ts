// RETR and TOP: a message streamed from its file to the client in big writes, memory bounded.
import { readSync, closeSync } from 'node:fs'
import type { Out } from '../../pop-lib/src/out.js'
import { WireEncoder } from './wire.js'
import type { Opened } from './mailbox.js'

/** Bytes read from the file at a time; a write carries up to about twice this. */
const CHUNK = 256 * 1024
const TERMINATOR = '.\r\n'

/** Thrown when the file fails after +OK went out: the only honest thing left is to hang up. */
export class BrokenMessage extends Error {}

/**
 * Sends `+OK head`, the message (all of it, or with limit the header and that many body lines),
 * and the terminator. The status line and the first part of the message share one write, and the
 * terminator shares the last, so a small message is one write. Returns the size of what was sent
 * as RFC 1939 counts it (CRLF line ends, without stuffing, status line and terminator). Closes fd.
 */
export const sendMessage = async (
  out: Out,
  f: Opened,
  head: string,
  limit: number | null,
): Promise<number> => {
  const enc = new WireEncoder(limit)
  const inBuf = Buffer.allocUnsafe(CHUNK)
  const outBuf = Buffer.allocUnsafe(head.length + 7 + WireEncoder.bound(CHUNK) + TERMINATOR.length)
  let o = outBuf.write(`+OK ${head}\r\n`, 0, 'latin1')
  const status = o
  let sent = 0
  try {
    for (;;) {
      let n: number
      try {
        n = enc.done ? 0 : readSync(f.fd, inBuf, 0, CHUNK, null)
      } catch (e) {
        throw new BrokenMessage((e as NodeJS.ErrnoException).code ?? String(e))
      }
      if (n === 0) break
      o = enc.encodeInto(inBuf.subarray(0, n), outBuf, o)
      if (o >= CHUNK) {
        await out.send(outBuf.subarray(0, o))
        sent += o
        o = 0
      }
    }
    o = enc.finishInto(outBuf, o)
    o += outBuf.write(TERMINATOR, o, 'latin1')
    await out.send(outBuf.subarray(0, o))
    return sent + o - status - TERMINATOR.length - enc.stuffed
  } finally {
    closeSync(f.fd)
  }
}
