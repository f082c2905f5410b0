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

const fields = (line: string): string[] =>
  (line.endsWith('\r') ? line.slice(0, -1) : line).split(':')

/** The records of a database one at a time, so a search can stop early: lines split on `:`, without blank lines and `#` comments. */
export function* eachRecord(text: string): Generator<string[]> {
  for (let at = 0; at < text.length;) {
    const nl = text.indexOf('\n', at)
    const end = nl < 0 ? text.length : nl
    if (end > at && text[at] !== '#') yield fields(text.slice(at, end))
    at = end + 1
  }
}

/** The records of a database: lines split on `:`, without blank lines and `#` comments. */
export const records = (text: string): string[][] => [...eachRecord(text)]

/**
 * The first record whose first field is name, or null; comment lines never match. Found with
 * indexOf, without splitting the whole file into lines: a big /etc/passwd costs little more than
 * a small one.
 */
export const findRecord = (text: string, name: string): string[] | null => {
  if (name.startsWith('#') || name.includes('\n')) return null
  const key = name + ':'
  let at = 0
  if (!text.startsWith(key)) {
    const i = text.indexOf('\n' + key)
    if (i < 0) return null
    at = i + 1
  }
  const nl = text.indexOf('\n', at)
  return fields(text.slice(at, nl < 0 ? text.length : nl))
}
