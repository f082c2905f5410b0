// What pop-tls passes on: the facts of its own handshake, never stale ones from outside.
import t from 'tap'
import { infoRecord, scrub } from '../src/info.js'

t.test('scrub drops TLS facts, UCSPI-TLS descriptors and key paths; keeps the rest', async (t) => {
  const env = {
    SSL_PROTOCOL: 'TLSv1.3',
    SSL_CIPHER: 'x',
    SSL_CIPHER_USEKEYSIZE: '256',
    SSL_SESSION_ID: 'ab',
    SSL_TLS_SNI_SERVERNAME: 'a',
    SSL_CLIENT_S_DN: 'cn',
    SSL_VERSION_LIBRARY: 'OpenSSL',
    SSLCTLFD: '5',
    SSLREADFD: '6',
    SSLWRITEFD: '7',
    CERTFILE: '/c',
    KEYFILE: '/k',
    'CERTFILE:a.example': '/c',
    'KEYFILE:a.example': '/k',
    POPTLS_CERTDIR: '/d',
    SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
    SSL_CERT_DIR: '/etc/ssl/certs',
    TCPREMOTEIP: '192.0.2.1',
    PROTO: 'TCP',
    PATH: '/bin',
  }
  t.same(scrub(env), {
    SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
    SSL_CERT_DIR: '/etc/ssl/certs',
    TCPREMOTEIP: '192.0.2.1',
    PROTO: 'TCP',
    PATH: '/bin',
  })
})

t.test('the Y answer: NAME=value NUL each, then NUL', async (t) => {
  t.equal(
    infoRecord([
      ['SSL_PROTOCOL', 'TLSv1.3'],
      ['SSL_TLS_SNI_SERVERNAME', ''],
    ]).toString('latin1'),
    'SSL_PROTOCOL=TLSv1.3\0SSL_TLS_SNI_SERVERNAME=\0\0',
  )
})
