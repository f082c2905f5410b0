// text-db: records and findRecord give what splitting the whole file into lines gives.
import t from 'tap'
import fc from 'fast-check'
import { eachRecord, findRecord, records } from '../src/text-db.js'

// The plain definitions, as text-db.ts had them before it searched with indexOf.
const refRecords = (text: string): string[][] =>
  text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/\r$/, '').split(':'))
const refFind = (text: string, name: string): string[] | null => {
  for (const line of text.split('\n'))
    if (line.startsWith(name + ':') && !line.startsWith('#'))
      return line.replace(/\r$/, '').split(':')
  return null
}

// Texts and names over the characters that matter: separators, CR, comment marks.
const char = fc.constantFrom('a', 'b', ':', '\n', '\r', '#', 'x')
const text = fc.array(char, { maxLength: 40 }).map((a) => a.join(''))
const name = fc.array(char, { maxLength: 4 }).map((a) => a.join(''))

t.test('the same records, lazily or not', async (t) => {
  fc.assert(
    fc.property(text, (s) => {
      const want = JSON.stringify(refRecords(s))
      return JSON.stringify(records(s)) === want && JSON.stringify([...eachRecord(s)]) === want
    }),
    { numRuns: 5000 },
  )
  t.pass('fast-check found no counterexample')
})

t.test('the same record found', async (t) => {
  fc.assert(
    fc.property(
      text,
      name,
      (s, n) => JSON.stringify(findRecord(s, n)) === JSON.stringify(refFind(s, n)),
    ),
    { numRuns: 20000 },
  )
  t.pass('fast-check found no counterexample')
})

t.test('examples', async (t) => {
  const db = '# root:comment\nroot:x:0:0\r\nalice:x:1000:1000\n\nbob:y\n'
  t.same(findRecord(db, 'root'), ['root', 'x', '0', '0'])
  t.same(findRecord(db, 'bob'), ['bob', 'y'])
  t.equal(findRecord(db, 'ali'), null)
  t.equal(findRecord(db, '# root'), null)
  t.same(
    records(db).map((r) => r[0]),
    ['root', 'alice', 'bob'],
  )
})
