// pop-tls's command line: what it refuses before touching the connection.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { bin } from '../../pop-lib/test/fixtures/harness.js'
import { testEnv } from './fixtures/tls.js'

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin('pop-tls'), ...args], {
    env: testEnv(env),
    encoding: 'latin1',
    stdio: ['ignore', 'pipe', 'pipe'],
  })

t.test('usage errors exit 2 with one line', async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /usage: pop-tls /],
    [['cat'], /no certificate/],
    [['--cert', '/c.pem', 'cat'], /--cert and --key go together/],
    [['--key', '/k.pem', 'cat'], /--cert and --key go together/],
    [['--cert', '/c', '--key', '/k', '--timeout', '0', 'cat'], /--timeout must be positive/],
    [['--bogus', 'cat'], /bogus/i],
  ]
  for (const [args, re] of cases) {
    const r = run(args)
    t.equal(r.status, 2, args.join(' '))
    t.match(r.stderr, re)
  }
})

t.test('the environment gives the certificate, as for s6-tlsd and sslserver', async (t) => {
  const r = run(['cat'], { CERTFILE: '/c.pem' })
  t.equal(r.status, 2)
  t.match(r.stderr, /--cert and --key go together/, 'CERTFILE was read')
})

t.test('--help and --version exit 0', async (t) => {
  const h = run(['--help'])
  t.equal(h.status, 0)
  t.match(h.stdout, /--starttls/)
  t.match(h.stdout, /CERTFILE/)
  t.equal(run(['--version']).status, 0)
})
