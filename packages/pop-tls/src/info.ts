// What the handshake agreed, under ucspi-ssl's and s6-tlsd's variable names.
import type tls from 'node:tls'

/** SSL_PROTOCOL, SSL_CIPHER and SSL_TLS_SNI_SERVERNAME of a finished handshake. */
export const tlsInfo = (sock: tls.TLSSocket): [string, string][] => {
  const sni = (sock as unknown as { servername?: string | false }).servername
  return [
    ['SSL_PROTOCOL', sock.getProtocol() ?? ''],
    ['SSL_CIPHER', sock.getCipher()?.name ?? ''],
    ['SSL_TLS_SNI_SERVERNAME', typeof sni === 'string' ? sni : ''],
  ]
}

/** The same as the UCSPI-TLS `Y` answer: `NAME=value\0` each, then an empty one (as s6-tlsd-io). */
export const infoRecord = (info: [string, string][]): Buffer =>
  Buffer.from(info.map(([k, v]) => `${k}=${v}\0`).join('') + '\0', 'latin1')

/**
 * Connection facts in the names of ucspi-ssl, s6-tlsd and mod_ssl, the UCSPI-TLS descriptors, and
 * our own settings (key paths). OpenSSL's own SSL_CERT_FILE and SSL_CERT_DIR are not facts: they stay.
 */
const STALE =
  /^(SSL_(PROTOCOL|CIPHER\w*|SESSION_\w+|TLS_SNI_SERVERNAME|CLIENT_\w+|SERVER_\w+|VERSION_\w+|COMPRESS_METHOD|SECURE_RENEG)|SSLCTLFD|SSLREADFD|SSLWRITEFD|CERTFILE(:.*)?|KEYFILE(:.*)?|POPTLS_\w+)$/

/** Variables that must not reach the next program from outside: stale TLS facts and key paths. */
export const scrub = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(env)) {
    if (STALE.test(k)) continue
    out[k] = v
  }
  return out
}
