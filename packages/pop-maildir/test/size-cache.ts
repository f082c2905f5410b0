// The size cache file: written whole and atomically, read line by line, damage tolerated.
import t from 'tap'
import { mkdirSync, writeFileSync, readdirSync, readFileSync } from 'node:fs'
import { loadCache, saveCache, CACHE_FILE } from '../src/size-cache.js'

const dir = t.testdir({})
mkdirSync(`${dir}/tmp`)
process.chdir(dir)

t.test('a missing or foreign file is an empty cache', async (t) => {
  t.equal(loadCache().size, 0)
  writeFileSync(CACHE_FILE, 'something else\nA\t1\t2\t3\n')
  t.equal(loadCache().size, 0)
})

t.test('what is saved is loaded; nothing is left in tmp/', async (t) => {
  saveCache([
    ['A.host', { mtime: 1700000000, disk: 10, wire: 12 }],
    ['B.host', { mtime: 1700000001, disk: 5, wire: -1 }],
    ['bad\tname', { mtime: 1, disk: 1, wire: 1 }],
  ])
  const c = loadCache()
  t.same(
    [...c.entries()],
    [
      ['A.host', { mtime: 1700000000, disk: 10, wire: 12, taken: false }],
      ['B.host', { mtime: 1700000001, disk: 5, wire: -1, taken: false }],
    ],
  )
  t.same(readdirSync('tmp'), [])
})

t.test('damaged lines are skipped, good ones kept; a cut last line is dropped', async (t) => {
  const good = readFileSync(CACHE_FILE, 'latin1')
  writeFileSync(CACHE_FILE, good + 'C\tx\t1\t1\nD\t1\t-5\t1\nE\t1\t2\nF\t1\t2\t3')
  t.same([...loadCache().keys()], ['A.host', 'B.host'])
})
