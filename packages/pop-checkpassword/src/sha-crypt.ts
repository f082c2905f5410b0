// SHA-256 ($5$) and SHA-512 ($6$) crypt, after Ulrich Drepper's specification (akkadia.org/drepper/SHA-crypt.txt).
import { encodeGroups } from './crypt-b64.js'
import { nodeSha, type ShaEngine } from './sha-crypt-engine.js'
import { wasmSha } from './sha-crypt-wasm.js'
import { MAX_PASSWORD } from './sha-crypt-wasm-layout.js'

const ROUNDS_DEFAULT = 5000
const ROUNDS_MIN = 1000
const ROUNDS_MAX = 999999999

// The spec's byte order for the final encoding: groups of three bytes, rotating.
const order = (size: number, step: number, rotateRight: boolean): number[][] => {
  const groups: number[][] = []
  for (let j = 0; j < step; j++) {
    const g = [j, j + step, j + 2 * step]
    const r = j % 3
    const k = rotateRight ? (3 - r) % 3 : r
    groups.push([...g.slice(k), ...g.slice(0, k)])
  }
  return size === 32 ? [...groups, [31, 30]] : [...groups, [63]]
}
const ORDER_256 = order(32, 10, true)
const ORDER_512 = order(64, 21, false)

// A sequence of n bytes made from repeating a digest.
const stretch = (d: Buffer, n: number): Buffer => {
  const out = Buffer.alloc(n)
  for (let at = 0; at < n; at += d.length) d.copy(out, at, 0, Math.min(d.length, n - at))
  return out
}

/**
 * The full `$5$` or `$6$` string for a password and the setting part of a stored hash
 * (`$6$rounds=N$salt$...`): at most 16 salt bytes, rounds clamped to the spec's range.
 * The hashing runs as WebAssembly (the whole rounds loop in one call: a cold process pays a few
 * ms, not the tens that 5000 calls into node:crypto cost), or on node:crypto where WebAssembly
 * cannot run; `engine` picks one for tests.
 */
export const shaCrypt = (pw: Buffer, setting: string, engine?: ShaEngine): string => {
  const m = /^\$([56])\$(?:rounds=([0-9]+)\$)?([^$]*)/.exec(setting)
  if (m === null) throw new Error('not a SHA crypt setting')
  const id = m[1]!
  const size = id === '5' ? 32 : 64
  const e = engine ?? (pw.length <= MAX_PASSWORD ? wasmSha(size) : null) ?? nodeSha(size)
  const explicit = m[2] !== undefined
  const rounds = explicit
    ? Math.min(Math.max(Number(m[2]), ROUNDS_MIN), ROUNDS_MAX)
    : ROUNDS_DEFAULT
  const salt = Buffer.from(m[3]!.slice(0, 16), 'latin1')
  const secrets: Buffer[] = []
  // Every intermediate digest of the password is zeroed after, even when hashing throws.
  const keep = (x: Buffer): Buffer => {
    secrets.push(x)
    return x
  }
  let out: Buffer
  try {
    const b = keep(e.hash([pw, salt, pw]))
    const a = [pw, salt, keep(stretch(b, pw.length))]
    for (let n = pw.length; n > 0; n >>= 1) a.push(n & 1 ? b : pw)
    const c = keep(e.hash(a))
    const p = keep(stretch(keep(e.hash(Array<Buffer>(pw.length).fill(pw))), pw.length))
    const s = stretch(e.hash(Array<Buffer>(16 + c[0]!).fill(salt)), salt.length)
    out = e.rounds(c, p, s, rounds)
  } finally {
    for (const x of secrets) x.fill(0)
    e.wipe()
  }
  const head = `$${id}$${explicit ? `rounds=${rounds}$` : ''}${salt.toString('latin1')}$`
  return head + encodeGroups(out, size === 32 ? ORDER_256 : ORDER_512)
}
