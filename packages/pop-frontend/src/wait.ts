// After a good login: a tiny waiter takes the place of the Node process for the rest of the session.
import { which } from '../../pop-lib/src/exec.js'

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never

/**
 * The waiter, in Perl (perl-base is Essential on Debian): the session's program stays this
 * process's child across execve(2), so the waiter reaps it, logs the line pop-frontend would
 * have logged, and exits with the same status (128 + n for signal n). It closes the client's
 * descriptors so that only the session holds them.
 */
const WAITER = `use Config;
close STDIN; close STDOUT;
my ($prefix, $msg) = @ARGV;
my $pid = waitpid(-1, 0);
if ($pid < 0) { print STDERR "\${prefix}warning: session ended: lost its status\\n"; exit 111 }
my $s = $?; my $sig = $s & 127; my $code = $sig ? 128 + $sig : $s >> 8;
my @names = split ' ', $Config{sig_name};
my $why = $sig ? "signal SIG$names[$sig]" : "exit $code";
print STDERR "\${prefix}info: $msg ($why)\\n";
exit $code;
`

/**
 * Replaces this process with the waiter when the runtime can (process.execve, Node >= 22.15)
 * and perl is on the PATH; returns (and the caller keeps waiting itself) otherwise. The waiter
 * logs `message (exit N)` as an info line under this program's name and pid.
 */
export const waitInPlace = (program: string, message: string, env: NodeJS.ProcessEnv): void => {
  const execve = (process as unknown as { execve?: Execve }).execve
  if (typeof execve !== 'function') return
  const perl = which('perl', env)
  if (perl === null) return
  try {
    execve.call(process, perl, ['perl', '-e', WAITER, `${program}[${process.pid}]: `, message], {
      PATH: '/usr/bin:/bin',
    })
  } catch {
    // cannot exec: stay and wait in Node
  }
}
