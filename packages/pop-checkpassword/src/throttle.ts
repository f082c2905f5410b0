// Brute-force protection: failures per client address and per login, counted in a state directory.
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { warn } from '../../pop-lib/src/log.js'

/** How failures are counted and punished. */
export interface ThrottleOptions {
  dir: string
  /** Seconds a failure counts for. */
  window: number
  /** Failures of one login within the window that lock it out. */
  maxUser: number
  /** Failures from one address within the window that lock it out. */
  maxIp: number
  /** Delay after the first failure, in ms; it doubles with each further one. */
  delay: number
  /** The longest delay, in ms. */
  maxDelay: number
  /** The chance that a failure also sweeps out stale files (default 0.01). */
  sweep?: number
}

const COMPACT_AT = 4096

/** The state file name of a login: the name itself when plain, else a digest of it. */
export const userKey = (login: Buffer): string => {
  const s = login.toString('latin1')
  return /^[A-Za-z0-9._@+-]{1,100}$/.test(s)
    ? `user-${s}`
    : `user-#${process.getBuiltinModule('node:crypto').createHash('sha256').update(login).digest('hex')}`
}

/** The state file name of a client address, or null when it is not an IP address. */
export const ipKey = (ip: string | undefined): string | null =>
  ip !== undefined && process.getBuiltinModule('node:net').isIP(ip) !== 0 ? `ip-${ip}` : null

/**
 * One login attempt's view of the failure counts. Each key is a file of decimal times, one per
 * failure, appended with O_APPEND (concurrent appends of a few bytes do not interleave); a file
 * that grows past 4 KB is rewritten with only the failures in the window, through a rename.
 * Errors are logged and ignored: the protection fails open rather than lock everybody out.
 */
export class Throttle {
  readonly #o: ThrottleOptions
  readonly #keys: string[]
  readonly #now: number

  constructor(o: ThrottleOptions, login: Buffer, ip: string | undefined, now: number) {
    this.#o = o
    this.#now = Math.floor(now / 1000)
    this.#keys = [userKey(login), ipKey(ip)].filter((k): k is string => k !== null)
    try {
      mkdirSync(o.dir, { recursive: true, mode: 0o700 })
    } catch (e) {
      warn(`cannot create ${o.dir}: ${(e as NodeJS.ErrnoException).code}`)
    }
  }

  #times(key: string): number[] {
    try {
      const text = readFileSync(join(this.#o.dir, key), 'latin1')
      return text
        .split('\n')
        .map(Number)
        .filter((t) => t > this.#now - this.#o.window && t <= this.#now + 60)
    } catch {
      return []
    }
  }

  /** Recent failures of the login and of the address. */
  counts(): { user: number; ip: number } {
    const [u, i] = this.#keys.map((k) => this.#times(k).length)
    return { user: u ?? 0, ip: i ?? 0 }
  }

  /** True when the login or the address is locked out. */
  locked(): boolean {
    const c = this.counts()
    return c.user >= this.#o.maxUser || c.ip >= this.#o.maxIp
  }

  /** The delay before answering a failure, from the larger count (the failure just recorded included). */
  delay(): number {
    const c = this.counts()
    const n = Math.max(c.user, c.ip, 1)
    return Math.min(this.#o.delay * 2 ** Math.min(n - 1, 20), this.#o.maxDelay)
  }

  /** Counts one failure against the login and the address. */
  failure(): void {
    for (const key of this.#keys) {
      const file = join(this.#o.dir, key)
      try {
        appendFileSync(file, `${this.#now}\n`, { mode: 0o600 })
        if (statSync(file).size > COMPACT_AT) {
          const tmp = `${file}.${process.pid}.tmp`
          writeFileSync(
            tmp,
            this.#times(key)
              .map((t) => `${t}\n`)
              .join(''),
            { mode: 0o600 },
          )
          renameSync(tmp, file)
        }
      } catch (e) {
        warn(`cannot record a failure in ${file}: ${(e as NodeJS.ErrnoException).code}`)
      }
    }
    if (Math.random() < (this.#o.sweep ?? 0.01)) this.#sweep()
  }

  /** Forgets the login's failures after a good login (the address keeps its count). */
  success(): void {
    try {
      unlinkSync(join(this.#o.dir, this.#keys[0]!))
    } catch {
      // no failures recorded
    }
  }

  // Now and then, remove the files of keys with no failure in the window.
  #sweep(): void {
    try {
      for (const f of readdirSync(this.#o.dir)) {
        const file = join(this.#o.dir, f)
        if (statSync(file).mtimeMs < (this.#now - this.#o.window) * 1000) unlinkSync(file)
      }
    } catch {
      // best effort
    }
  }
}
