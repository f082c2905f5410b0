// Which login names may reach a password source at all.

/**
 * Why a login name is refused before any lookup, or null when it may be looked up. Refused: empty,
 * over 255 bytes, control bytes, `/`, `:`, `..` (path and record separators), and a leading `-` or
 * `+` (an option to getent, an NIS compat entry in /etc/passwd).
 */
export const badLoginName = (login: Buffer): string | null => {
  if (login.length === 0) return 'empty login name'
  if (login.length > 255) return 'login name too long'
  for (const b of login) if (b < 0x20 || b === 0x7f) return 'control byte in login name'
  const s = login.toString('latin1')
  if (s.includes('/') || s.includes(':') || s.includes('..')) return 'login name with /, : or ..'
  if (s.startsWith('-') || s.startsWith('+')) return 'login name starting with - or +'
  return null
}
