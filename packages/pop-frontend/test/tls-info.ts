// The UCSPI-TLS connection information and descriptor variables.
import t from 'tap'
import { parseTlsInfo, tlsFromEnv } from '../src/tls.js'

t.test(
  'NAME=value entries up to the empty one; names without = unset; only SSL_* kept',
  async (t) => {
    const info = parseTlsInfo(
      Buffer.from(
        'SSL_PROTOCOL=TLSv1.3\0SSL_CIPHER=TLS_AES_256_GCM_SHA384\0SSL_TLS_SNI_SERVERNAME\0PATH=/evil\0\0SSL_LATE=x\0',
        'latin1',
      ),
    )
    t.same(info, {
      SSL_PROTOCOL: 'TLSv1.3',
      SSL_CIPHER: 'TLS_AES_256_GCM_SHA384',
      SSL_TLS_SNI_SERVERNAME: undefined,
    })
    t.same(parseTlsInfo(Buffer.alloc(0)), {})
  },
)

t.test('STLS offered with three descriptors; implicit TLS from SSL_PROTOCOL alone', async (t) => {
  t.match(tlsFromEnv({ SSLCTLFD: '6', SSLREADFD: '7', SSLWRITEFD: '8' }), {
    offered: true,
    active: false,
    ctl: 6,
    read: 7,
    write: 8,
  })
  t.match(tlsFromEnv({ SSLCTLFD: '6', SSLREADFD: '7' }), { offered: false, active: false })
  t.match(tlsFromEnv({ SSLCTLFD: '1', SSLREADFD: '7', SSLWRITEFD: '8' }), { offered: false })
  t.match(tlsFromEnv({ SSL_PROTOCOL: 'TLSv1.2' }), { offered: false, active: true })
  t.match(tlsFromEnv({ SSL_PROTOCOL: 'TLSv1.2', SSLCTLFD: '6', SSLREADFD: '7', SSLWRITEFD: '8' }), {
    offered: true,
    active: false,
  })
  t.match(tlsFromEnv({}), { offered: false, active: false })
})
