// The network connection on fds 0 and 1 as one stream, taken only when TLS starts.
import net from 'node:net'
import { fstatSync } from 'node:fs'
import { Duplex } from 'node:stream'

/**
 * The client's connection as a duplex stream. tcpserver and inetd put one socket on both fds; then
 * fd 0 serves both ways. Otherwise (two pipes, as in tests) fd 0 is read and fd 1 written.
 * Half-open is allowed both ways, so a client's end of input still lets the last replies out.
 */
export const network = (): Duplex => {
  const a = fstatSync(0)
  const b = fstatSync(1)
  if (a.isSocket() && a.dev === b.dev && a.ino === b.ino) {
    const sock = new net.Socket({ fd: 0, readable: true, writable: true, allowHalfOpen: true })
    // Each TLS record goes out at once: Nagle plus the client's delayed ACK would hold back the
    // last segment of every reply (the ~40 ms stalls seen with qmail-pop3d without tcpserver -D).
    sock.setNoDelay(true)
    return sock
  }
  const readable = new net.Socket({ fd: 0, readable: true, writable: false, allowHalfOpen: true })
  const writable = new net.Socket({ fd: 1, readable: false, writable: true, allowHalfOpen: true })
  return Duplex.from({ readable, writable })
}
