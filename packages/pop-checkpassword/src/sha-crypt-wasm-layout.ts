// Where the SHA crypt WebAssembly modules keep things in their memory, in bytes.

/** The digest that digest() writes for JavaScript and the rounds loop carries. */
export const C = 256
/** The last block or two of a message, padded. */
export const TAIL = 512
/** The round constants K (80 words at most). */
export const KS = 1024
/** The message schedule W (80 words at most). */
export const SCHED = 2048
/** JavaScript's inputs, from here to the end of memory. */
export const INPUT = 4096
/** The memory's size limit, in 64 KiB pages: 4 MiB. */
export const MAX_PAGES = 64
/**
 * The longest password the memory takes: SHA crypt's P digest hashes the password as many times
 * as it has bytes, in one piece here. Longer ones go to node:crypto.
 */
export const MAX_PASSWORD = Math.floor(Math.sqrt(MAX_PAGES * 65536 - INPUT))
