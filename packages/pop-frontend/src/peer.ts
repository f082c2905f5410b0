// The client's address for the log: from the launcher's environment, else from the socket itself.
import { readFileSync, readlinkSync } from 'node:fs'
import { endianness } from 'node:os'

/** Turns a /proc/net address (hex words in host byte order) into text; null when unknown. */
export const procAddress = (hex: string): string | null => {
  if (!/^[0-9A-F]{8}([0-9A-F]{24})?$/i.test(hex)) return null
  const bytes: number[] = []
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16))
    bytes.push(...(endianness() === 'LE' ? word.reverse() : word))
  }
  if (bytes.length === 4) return bytes.join('.')
  const mapped =
    bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
  if (mapped) return bytes.slice(12).join('.')
  const groups = [0, 1, 2, 3, 4, 5, 6, 7].map((g) =>
    ((bytes[2 * g]! << 8) | bytes[2 * g + 1]!).toString(16),
  )
  // RFC 5952 section 4.2: the longest run of two or more zero groups becomes `::`.
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; i++) {
    let j = i
    while (j < 8 && groups[j] === '0') j++
    if (j - i > bestLen) [best, bestLen] = [i, j - i]
  }
  if (best < 0) return groups.join(':')
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`
}

/**
 * The peer of the TCP socket on fd, found without touching the socket: the inode that
 * /proc/self/fd/N names, looked up in /proc/net/tcp and tcp6. Null when fd is no TCP socket.
 * (Node cannot getpeername(2) a raw descriptor without wrapping it in a net.Socket, which would
 * set O_NONBLOCK on the description the next stage shares.)
 */
export const socketPeer = (fd: number, proc = '/proc'): string | null => {
  let inode: string
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${proc}/self/fd/${fd}`))
    if (m === null) return null
    inode = m[1]!
  } catch {
    return null
  }
  for (const table of ['tcp', 'tcp6']) {
    let text: string
    try {
      text = readFileSync(`${proc}/net/${table}`, 'latin1')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f[9] === inode) return procAddress(f[2]?.split(':')[0] ?? '')
    }
  }
  return null
}

/** TCPREMOTEIP (tcpserver), REMOTE_ADDR (systemd), else the socket's peer (inetd), else `unknown`. */
export const remoteAddress = (env: NodeJS.ProcessEnv, fd = 0): string => {
  const given = env.TCPREMOTEIP || env.REMOTE_ADDR
  if (given !== undefined && given !== '') return given.replace(/^::ffff:(?=\d+\.)/i, '')
  return socketPeer(fd) ?? 'unknown'
}
