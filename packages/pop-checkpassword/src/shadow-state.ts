// The state of a system account from its stored password and /etc/shadow dates (shadow(5)).

const DAY = 86400000

const num = (f: string | undefined): number | null =>
  f !== undefined && /^[0-9]+$/.test(f) ? Number(f) : null

/**
 * Why the account may not log in, or null: an empty stored password; a locked one (`!` or `*`
 * first); an account past its expiry date; a password past its maximum age plus the inactive
 * period; and, unless ignoreAging, a password its owner must change first (last change day 0, or
 * older than the maximum age), since POP3 cannot change it. The dates follow shadow-utils.
 */
export const shadowRefusal = (
  stored: string,
  fields: string[],
  now: number,
  ignoreAging: boolean,
): string | null => {
  if (stored === '') return 'empty password'
  if (stored.startsWith('!') || stored.startsWith('*')) return 'locked account'
  const today = Math.floor(now / DAY)
  const lastchg = num(fields[2])
  const max = num(fields[4])
  const inactive = num(fields[6])
  const expire = num(fields[7])
  if (expire !== null && expire > 0 && today >= expire) return 'expired account'
  if (
    lastchg !== null &&
    lastchg > 0 &&
    max !== null &&
    inactive !== null &&
    today >= lastchg + max + inactive
  )
    return 'inactive account (password expired)'
  if (ignoreAging) return null
  if (lastchg === 0) return 'password must be changed'
  if (lastchg !== null && max !== null && max < 10000 && today >= lastchg + max)
    return 'password expired'
  return null
}
