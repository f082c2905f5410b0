// pop-checkpassword: placeholder until its issue lands.
import { parseCommandLine } from '../../pop-lib/src/cli.js'

export const main = async (argv: string[]): Promise<number> => {
  await parseCommandLine('pop-checkpassword', { usage: 'pop-checkpassword [options] ...', options: {}, minArgs: 0 }, argv, process.env)
  return 0
}
