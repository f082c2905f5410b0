// The size cache file: written whole and atomically, read line by line, damage tolerated; a
// snapshot only from a whole, undamaged file.
import t from 'tap'
import { mkdirSync, writeFileSync, readdirSync, readFileSync } from 'node:fs'
import { loadCache, saveCache, CACHE_FILE, type ToSave } from '../src/size-cache.js'

const dir = t.testdir({})
mkdirSync(`${dir}/tmp`)
process.chdir(dir)

const two: ToSave['entries'] = [
  { sub: 'cur', name: 'A.host:2,S', mtime: 1700000000, disk: 10, wire: 12 },
  { sub: 'new', name: 'B.host', mtime: 1700000001, disk: 5, wire: -1 },
]
const STAMP = '1:2:3:4,1:5:6:7'
const snap = (entries = two, stamp = STAMP): ToSave => ({
  entries,
  stamp,
  form: 'qmail',
  list: Buffer.from('1 12\r\n'),
  uidl: Buffer.from('1 A.host\r\n2 B.host\r\n'),
})

t.test('a missing or foreign file is an empty cache', async (t) => {
  t.equal(loadCache().map.size, 0)
  writeFileSync(CACHE_FILE, 'something else\nA\t1\t2\t3\n')
  t.equal(loadCache().map.size, 0)
  t.equal(loadCache().snapshot, null)
})

t.test('what is saved is loaded, in order; nothing is left in tmp/', async (t) => {
  saveCache(snap())
  const c = loadCache()
  t.same(
    [...c.map.entries()],
    [
      [
        'A.host',
        {
          mtime: 1700000000,
          disk: 10,
          wire: 12,
          taken: false,
          sub: 'cur',
          name: 'A.host:2,S',
          base: 'A.host',
        },
      ],
      [
        'B.host',
        {
          mtime: 1700000001,
          disk: 5,
          wire: -1,
          taken: false,
          sub: 'new',
          name: 'B.host',
          base: 'B.host',
        },
      ],
    ],
  )
  t.equal(c.snapshot, null, 'no snapshot unless asked for by its stamp')
  t.equal(loadCache(CACHE_FILE, '1:2:3:4,1:5:6:8').snapshot, null, 'nor for another stamp')
  const s = loadCache(CACHE_FILE, STAMP).snapshot
  t.equal(s?.stamp, STAMP)
  t.equal(s?.form, 'qmail')
  t.same([s?.count, s?.wire, s?.fresh], [2, -1, 1], 'count, total (one size unknown), in new/')
  t.equal(s?.list?.toString(), '1 12\r\n')
  t.equal(s?.uidl?.toString(), '1 A.host\r\n2 B.host\r\n')
  t.same(
    s?.entries()?.map((k) => k.name),
    ['A.host:2,S', 'B.host'],
  )
  saveCache(snap(two.slice(0, 1)))
  t.same(
    (({ count, wire, fresh }) => [count, wire, fresh])(loadCache(CACHE_FILE, STAMP).snapshot!),
    [1, 12, 0],
  )
  t.same(readdirSync('tmp'), [])
})

t.test('no stamp, or a name that cannot be written: entries without a snapshot', async (t) => {
  saveCache(snap(two, '-'))
  t.equal(loadCache(CACHE_FILE, '-').snapshot, null)
  t.equal(loadCache().map.size, 2)
  saveCache(snap([...two, { sub: 'new', name: 'bad\tname', mtime: 1, disk: 1, wire: 1 }]))
  const c = loadCache()
  t.same([...c.map.keys()], ['A.host', 'B.host'])
  t.equal(loadCache(CACHE_FILE, STAMP).snapshot, null, 'the listing is not whole')
  t.match(readFileSync(CACHE_FILE, 'latin1'), /^popchain-sizes 2 - - 0 0 2 -1 1\n/)
})

t.test('damaged lines are skipped, good ones kept, and the snapshot dropped', async (t) => {
  saveCache(snap(two, '-'))
  const good = readFileSync(CACHE_FILE, 'latin1')
  writeFileSync(CACHE_FILE, good + 'new/C\tx\t1\t1\nnew/D\t1\t-5\t1\nnew/E\t1\t2\nnew/F\t1\t2\t3')
  t.same([...loadCache().map.keys()], ['A.host', 'B.host'])
  saveCache(snap())
  const whole = readFileSync(CACHE_FILE)
  t.same(loadCache(CACHE_FILE, STAMP).snapshot?.entries()?.length, 2)
  // A damaged line inside, a cut file, a wrong length, a foreign directory, a unique name
  // twice: no snapshot, or no messages from it.
  for (const [what, bytes] of [
    [
      'a damaged line',
      Buffer.from(whole.toString('latin1').replace('\t10\t', '\tten\t'), 'latin1'),
    ],
    ['a cut file', whole.subarray(0, whole.length - 3)],
    ['a longer tail', Buffer.concat([whole, Buffer.from('x')])],
    [
      'another directory',
      Buffer.from(whole.toString('latin1').replace('new/B', 'tmp/B'), 'latin1'),
    ],
    [
      'a duplicate',
      Buffer.from(whole.toString('latin1').replace('new/B.host', 'new/A.host'), 'latin1'),
    ],
    [
      'a wrong count',
      Buffer.from(whole.toString('latin1').replace(' 2 -1 1\n', ' 3 -1 1\n'), 'latin1'),
    ],
  ] as const) {
    writeFileSync(CACHE_FILE, bytes)
    const s = loadCache(CACHE_FILE, STAMP).snapshot
    t.equal(s === null ? null : s.entries(), null, what)
  }
})

t.test('format 1 (popchain 0.1.0) is read: entries, no snapshot', async (t) => {
  writeFileSync(CACHE_FILE, 'popchain-sizes 1\nA.host\t1700000000\t10\t12\nB.host\t1\t5\t-1\n')
  const c = loadCache()
  t.same([...c.map.keys()], ['A.host', 'B.host'])
  t.equal(c.map.get('A.host')?.wire, 12)
  t.equal(c.snapshot, null)
})
