// Reads a whole descriptor (pipe, FIFO, socket or regular file) to end of file, with a size limit.
import { readSync, closeSync, readlinkSync } from 'node:fs'
import { ExitError, EXIT_USAGE, EXIT_TEMP } from './exit-codes.js'

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * True when fd is open and is not one of Node's own descriptors. A program started with fd 3
 * closed finds Node's event loop (an anon_inode) there, not a missing descriptor.
 */
export const isInherited = (fd: number): boolean => {
  try {
    return !readlinkSync(`/proc/self/fd/${fd}`).startsWith('anon_inode:')
  } catch (e) {
    // No /proc: assume it is what the caller expects.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT'
  }
}

/**
 * Reads fd to end of file and closes it. More than max bytes is misuse (exit 2); a missing fd is
 * misuse; any other read error is temporary (111). Non-blocking descriptors are polled.
 */
export const readFdToEnd = (fd: number, max: number): Buffer => {
  if (!isInherited(fd)) throw new ExitError(EXIT_USAGE, `fd ${fd} is not open`)
  const buf = Buffer.alloc(max + 1)
  let have = 0
  try {
    for (;;) {
      let n: number
      try {
        n = readSync(fd, buf, have, buf.length - have, null)
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 5)
          continue
        }
        if (code === 'EINTR') continue
        if (code === 'EBADF') throw new ExitError(EXIT_USAGE, `fd ${fd} is not open`)
        throw new ExitError(EXIT_TEMP, `cannot read fd ${fd}: ${code ?? String(e)}`)
      }
      if (n === 0) break
      have += n
      if (have > max) {
        buf.fill(0)
        throw new ExitError(EXIT_USAGE, `more than ${max} bytes on fd ${fd}`)
      }
    }
  } finally {
    try {
      closeSync(fd)
    } catch {
      // already closed or never open
    }
  }
  const out = Buffer.from(buf.subarray(0, have))
  buf.fill(0)
  return out
}
