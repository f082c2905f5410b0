// npm start: the demo starts, prints a curl line, and that line returns message 1.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT, needTool, chainEnv } from '../packages/pop-lib/test/fixtures/harness.js'

t.test('the demo serves message 1 to the curl line it prints', async (t) => {
  const curl = needTool(t, 'curl')
  if (curl === null) return
  const demo = spawn(process.execPath, [join(ROOT, 'dist/demo.mjs')], {
    env: chainEnv({ POPCHAIN_DEMO_PORT: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  demo.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no curl line; stdout ${out} stderr ${err}`)),
      60000,
    )
    demo.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /^\s*(curl pop3:\/\/\S+)$/m.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
  })
  t.match(out, /python3 -c "import poplib/, 'a poplib one-liner too')
  const url = line.split(' ')[1]!
  const r = spawnSync(curl, ['-s', '--max-time', '90', url], { encoding: 'latin1' })
  t.equal(r.status, 0, `curl exit status; stderr: ${r.stderr}`)
  t.match(r.stdout, /^Subject: Welcome to popchain\r?$/m, 'message 1 came back')
  t.match(r.stdout, /through pop-frontend, pop-checkpassword and pop-maildir/)
  const py = spawnSync('python3', ['-c', /python3 -c "(.*)"$/m.exec(out)![1]!], {
    encoding: 'latin1',
    timeout: 90000,
  })
  t.equal(py.status, 0, `poplib one-liner exit status; stderr: ${py.stderr}`)
  t.match(py.stdout, /Welcome to popchain/)
  demo.kill('SIGINT')
  const code = await new Promise<number | null>((r) => demo.on('exit', (c) => r(c)))
  t.equal(code, 0, 'Ctrl-C stops it cleanly')
})
