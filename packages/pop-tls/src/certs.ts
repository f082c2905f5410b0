// Certificates: read from files for each connection (renewals need no restart), chosen by SNI.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import tls from 'node:tls'
import { ExitError, EXIT_TEMP } from '../../pop-lib/src/exit-codes.js'

/** Where the certificates come from. */
export interface CertSources {
  /** The default certificate chain and key (PEM), used without SNI or when no name matches. */
  cert?: string
  key?: string
  /** A directory of NAME.pem and NAME.key pairs; `_.example.org` stands for `*.example.org`. */
  dir?: string
  /** The environment, for s6-tlsd's `CERTFILE:NAME` and `KEYFILE:NAME` pairs. */
  env: NodeJS.ProcessEnv
}

/** RFC 8446 requires at least TLS 1.2 here (RFC 8996 deprecates 1.0 and 1.1); Node's ciphers otherwise. */
const BASE: tls.SecureContextOptions = { minVersion: 'TLSv1.2' }

const read = (file: string): Buffer => {
  try {
    return readFileSync(file)
  } catch (e) {
    throw new ExitError(
      EXIT_TEMP,
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    )
  }
}

const context = (cert: string, key: string): tls.SecureContext => {
  try {
    return tls.createSecureContext({ ...BASE, cert: read(cert), key: read(key) })
  } catch (e) {
    if (e instanceof ExitError) throw e
    throw new ExitError(
      EXIT_TEMP,
      `bad certificate or key in ${cert}, ${key}: ${(e as Error).message}`,
    )
  }
}

/** The context for a connection before SNI: the default pair, or one without a certificate. */
export const defaultContext = (src: CertSources): tls.SecureContext =>
  src.cert !== undefined && src.key !== undefined
    ? context(src.cert, src.key)
    : tls.createSecureContext(BASE)

/** A host name as it may appear in SNI (RFC 6066 section 3): letters, digits, hyphens, dots. */
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/

/** The names to look for, most specific first: the name itself, then the wildcard one level up. */
export const candidates = (servername: string): string[] => {
  const name = servername.toLowerCase().replace(/\.$/, '')
  if (!HOSTNAME.test(name)) return []
  const dot = name.indexOf('.')
  return dot < 0 ? [name] : [name, '*' + name.slice(dot)]
}

/** Finds the certificate and key files for a name, or null. */
export const lookup = (
  src: CertSources,
  servername: string,
): { cert: string; key: string } | null => {
  for (const name of candidates(servername)) {
    const cert = src.env[`CERTFILE:${name}`]
    const key = src.env[`KEYFILE:${name}`]
    if (cert !== undefined && cert !== '' && key !== undefined && key !== '') return { cert, key }
    if (src.dir !== undefined) {
      const base = join(src.dir, name.replace(/^\*/, '_'))
      if (existsSync(base + '.pem')) return { cert: base + '.pem', key: base + '.key' }
    }
  }
  return null
}

/** True when any certificate is configured at all. */
export const anyCertificate = (src: CertSources): boolean =>
  (src.cert !== undefined && src.key !== undefined) ||
  src.dir !== undefined ||
  Object.keys(src.env).some((k) => k.startsWith('CERTFILE:'))

/** The SNI callback: the matching pair's context, or the default one when nothing matches. */
export const sniCallback =
  (src: CertSources, fail: (e: Error) => void) =>
  (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void): void => {
    try {
      const found = lookup(src, servername)
      cb(null, found === null ? undefined : context(found.cert, found.key))
    } catch (e) {
      fail(e as Error)
      cb(e as Error)
    }
  }
