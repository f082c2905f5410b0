// A small tcpserver: runs a chain on each accepted TCP connection, the socket on fds 0 and 1.
import net from 'node:net'
import { setBlocking } from './blocking.js'
import { nextEnv } from './next-env.js'
import { spawn, type ChildProcess } from 'node:child_process'

/** How to serve. */
export interface LaunchOptions {
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** The program and its arguments, run anew for each connection. */
  argv: string[]
  /** Environment for the chain; the TCP variables are added to it. */
  env?: NodeJS.ProcessEnv
  /** Called with each chain's stderr text. */
  onStderr?: (text: string) => void
  /** Called when a chain exits. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null, child: ChildProcess) => void
}

/** A running listener. */
export interface Launcher {
  port: number
  host: string
  /** Stops listening and waits for the running chains to end. */
  close: () => Promise<void>
  children: Set<ChildProcess>
}

/**
 * Listens and, like tcpserver, runs argv for each connection with the socket (in blocking mode,
 * as a C program expects) on fds 0 and 1 and PROTO, TCPLOCALIP, TCPLOCALPORT, TCPREMOTEIP and
 * TCPREMOTEPORT set. The listener never reads the socket.
 */
export const launch = (opts: LaunchOptions): Promise<Launcher> => {
  const children = new Set<ChildProcess>()
  const server = net.createServer({ pauseOnConnect: true }, (sock) => {
    setBlocking(sock, true)
    const env: NodeJS.ProcessEnv = {
      ...nextEnv(opts.env ?? process.env),
      PROTO: 'TCP',
      TCPLOCALIP: sock.localAddress ?? '',
      TCPLOCALPORT: String(sock.localPort ?? ''),
      TCPREMOTEIP: (sock.remoteAddress ?? '').replace(/^::ffff:/, ''),
      TCPREMOTEPORT: String(sock.remotePort ?? ''),
    }
    const child = spawn(opts.argv[0]!, opts.argv.slice(1), {
      stdio: [sock, sock, opts.onStderr === undefined ? 'inherit' : 'pipe'],
      env,
    })
    sock.destroy()
    children.add(child)
    child.stderr?.on('data', (d: Buffer) => opts.onStderr?.(d.toString('latin1')))
    child.on('error', () => {})
    child.on('exit', (code, signal) => {
      children.delete(child)
      opts.onExit?.(code, signal, child)
    })
  })
  const host = opts.host ?? '127.0.0.1'
  return new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      const port = (server.address() as net.AddressInfo).port
      resolve({
        port,
        host,
        children,
        close: async () => {
          await new Promise<void>((r) => server.close(() => r()))
          await Promise.all(
            [...children].map(
              (c) =>
                new Promise<void>((r) =>
                  c.exitCode !== null || c.signalCode !== null ? r() : c.on('exit', () => r()),
                ),
            ),
          )
        },
      })
    })
  })
}
