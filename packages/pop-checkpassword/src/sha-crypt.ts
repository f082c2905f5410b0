// SHA-256 ($5$) and SHA-512 ($6$) crypt, after Ulrich Drepper's specification (akkadia.org/drepper/SHA-crypt.txt).
import { createHash, hash } from 'node:crypto'
import { encodeGroups } from './crypt-b64.js'

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
 */
export const shaCrypt = (pw: Buffer, setting: string): string => {
  const m = /^\$([56])\$(?:rounds=([0-9]+)\$)?([^$]*)/.exec(setting)
  if (m === null) throw new Error('not a SHA crypt setting')
  const id = m[1]!
  const algo = id === '5' ? 'sha256' : 'sha512'
  const explicit = m[2] !== undefined
  const rounds = explicit
    ? Math.min(Math.max(Number(m[2]), ROUNDS_MIN), ROUNDS_MAX)
    : ROUNDS_DEFAULT
  const salt = Buffer.from(m[3]!.slice(0, 16), 'latin1')
  const H = () => createHash(algo)
  const b = H().update(pw).update(salt).update(pw).digest()
  const a = H().update(pw).update(salt)
  a.update(stretch(b, pw.length))
  for (let n = pw.length; n > 0; n >>= 1) a.update(n & 1 ? b : pw)
  let c: Buffer = a.digest()
  const dp = H()
  for (let i = 0; i < pw.length; i++) dp.update(pw)
  const p = stretch(dp.digest(), pw.length)
  const ds = H()
  for (let i = 0; i < 16 + c[0]!; i++) ds.update(salt)
  const s = stretch(ds.digest(), salt.length)
  // The rounds are most of the cost: one-shot hashes of a scratch buffer (crypto.hash) instead
  // of a Hash object per round, about 4x faster here.
  const size = c.length
  const work = Buffer.alloc(2 * size + 2 * p.length + s.length)
  for (let i = 0; i < rounds; i++) {
    let at = (i & 1 ? p : c).copy(work, 0)
    if (i % 3) at += s.copy(work, at)
    if (i % 7) at += p.copy(work, at)
    at += (i & 1 ? c : p).copy(work, at)
    c = hash(algo, work.subarray(0, at), 'buffer')
  }
  work.fill(0)
  p.fill(0)
  const head = `$${id}$${explicit ? `rounds=${rounds}$` : ''}${salt.toString('latin1')}$`
  return head + encodeGroups(c, id === '5' ? ORDER_256 : ORDER_512)
}
