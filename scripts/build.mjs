// Bundles each program into packages/<name>/dist/<name>.cjs; yargs goes into dist/yargs.mjs, loaded only when options are given.
import { build } from 'esbuild'
import { readFileSync, chmodSync, rmSync } from 'node:fs'
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

// Start-up is paid on every connection, so each program is one CommonJS file: Node starts a CJS
// entry faster than an ES module (measured: about 8 ms CPU on Node 20, 3-5 ms on Node 24; a
// built-in imported from ESM also costs a facade). Minifying and Node's compile cache bought
// nothing measurable (docs/performance.md). yargs, needed only for command-line options, stays
// out of the start-up path in its own ES module, dist/yargs.mjs, loaded by import() on demand;
// the schemes pop-checkpassword loads lazily stay lazy (evaluated on first use).
const lazyYargs = {
  name: 'lazy-yargs',
  setup(b) {
    b.onResolve({ filter: /^yargs$/ }, () => ({ path: './yargs.mjs', external: true }))
  },
}
// Modules a program loads only on demand (import() of ./<name>.js) that are big enough to cost
// start-up as part of the bundle: each becomes dist/<program>-<name>.cjs, required when first used.
// V8 still parses every function of a bundle it loads, used or not: pop-checkpassword's crypt
// schemes are 60 of its 100 KB, and without them its usage exit is about 1.5 ms CPU faster. A
// chunk must hold no state that the main bundle shares (these are pure functions): modules both
// hold are separate copies.
const lazyChunks = {
  'pop-checkpassword': ['md5-crypt', 'sha-crypt', 'bcrypt', 'des-crypt', 'yescrypt'],
  // RETR and TOP with their encoders (the SIMD one's assembler too): 25 of pop-maildir's 67 KB.
  'pop-maildir': ['retrieve'],
}
const chunkFile = (program, name) => `${program}-${name}.cjs`
// import('./<name>.js') becomes a require() of the chunk, which Node loads without its ES module
// loader (an import() of a .cjs file would start that loader: several ms on Node 20).
const requireChunks = (program) => {
  const names = lazyChunks[program] ?? []
  const pattern = new RegExp(`import\\('\\./(${names.join('|')})\\.js'\\)`, 'g')
  return {
    name: 'lazy-chunks',
    setup(b) {
      if (names.length === 0) return
      b.onResolve({ filter: /\.cjs$/ }, (a) =>
        a.kind === 'require-call' ? { path: a.path, external: true } : undefined,
      )
      b.onLoad({ filter: /\.ts$/ }, (a) => {
        const text = readFileSync(a.path, 'utf8')
        if (!pattern.test(text)) return undefined
        pattern.lastIndex = 0
        return {
          loader: 'ts',
          contents: text.replace(
            pattern,
            (_m, name) => `Promise.resolve().then(() => require('./${chunkFile(program, name)}'))`,
          ),
        }
      })
    },
  }
}
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
}

await Promise.all(
  programs.map(async (name) => {
    const dist = join(root, 'packages', name, 'dist')
    // The bin stub (bin/<name>.cjs) requires dist/<name>.cjs: no ES module loader at start-up.
    rmSync(join(dist, `${name}.mjs`), { force: true })
    await build({
      ...common,
      entryPoints: [join(root, 'packages', name, 'src/bin.ts')],
      outfile: join(dist, `${name}.cjs`),
      format: 'cjs',
      plugins: [lazyYargs, requireChunks(name)],
    })
    for (const chunk of lazyChunks[name] ?? [])
      await build({
        ...common,
        entryPoints: [join(root, 'packages', name, 'src', `${chunk}.ts`)],
        outfile: join(dist, chunkFile(name, chunk)),
        format: 'cjs',
      })
    await build({
      ...common,
      stdin: {
        contents: "export { default } from 'yargs'",
        resolveDir: root,
        sourcefile: 'yargs.mjs',
      },
      outfile: join(dist, 'yargs.mjs'),
      format: 'esm',
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    })
    chmodSync(join(dist, `${name}.cjs`), 0o755)
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
