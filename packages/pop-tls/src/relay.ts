// Plaintext both ways between the TLS session and the next program, with backpressure and half-close.
import type { Duplex, Readable, Writable } from 'node:stream'

/**
 * Relays sock to toChild and fromChild to sock. The client's end of input (or a broken connection)
 * ends the child's input; the child's end of output ends the TLS session (close_notify, then FIN).
 * Resolves once everything the child wrote is handed to the kernel with close_notify and FIN after
 * it, or the connection broke, or linger seconds after the child's output ended (a client that
 * stopped reading).
 */
export const relay = (
  sock: Duplex,
  toChild: Writable,
  fromChild: Readable,
  linger: number,
): Promise<void> => {
  const quiet = (): void => {}
  toChild.on('error', quiet)
  fromChild.on('error', quiet)
  sock.on('error', quiet)
  sock.pipe(toChild)
  const endChild = (): void => {
    sock.unpipe(toChild)
    toChild.end()
  }
  sock.on('close', endChild)
  sock.on('error', endChild)
  fromChild.pipe(sock)
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    sock.on('finish', done)
    sock.on('close', done)
    // The client may have gone between the handshake and now: no 'close' is coming then.
    if (sock.destroyed) {
      endChild()
      done()
    }
    fromChild.on('end', () => {
      timer = setTimeout(() => {
        sock.destroy()
        done()
      }, linger * 1000)
    })
  })
}
