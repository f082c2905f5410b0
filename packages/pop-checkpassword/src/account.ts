// What a password source knows about one login, and the interface every source offers.

/** One account as a password source holds it. */
export interface Account {
  name: string
  /** The stored password: a crypt(3) hash or a Dovecot `{SCHEME}` string; '' when none. */
  stored: string
  uid: number
  gid: number
  home: string
  shell: string
  /** Why the account may not log in even with the right password, or null. */
  refusal: string | null
}

/** A password source: system accounts, NSS or a users file. */
export interface Source {
  /** Finds a login; null when unknown. Throws a temporary error (111) when the source cannot be read. */
  lookup: (name: string) => Account | null
  /** A stored hash of the scheme and cost this source usually holds, checked for unknown logins. */
  dummy: () => string
  /** The supplementary groups of an account (the primary gid first); null to let initgroups(3) decide. */
  groups: (account: Account) => number[] | null
}

/** A stored value every source falls back to for timing when it has no hash of its own: SHA-512 crypt, 5000 rounds. */
export const DUMMY_HASH =
  '$6$xpdXIhWmOVWlYMTu$B5Omegg6CIDsElFzdw4JuityEU9jIf7vwrkCkksXr7tN5ihegByQyCXmv0Vo30biEcoJCnaChghp9sFB122oO/'

/** Parses a decimal id field; null when it is not one. */
export const parseId = (field: string | undefined): number | null =>
  field !== undefined && /^[0-9]{1,10}$/.test(field) && Number(field) <= 0xfffffffe
    ? Number(field)
    : null
