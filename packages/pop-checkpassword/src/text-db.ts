// Colon-separated databases (/etc/passwd, /etc/shadow, /etc/group, users files): read and find records.
import { readFileSync } from 'node:fs'
import { temp } from '../../pop-lib/src/exit-codes.js'

/** Reads a database file as latin1 text; a file that cannot be read is a temporary failure (111). */
export const readDb = (file: string): string => {
  try {
    return readFileSync(file, 'latin1')
  } catch (e) {
    return temp(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
}

/** The records of a database: lines split on `:`, without blank lines and `#` comments. */
export const records = (text: string): string[][] =>
  text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/\r$/, '').split(':'))

/** The first record whose first field is name, or null; comment lines never match. */
export const findRecord = (text: string, name: string): string[] | null => {
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ':') && !line.startsWith('#'))
      return line.replace(/\r$/, '').split(':')
  }
  return null
}
