// Operator diagnostics: one line per event on fd 2, `program[pid]: level: message`.
import { writeSync } from 'node:fs'

let program = 'popchain'

/** Sets the program name used as the prefix of every log line. */
export const setProgram = (name: string): void => {
  program = name
}

/** Makes untrusted text safe for one log line: control and 8-bit bytes become `\xNN`, at most 200. */
export const clean = (text: string | Buffer): string => {
  const s = typeof text === 'string' ? text : text.toString('latin1')
  const cut = s.length > 200 ? s.slice(0, 200) : s
  // eslint-disable-next-line no-control-regex
  const safe = cut.replace(/[\x00-\x1f\x7f-\uffff]/g, (c) => {
    const n = c.charCodeAt(0)
    return n > 0xff ? '?' : '\\x' + n.toString(16).padStart(2, '0')
  })
  return s.length > 200 ? safe + '...' : safe
}

const write = (level: string, message: string): void => {
  try {
    writeSync(2, `${program}[${process.pid}]: ${level}: ${message}\n`)
  } catch {
    // stderr gone: nobody to tell.
  }
}

/** Logs an informational event. */
export const info = (message: string): void => write('info', message)
/** Logs a warning: something an operator should look at. */
export const warn = (message: string): void => write('warning', message)
/** Logs a fatal error, just before the program exits. */
export const fatal = (message: string): void => write('fatal', message)
