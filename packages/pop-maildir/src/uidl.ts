// Unique-ids (RFC 1939 UIDL): qmail-pop3d's or mailfront's form, always valid and unique.

/** The two forms on offer. */
export type UidlForm = 'qmail' | 'mailfront'

/** RFC 1939 section 7: 1 to 70 characters in the range 0x21 to 0x7E. */
const VALID = /^[\x21-\x7e]{1,70}$/

const hash = (s: string): string =>
  // node:crypto is loaded only for a name that needs mapping: start-up stays light.
  process
    .getBuiltinModule('node:crypto')
    .createHash('sha256')
    .update(s, 'latin1')
    .digest('hex')
    .slice(0, 16)

/** qmail-pop3d: the file name up to the first `:`. */
const qmailForm = (name: string): string => {
  const colon = name.indexOf(':')
  return colon < 0 ? name : name.slice(0, colon)
}

/** mailfront: without the `:2,` info and without the `,S=` and `,W=` size tags, cut at 70. */
const mailfrontForm = (name: string): string =>
  qmailForm(name)
    .replace(/,[SW]=[0-9]*/g, '')
    .slice(0, 70)

/**
 * Maps an id that breaks the RFC rule into it, the same way every time: invalid bytes become `_`,
 * and the result is cut to 53 characters plus `~` and 16 hex digits of a hash of the original.
 */
export const validUidl = (raw: string): string => {
  if (VALID.test(raw)) return raw
  const safe = raw.replace(/[^\x21-\x7e]/g, '_')
  return `${safe.slice(0, 53)}~${hash(raw)}`
}

/** The id of a message file name in the given form. */
export const uidlOf = (name: string, form: UidlForm): string =>
  validUidl(form === 'qmail' ? qmailForm(name) : mailfrontForm(name))

/**
 * Gives every message its id, in order. When two files share an id (a copy in both new/ and cur/),
 * the first keeps it and each later one gets a mapped id made from its directory and name.
 */
export const assignUidls = (msgs: { sub: string; name: string }[], form: UidlForm): string[] => {
  const seen = new Set<string>()
  return msgs.map((m) => {
    let id = uidlOf(m.name, form)
    let salt = `${m.sub}/${m.name}`
    while (seen.has(id)) {
      id = `${id.slice(0, 53)}~${hash(salt)}`
      salt += '+'
    }
    seen.add(id)
    return id
  })
}
