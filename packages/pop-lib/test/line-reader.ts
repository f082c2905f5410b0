// LineReader: line ends, the 255-octet limit, and exact mode leaving the rest unread.
import t from 'tap'
import { openSync, writeFileSync, readSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { LineReader } from '../src/line-reader.js'

const fileWith = (dir: string, data: string | Buffer): number => {
  const f = join(dir, 'in')
  writeFileSync(f, data)
  return openSync(f, 'r')
}

const all = async (r: LineReader): Promise<string[]> => {
  const out: string[] = []
  for (;;) {
    const l = await r.next()
    if (l.kind === 'eof') return out
    out.push(l.kind === 'long' ? '<long>' : l.data.toString('latin1'))
  }
}

for (const exact of [true, false]) {
  t.test(`${exact ? 'exact' : 'buffered'} mode`, async (t) => {
    t.test(
      'CRLF, bare LF, a lone CR kept inside a line, a last line without its end dropped',
      async (t) => {
        const fd = fileWith(t.testdir(), 'USER a\r\nPASS b c\nNO\rOP\r\n\r\npartial')
        t.same(await all(new LineReader(fd, exact)), ['USER a', 'PASS b c', 'NO\rOP', ''])
        closeSync(fd)
      },
    )
    t.test(
      'a line over 255 octets is reported once and discarded, the next one is intact',
      async (t) => {
        const fd = fileWith(
          t.testdir(),
          'A'.repeat(100000) + '\r\n' + 'B'.repeat(253) + '\r\n' + 'C'.repeat(254) + '\r\nQUIT\r\n',
        )
        t.same(await all(new LineReader(fd, exact)), ['<long>', 'B'.repeat(253), '<long>', 'QUIT'])
        closeSync(fd)
      },
    )
    t.test('NUL and 8-bit bytes pass through as bytes', async (t) => {
      const fd = fileWith(t.testdir(), Buffer.from([0x41, 0, 0xff, 0x0a]))
      const l = await new LineReader(fd, exact).next()
      t.same(l.kind === 'line' ? [...l.data] : null, [0x41, 0, 0xff])
      closeSync(fd)
    })
  })
}

t.test('exact mode never reads past the end of a line', async (t) => {
  const fd = fileWith(t.testdir(), 'USER u\r\nPASS p\r\nSTAT\r\nLIST\r\n')
  const r = new LineReader(fd, true)
  await r.next()
  await r.next()
  t.equal(r.buffered, false)
  const rest = Buffer.alloc(100)
  const n = readSync(fd, rest, 0, 100, null)
  t.equal(
    rest.subarray(0, n).toString(),
    'STAT\r\nLIST\r\n',
    'the pipelined commands are still on the descriptor',
  )
  closeSync(fd)
})
