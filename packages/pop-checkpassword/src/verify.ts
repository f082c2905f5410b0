// Decides whether the secret from fd 3 opens an account: a password, or an APOP digest.
import type { Creds } from '../../pop-lib/src/creds.js'
import { apopMatches, looksLikeApop } from './apop.js'
import { plaintextOf, verifiable, verifyStored } from './stored.js'

/**
 * True when the secret matches. An unknown account (null), or one whose stored password cannot be
 * checked (empty, `*`, an unknown scheme), is checked against the dummy hash so that it costs what
 * a wrong password costs, and fails. A locked hash (`!` first) is checked without its mark for the
 * same reason; its refusal is the caller's. A secret that looks like an
 * APOP digest is tried against the plaintext secret (apopSecret, or a {PLAIN} stored password),
 * then as an ordinary password.
 */
export const checkSecret = async (
  account: { stored: string } | null,
  dummy: () => string,
  creds: Creds,
  apopSecret: Buffer | null,
): Promise<boolean> => {
  const own = account?.stored.replace(/^[!*]+/, '') ?? ''
  const usable = account !== null && verifiable(own)
  const stored = usable ? own : dummy()
  if (looksLikeApop(creds.secret, creds.timestamp)) {
    const plain = apopSecret ?? plaintextOf(stored)
    const ok = plain !== null && apopMatches(creds.secret, creds.timestamp, plain)
    plain?.fill(0)
    if (ok && usable) return true
  }
  const ok = await verifyStored(creds.secret, stored)
  return ok && usable
}
