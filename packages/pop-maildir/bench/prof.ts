// Times the phases of a warm session's STAT+LIST+UIDL in-process (best of 7), for tuning.
import { readdirSync } from 'node:fs'
import { Mailbox } from '../src/mailbox.js'
import { loadCache } from '../src/size-cache.js'
import { listDir } from '../src/maildir-scan.js'
import { assignUidls } from '../src/uidl.js'

process.chdir(process.argv[2]!)
const best = (name: string, f: () => unknown): void => {
  let min = Infinity
  let r: unknown
  for (let i = 0; i < 7; i++) {
    const t = performance.now()
    r = f()
    min = Math.min(min, performance.now() - t)
  }
  console.log(name.padEnd(16), min.toFixed(1), 'ms', typeof r === 'number' ? r : '')
}
best('readdir utf8', () => readdirSync('new').length + readdirSync('cur').length)
best('readdir latin1', () => listDir('new').length + listDir('cur').length)
best('readdir buffer', () => readdirSync('new', { encoding: 'buffer' }).length)
best('loadCache', () => loadCache().map.size)
best('Mailbox', () => new Mailbox('qmail', true).count)
const box = new Mailbox('qmail', true)
best('sort', () => [...box.msgs].sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).length)
best('uidls', () => assignUidls(box.msgs, 'qmail').length)
best('list text', () => {
  let s = ''
  for (let i = 0; i < box.count; i++) s += `${i + 1} ${box.msgs[i]!.wire}\r\n`
  return s.length
})
best('cold sizeAll', () => {
  const b = new Mailbox('qmail', false)
  b.sizeAll()
  return b.count
})
