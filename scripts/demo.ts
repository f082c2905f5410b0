// npm start: a demo POP3 server on a loopback port, with a demo user and a sample Maildir.
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  rmSync,
  chownSync,
  chmodSync,
  readdirSync,
  statSync,
} from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launch } from '../packages/pop-lib/src/launch.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name: string): string => join(root, 'packages', name, 'bin', `${name}.cjs`)

const message = (n: number, from: string, subject: string, body: string): string =>
  [
    `Return-Path: <${from}>`,
    `Delivered-To: demo@localhost`,
    `Received: from mail.example.org by localhost with SMTP; Sat, 28 Nov 2026 10:0${n}:00 +0000`,
    `From: ${from}`,
    `To: demo@localhost`,
    `Subject: ${subject}`,
    `Date: Sat, 28 Nov 2026 10:0${n}:00 +0000`,
    `Message-ID: <demo-${n}@example.org>`,
    `MIME-Version: 1.0`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    body,
    ``,
  ].join('\n')

const chownTree = (path: string, uid: number, gid: number): void => {
  chownSync(path, uid, gid)
  if (statSync(path).isDirectory())
    for (const f of readdirSync(path)) chownTree(join(path, f), uid, gid)
}

const main = async (): Promise<void> => {
  const asRoot = process.getuid?.() === 0
  // As root the demo user is nobody (pop-maildir refuses root); otherwise it is you.
  const uid = asRoot ? 65534 : userInfo().uid
  const gid = asRoot ? 65534 : userInfo().gid
  const dir = mkdtempSync(join(tmpdir(), 'popchain-demo-'))
  chmodSync(dir, 0o711) // the demo user must reach its home inside
  const home = join(dir, 'home')
  const maildir = join(home, 'Maildir')
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(maildir, sub), { recursive: true })
  const msgs = [
    message(
      1,
      'alice@example.org',
      'Welcome to popchain',
      'Hello!\n\nThis message came through pop-frontend, pop-checkpassword and pop-maildir.\n\n-- \nAlice',
    ),
    message(
      2,
      'bob@example.org',
      'Lunch on Friday?',
      'Shall we try the new place on Market Street?\n.\nA line with only a dot, to show dot-stuffing.\n\nBob',
    ),
    message(3, 'noreply@example.org', 'Your weekly report', 'Messages: 3\nSize: small\n'),
  ]
  msgs.forEach((m, i) =>
    writeFileSync(join(maildir, 'new', `${1764324000 + i}.M${i}P${process.pid}.demo`), m),
  )
  const users = join(dir, 'users')
  writeFileSync(users, `demo:{PLAIN}demo:${uid}:${gid}::${home}::\n`, { mode: 0o600 })
  chownTree(home, uid, gid)

  const port = Number(process.env.POPCHAIN_DEMO_PORT ?? 1110)
  const argv = [
    bin('pop-frontend'),
    'localhost',
    bin('pop-checkpassword'),
    '--users',
    users,
    '--min-uid',
    String(Math.min(uid, 1000)),
    bin('pop-maildir'),
    'Maildir',
  ]
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  }
  const server = await launch({ host: '127.0.0.1', port, argv, env }).catch(() =>
    launch({ host: '127.0.0.1', port: 0, argv, env }),
  )
  const p = server.port
  process.stdout.write(
    [
      `popchain demo: POP3 on 127.0.0.1:${p}, user demo, password demo, ${msgs.length} messages`,
      `  chain: pop-frontend localhost pop-checkpassword --users ${users} pop-maildir Maildir`,
      `  Maildir: ${maildir}`,
      ``,
      `Try:`,
      `  curl pop3://demo:demo@127.0.0.1:${p}/1`,
      `  python3 -c "import poplib; p = poplib.POP3('127.0.0.1', ${p}); p.user('demo'); p.pass_('demo'); print(p.stat()); print(b'\\n'.join(p.retr(1)[1]).decode()); p.quit()"`,
      ``,
      `Ctrl-C stops it.`,
      ``,
    ].join('\n'),
  )
  const stop = (): void => {
    server.close().finally(() => {
      rmSync(dir, { recursive: true, force: true })
      process.exit(0)
    })
    setTimeout(() => process.exit(0), 3000).unref()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

await main()
