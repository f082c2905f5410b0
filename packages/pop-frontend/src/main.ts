// pop-frontend: placeholder until its issue lands.
import { parseCommandLine } from '../../pop-lib/src/cli.js'

export const main = async (argv: string[]): Promise<number> => {
  await parseCommandLine('pop-frontend', { usage: 'pop-frontend [options] ...', options: {}, minArgs: 0 }, argv, process.env)
  return 0
}
