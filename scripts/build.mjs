// Bundles each program into packages/<name>/dist/<name>.mjs; yargs goes into a chunk loaded only when options are given.
import { build } from 'esbuild'
import { readFileSync, chmodSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const all = ['pop-frontend', 'pop-checkpassword', 'pop-maildir', 'pop-tls']
// `node scripts/build.mjs pop-maildir` builds one program; no argument builds them all.
const programs = process.argv.length > 2 ? process.argv.slice(2) : all

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const version = readFileSync(join(root, 'packages/pop-lib/src/version.ts'), 'utf8')
if (!version.includes(`'${pkg.version}'`)) {
  console.error(`build: packages/pop-lib/src/version.ts does not say ${pkg.version}`)
  process.exit(1)
}

await Promise.all(
  programs.map(async (name) => {
    const dir = join(root, 'packages', name)
    await build({
      entryPoints: { [name]: join(dir, 'src/bin.ts') },
      outdir: join(dir, 'dist'),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      chunkNames: 'lazy-[hash]',
      logLevel: 'warning',
      legalComments: 'none',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    })
    chmodSync(join(dir, 'dist', `${name}.mjs`), 0o755)
  }),
)

// The demo of `npm start`, bundled like the programs.
await build({
  entryPoints: [join(root, 'scripts/demo.ts')],
  outfile: join(root, 'dist/demo.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
})
