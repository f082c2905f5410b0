// The session lock: a listening abstract Unix socket, which the kernel frees when the process dies.
import net from 'node:net'
import { readFileSync, writeFileSync, linkSync, unlinkSync, statSync } from 'node:fs'
import { warn } from '../../pop-lib/src/log.js'

/** The file in the Maildir holding the secret part of the lock's name. */
export const TOKEN_FILE = 'popchain-lock'

/** What taking the lock gave. */
export type LockResult =
  { kind: 'locked'; release: () => void } | { kind: 'busy' } | { kind: 'unsupported' }

/**
 * The lock's name: the Maildir's device and inode (copies of a Maildir are other mailboxes) and a
 * random token kept in the Maildir, which only the user can read, so no other local user can take
 * the name first and lock the user out.
 */
const token = (): string => {
  try {
    const t = readFileSync(TOKEN_FILE, 'latin1').trim()
    if (/^[0-9a-f]{32}$/.test(t)) return t
  } catch {
    // first use: make one
  }
  const tmp = `tmp/${TOKEN_FILE}.${process.pid}.${Date.now()}`
  try {
    writeFileSync(
      tmp,
      process.getBuiltinModule('node:crypto').randomBytes(16).toString('hex') + '\n',
      { mode: 0o600 },
    )
  } catch (e) {
    // A read-only Maildir can still be read: lock it by device and inode alone.
    warn(`cannot make ${TOKEN_FILE}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
    return ''
  }
  try {
    // link(2) never replaces: of two sessions making the token at once, one wins and both read it.
    linkSync(tmp, TOKEN_FILE)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  } finally {
    unlinkSync(tmp)
  }
  const t = readFileSync(TOKEN_FILE, 'latin1').trim()
  if (!/^[0-9a-f]{32}$/.test(t)) throw new Error(`${TOKEN_FILE} is damaged`)
  return t
}

/**
 * Takes the exclusive lock of the Maildir in the working directory. Linux only (abstract socket
 * names); elsewhere it reports 'unsupported'. Throws on I/O errors.
 */
export const lockMaildir = async (): Promise<LockResult> => {
  if (process.platform !== 'linux') return { kind: 'unsupported' }
  const st = statSync('.')
  const name = `\0popchain-maildir/${st.dev}/${st.ino}/${token()}`
  const server = net.createServer()
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') resolve({ kind: 'busy' })
      else reject(e)
    })
    server.listen({ path: name, exclusive: true }, () => {
      server.unref()
      resolve({ kind: 'locked', release: () => server.close() })
    })
  })
}
