// UCSPI-TLS (s6-ucspitlsd, sslserver -n, pop-tls --starttls): starting TLS from a wrapper's descriptors.
import { read, write } from 'node:fs'

/** What pop-frontend knows about TLS on this connection. */
export interface Tls {
  /** A wrapper offers STLS: SSLCTLFD, SSLREADFD and SSLWRITEFD name descriptors. */
  offered: boolean
  /** The client's data is encrypted: after STLS, or an implicit-TLS wrapper set SSL_PROTOCOL. */
  active: boolean
  ctl: number
  read: number
  write: number
}

const fdVar = (raw: string | undefined): number =>
  raw !== undefined && /^[0-9]{1,4}$/.test(raw) ? Number(raw) : -1

/** Reads the UCSPI-TLS variables; a wrapper that gives no control descriptor but SSL_PROTOCOL is implicit TLS. */
export const tlsFromEnv = (env: NodeJS.ProcessEnv): Tls => {
  const ctl = fdVar(env.SSLCTLFD)
  const r = fdVar(env.SSLREADFD)
  const w = fdVar(env.SSLWRITEFD)
  const offered = ctl > 2 && r > 2 && w > 2
  return { offered, active: !offered && (env.SSL_PROTOCOL ?? '') !== '', ctl, read: r, write: w }
}

/** The variables of the wrapper that the next stage must not see: they name descriptors it does not get. */
export const UCSPI_TLS_VARS = ['SSLCTLFD', 'SSLREADFD', 'SSLWRITEFD']

/**
 * Parses the connection information a wrapper sends back after `Y`: `NAME=value` entries, each
 * ending in NUL, the list ending in an empty entry. A name without `=` means the variable is unset.
 * Only SSL_* names of letters, digits and underscores are kept.
 */
export const parseTlsInfo = (data: Buffer): Record<string, string | undefined> => {
  const vars: Record<string, string | undefined> = {}
  for (const entry of data.toString('latin1').split('\0')) {
    if (entry === '') break
    const eq = entry.indexOf('=')
    const name = eq < 0 ? entry : entry.slice(0, eq)
    if (/^SSL_[A-Z0-9_]{1,60}$/.test(name)) vars[name] = eq < 0 ? undefined : entry.slice(eq + 1)
  }
  return vars
}

const INFO_MAX = 8192

/**
 * Asks the wrapper to start TLS: writes `Y` on the control descriptor, then reads the connection
 * information until the empty entry (NUL NUL), end of file, or timeoutMs. The caller has already
 * sent `+OK` in the clear (RFC 2595 section 4) and from now on talks through t.read and t.write.
 * Throws when the control descriptor cannot be written.
 */
export const startTls = async (t: Tls, timeoutMs: number): Promise<Buffer> => {
  await new Promise<void>((resolve, reject) => {
    write(t.ctl, Buffer.from('Y'), 0, 1, null, (err) => (err === null ? resolve() : reject(err)))
  })
  const buf = Buffer.alloc(INFO_MAX)
  let have = 0
  const complete = (): boolean =>
    (have === 1 && buf[0] === 0) || (have >= 2 && buf[have - 1] === 0 && buf[have - 2] === 0)
  const readAll = async (): Promise<void> => {
    while (have < INFO_MAX && !complete()) {
      const n = await new Promise<number>((resolve) => {
        read(t.ctl, buf, have, INFO_MAX - have, null, (err, got) => resolve(err === null ? got : 0))
      })
      if (n === 0) return
      have += n
    }
  }
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    readAll(),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ])
  clearTimeout(timer)
  t.active = true
  return Buffer.from(buf.subarray(0, have))
}
