// A socket's descriptor back in (or out of) blocking mode, for the program that reads it next.
import type { Socket } from 'node:net'

type Handle = { setBlocking?: (on: boolean) => number }

/**
 * Sets the blocking mode of the descriptor under a node:net socket (its file status flags, which
 * every process holding the descriptor shares). node:net makes a descriptor non-blocking; a
 * program that reads it after us (the next stage, qmail-pop3d, a TLS program) expects blocking.
 */
export const setBlocking = (sock: Socket, on: boolean): void => {
  ;(sock as unknown as { _handle: Handle | null })._handle?.setBlocking?.(on)
}
