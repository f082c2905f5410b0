// What SHA crypt needs of a hash implementation: sha-crypt-wasm.ts's, or node:crypto's here.

/** SHA-256 (size 32) or SHA-512 (size 64) as SHA crypt uses it. */
export interface ShaEngine {
  size: 32 | 64
  /** The digest of the parts, one after another. */
  hash: (parts: readonly Uint8Array[]) => Buffer
  /** Drepper's rounds (steps 21a-21j): n digests from c, with the P sequence p and the S sequence s. */
  rounds: (c: Uint8Array, p: Uint8Array, s: Uint8Array, n: number) => Buffer
  /** Forgets every secret the engine holds. */
  wipe: () => void
}

/** The engine on node:crypto: the fallback where WebAssembly is not available. */
export const nodeSha = (size: 32 | 64): ShaEngine => {
  const { createHash, hash } = process.getBuiltinModule('node:crypto')
  const algo = size === 32 ? 'sha256' : 'sha512'
  return {
    size,
    hash: (parts) => {
      const h = createHash(algo)
      for (const p of parts) h.update(p)
      return h.digest()
    },
    // One-shot hashes of a scratch buffer (crypto.hash): about 4x faster than a Hash per round.
    rounds: (c0, p, s, n) => {
      const work = Buffer.alloc(2 * size + 2 * p.length + s.length)
      let c = Buffer.from(c0)
      let at = 0
      const put = (b: Uint8Array) => {
        work.set(b, at)
        at += b.length
      }
      for (let i = 0; i < n; i++) {
        at = 0
        put(i & 1 ? p : c)
        if (i % 3) put(s)
        if (i % 7) put(p)
        put(i & 1 ? c : p)
        c = hash(algo, work.subarray(0, at), 'buffer')
      }
      work.fill(0)
      return c
    },
    wipe: () => {},
  }
}
