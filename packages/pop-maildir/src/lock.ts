// The session lock: a listening abstract Unix socket, which the kernel frees when the process dies.
import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import { readFileSync, writeFileSync, linkSync, unlinkSync, statSync } from 'node:fs'
import { legacyBinding } from '../../pop-lib/src/binding.js'
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

interface PipeHandle {
  bind: (name: string) => number
  listen: (backlog: number) => number
  close: () => void
  unref: () => void
  onconnection: ((err: number, client?: { close: () => void }) => void) | null
}
interface PipeWrap {
  Pipe: new (type: number) => PipeHandle
  constants: { SERVER: number }
}

// The listening socket as node:net makes it (the same bind call, so the same name), without
// loading node:net and, through its listen(), node:cluster: about 4 ms of start-up.
const listenBare = (name: string): LockResult | null => {
  const wrap = legacyBinding<PipeWrap>('pipe_wrap')
  if (wrap === null || typeof wrap.Pipe !== 'function') return null
  const h = new wrap.Pipe(wrap.constants.SERVER)
  const err = h.bind(name) || h.listen(1)
  if (err === 0) {
    // Nobody else knows the name; whoever connects anyway is hung up on.
    h.onconnection = (_err, client) => client?.close()
    h.unref()
    return { kind: 'locked', release: () => h.close() }
  }
  h.close()
  if (err === -constants.errno.EADDRINUSE) return { kind: 'busy' }
  throw Object.assign(new Error(`bind: ${getSystemErrorName(err)}`), {
    code: getSystemErrorName(err),
  })
}

const listenNet = (name: string): Promise<LockResult> => {
  const server = process.getBuiltinModule('node:net').createServer()
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

/**
 * Takes the exclusive lock of the Maildir in the working directory. Linux only (abstract socket
 * names); elsewhere it reports 'unsupported'. Throws on I/O errors.
 */
export const lockMaildir = async (): Promise<LockResult> => {
  if (process.platform !== 'linux') return { kind: 'unsupported' }
  const st = statSync('.')
  const name = `\0popchain-maildir/${st.dev}/${st.ino}/${token()}`
  return listenBare(name) ?? listenNet(name)
}
