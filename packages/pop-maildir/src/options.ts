// pop-maildir's command line: every option also has an environment variable.
import type { CommandSpec } from '../../pop-lib/src/cli.js'

export const SPEC: CommandSpec = {
  usage: 'pop-maildir [options] [MAILDIR]',
  minArgs: 0,
  options: {
    uidl: {
      type: 'string',
      describe:
        'UIDL form: qmail (name up to ":", as qmail-pop3d) or mailfront (as pop3front-maildir)',
      env: 'POPMAILDIR_UIDL',
      default: 'qmail',
      choices: ['qmail', 'mailfront'],
    },
    lock: {
      type: 'boolean',
      describe: 'one session per mailbox at a time',
      env: 'POPMAILDIR_LOCK',
      default: true,
    },
    timeout: {
      type: 'number',
      describe: 'seconds to wait for a command or for the client to take a reply (0: forever)',
      env: 'POPMAILDIR_TIMEOUT',
      default: 1200,
    },
    'max-bad': {
      type: 'number',
      describe: 'bad commands in a row that end the session',
      env: 'POPMAILDIR_MAXBAD',
      default: 20,
    },
    cache: {
      type: 'boolean',
      describe: 'keep message sizes in MAILDIR/popchain-sizes',
      env: 'POPMAILDIR_CACHE',
      default: true,
    },
    seen: {
      type: 'boolean',
      describe: 'at QUIT, flag retrieved messages as seen (S)',
      env: 'POPMAILDIR_SEEN',
      default: true,
    },
    io: {
      type: 'string',
      describe:
        'client I/O: auto (a socket gets TCP_NODELAY and big reads) or fd (plain reads and writes)',
      env: 'POPMAILDIR_IO',
      default: 'auto',
      choices: ['auto', 'fd'],
    },
  },
}
