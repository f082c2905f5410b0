// The POP3 command loop shared by the stages: read a line, split the verb, dispatch, count errors.
import type { LineReader } from './line-reader.js'
import type { Out } from './out.js'

/** One parsed command line. */
export interface Command {
  /** The keyword, upper-cased (RFC 1939 section 3: keywords are case-insensitive). */
  verb: string
  /** The arguments, split on spaces. */
  args: string[]
  /** Everything after the keyword and one space, as sent (for PASS and AUTH responses). */
  rest: Buffer
}

/** What a handler says about the command it handled. */
export type Outcome = 'ok' | 'bad' | 'end'

/** Why a command loop ended. */
export type EndReason = 'quit' | 'disconnect' | 'timeout' | 'errors' | 'error'

/** How a command loop runs. */
export interface LoopOptions {
  reader: LineReader
  out: Out
  /** Milliseconds to wait for the next command before ending with 'timeout'. */
  idleMs: number
  /** Bad commands in a row that end the session with 'errors'. */
  maxBad: number
  /** Handles one command; 'end' stops the loop with 'quit'. */
  dispatch: (cmd: Command) => Promise<Outcome>
}

/** Parses a line into a command, or null when the keyword is not printable ASCII. */
export const parseCommand = (line: Buffer): Command | null => {
  const sp = line.indexOf(32)
  const verbBytes = sp < 0 ? line : line.subarray(0, sp)
  if (verbBytes.length === 0 || verbBytes.length > 40) return null
  for (const b of verbBytes) if (b < 0x21 || b > 0x7e) return null
  const rest = sp < 0 ? Buffer.alloc(0) : line.subarray(sp + 1)
  const args =
    rest.length === 0
      ? []
      : rest
          .toString('latin1')
          .split(' ')
          .filter((a) => a !== '')
  return { verb: verbBytes.toString('latin1').toUpperCase(), args, rest }
}

const never = new Promise<never>(() => {})

/** Runs commands until QUIT, end of input, idle timeout or too many errors. */
export const commandLoop = async (opts: LoopOptions): Promise<EndReason> => {
  let bad = 0
  for (;;) {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), opts.idleMs)
    })
    const line = await Promise.race([opts.reader.next(), opts.idleMs > 0 ? timeout : never])
    clearTimeout(timer)
    if (line === 'timeout') return 'timeout'
    if (line.kind === 'eof') return 'disconnect'
    let outcome: Outcome
    try {
      if (line.kind === 'long') {
        await opts.out.err('line too long')
        outcome = 'bad'
      } else {
        const cmd = parseCommand(line.data)
        if (cmd === null) {
          await opts.out.err('unknown command')
          outcome = 'bad'
        } else outcome = await opts.dispatch(cmd)
      }
    } catch {
      if (opts.out.dead) return 'disconnect'
      return 'error'
    }
    if (outcome === 'end') return 'quit'
    bad = outcome === 'bad' ? bad + 1 : 0
    if (bad >= opts.maxBad) {
      await opts.out.err('too many bad commands').catch(() => {})
      return 'errors'
    }
  }
}
