// The server side of a TLS handshake over the client's connection, bounded in time.
import tls from 'node:tls'
import type { Duplex } from 'node:stream'
import { ExitError } from '../../pop-lib/src/exit-codes.js'
import { defaultContext, sniCallback, type CertSources } from './certs.js'

/** A handshake that did not finish: the client's fault, a timeout, or unreadable certificates. */
export class HandshakeError extends Error {
  /** Set when our own configuration failed (certificate files), not the client. */
  readonly local: ExitError | undefined
  constructor(message: string, local?: ExitError) {
    super(message)
    this.local = local
  }
}

const reason = (e: Error): string => {
  const r = (e as { reason?: unknown }).reason
  return typeof r === 'string' && r !== '' ? r : ((e as NodeJS.ErrnoException).code ?? e.message)
}

/**
 * Runs the handshake as server on net; resolves with the TLS socket once it is secure. Rejects
 * with HandshakeError when the client fails it, closes, or stays silent for timeout seconds.
 */
export const handshake = (
  net: Duplex,
  src: CertSources,
  timeout: number,
): Promise<tls.TLSSocket> => {
  let local: ExitError | undefined
  const secureContext = defaultContext(src)
  const sock = new tls.TLSSocket(net, {
    isServer: true,
    secureContext,
    SNICallback: sniCallback(src, (e) => {
      if (e instanceof ExitError) local = e
    }),
  })
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (why: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      sock.destroy()
      net.destroy()
      reject(new HandshakeError(why, local))
    }
    const timer = setTimeout(() => fail(`no handshake in ${timeout} seconds`), timeout * 1000)
    sock.once('secure', () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(sock)
    })
    sock.on('error', (e: Error) => fail(local?.message ?? reason(e)))
    sock.once('end', () => fail('connection closed before the handshake'))
    sock.once('close', () => fail('connection closed before the handshake'))
  })
}
