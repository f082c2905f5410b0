// pop-checkpassword's command line: every option also comes from an environment variable, for inetd lines.
import type { CommandSpec } from '../../pop-lib/src/cli.js'

export const SPEC: CommandSpec = {
  usage: 'pop-checkpassword [options] PROG [ARGS...]',
  minArgs: 1,
  options: {
    users: {
      type: 'string',
      env: 'POPCHECKPW_USERS',
      describe:
        'check logins against this users file (Dovecot passwd-file format) instead of the system accounts',
    },
    nss: {
      type: 'boolean',
      env: 'POPCHECKPW_NSS',
      default: false,
      describe: 'look system accounts up through NSS with getent(1) (LDAP, sssd, extrausers)',
    },
    passwd: {
      type: 'string',
      env: 'POPCHECKPW_PASSWD',
      default: '/etc/passwd',
      describe: 'the passwd file',
    },
    shadow: {
      type: 'string',
      env: 'POPCHECKPW_SHADOW',
      default: '/etc/shadow',
      describe: 'the shadow file',
    },
    group: {
      type: 'string',
      env: 'POPCHECKPW_GROUP',
      default: '/etc/group',
      describe: 'the group file',
    },
    'apop-secrets': {
      type: 'string',
      env: 'POPCHECKPW_APOP_SECRETS',
      describe: 'a file of user:{PLAIN}secret lines for APOP',
    },
    'min-uid': {
      type: 'number',
      env: 'POPCHECKPW_MIN_UID',
      default: 1000,
      describe: 'refuse accounts with a lower uid (uid 0 is always refused)',
    },
    shells: {
      type: 'string',
      env: 'POPCHECKPW_SHELLS',
      describe: 'refuse accounts whose shell is not listed in this file (e.g. /etc/shells)',
    },
    'primary-group-only': {
      type: 'boolean',
      env: 'POPCHECKPW_PRIMARY_GROUP_ONLY',
      default: false,
      describe: 'set the supplementary groups to the primary gid only',
    },
    'ignore-aging': {
      type: 'boolean',
      env: 'POPCHECKPW_IGNORE_AGING',
      default: false,
      describe: 'accept passwords past their maximum age (expired accounts stay refused)',
    },
    'dummy-hash': {
      type: 'string',
      env: 'POPCHECKPW_DUMMY_HASH',
      describe: 'the hash checked for unknown logins (default: the first in the source)',
    },
    'state-dir': {
      type: 'string',
      env: 'POPCHECKPW_STATE_DIR',
      describe: 'count failed logins here, delay and lock out (off when not given)',
    },
    'fail-delay': {
      type: 'number',
      env: 'POPCHECKPW_FAIL_DELAY',
      default: 1000,
      describe:
        'ms to wait after a first failure, doubling with each further one (with --state-dir)',
    },
    'max-delay': {
      type: 'number',
      env: 'POPCHECKPW_MAX_DELAY',
      default: 15000,
      describe: 'the longest delay after a failure, in ms',
    },
    'max-user-failures': {
      type: 'number',
      env: 'POPCHECKPW_MAX_USER_FAILURES',
      default: 10,
      describe: 'failures of one login within the window that lock it out',
    },
    'max-ip-failures': {
      type: 'number',
      env: 'POPCHECKPW_MAX_IP_FAILURES',
      default: 50,
      describe: 'failures from one address within the window that lock it out',
    },
    'failure-window': {
      type: 'number',
      env: 'POPCHECKPW_FAILURE_WINDOW',
      default: 900,
      describe: 'seconds a failure counts for',
    },
  },
}
