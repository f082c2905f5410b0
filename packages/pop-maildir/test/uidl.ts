// UIDLs: qmail-pop3d's and mailfront's forms, always 1-70 printable characters, unique in the mailbox.
import t from 'tap'
import { uidlOf, validUidl, assignUidls } from '../src/uidl.js'

const VALID = /^[\x21-\x7e]{1,70}$/

t.test('qmail form: the name up to the first colon, as qmail-pop3d', async (t) => {
  t.equal(uidlOf('1700000000.M1P2.host:2,S', 'qmail'), '1700000000.M1P2.host')
  t.equal(
    uidlOf('1700000000.M1P2.host,S=120,W=123:2,', 'qmail'),
    '1700000000.M1P2.host,S=120,W=123',
  )
  t.equal(uidlOf('1700000000.M1P2.host', 'qmail'), '1700000000.M1P2.host')
})

t.test('mailfront form: no info, no size tags, at most 70 characters', async (t) => {
  t.equal(uidlOf('1700000000.M1P2.host,S=120,W=123:2,S', 'mailfront'), '1700000000.M1P2.host')
  t.equal(uidlOf('a'.repeat(90), 'mailfront'), 'a'.repeat(70))
})

t.test('ids that break the RFC rule are mapped into it, the same way every time', async (t) => {
  const long = '1700000000.M123456P1234V000000000000FD00I0000000000123456_0.' + 'h'.repeat(40)
  const a = validUidl(long)
  t.match(a, VALID)
  t.equal(a, validUidl(long))
  t.not(a, validUidl(long + 'x'))
  for (const bad of ['with space', 'caf\xe9', '', 'tab\there', 'x'.repeat(71)])
    t.match(validUidl(bad), VALID, JSON.stringify(bad))
  t.equal(validUidl('x'.repeat(70)), 'x'.repeat(70))
})

t.test(
  'two files with one unique name get different ids; the first keeps the plain one',
  async (t) => {
    const ids = assignUidls(
      [
        { sub: 'new', name: 'A.host' },
        { sub: 'cur', name: 'A.host:2,S' },
        { sub: 'cur', name: 'A.host:2,' },
        { sub: 'cur', name: 'B.host:2,' },
      ],
      'qmail',
    )
    t.equal(ids[0], 'A.host')
    t.equal(ids[3], 'B.host')
    t.equal(new Set(ids).size, 4)
    for (const id of ids) t.match(id, VALID)
    t.same(
      ids,
      assignUidls(
        [
          { sub: 'new', name: 'A.host' },
          { sub: 'cur', name: 'A.host:2,S' },
          { sub: 'cur', name: 'A.host:2,' },
          { sub: 'cur', name: 'B.host:2,' },
        ],
        'qmail',
      ),
    )
  },
)
