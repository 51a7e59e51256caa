// The browser build worker as files a page can serve from one directory (packages/nexxo/dist/browser):
// nexxo-worker.js (the facade's worker with its dependencies; @rolldown/browser in a chunk of its
// own, fetched only on cross-origin isolated pages; Vue's and Svelte's compilers in chunks fetched by
// the first build of such a project), Babel with Solid's preset as one file of its own, rolldown's
// thread worker, and the wasm files.
// Bundled with rolldown's JS API (native): the engines load their wasm by URLs relative to their own
// code, so every file must land beside the chunk that asks for it.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { rolldown } from 'rolldown'

const require = createRequire(import.meta.url)
const root = new URL('..', import.meta.url).pathname
const out = join(root, 'packages/nexxo/dist/browser')
const rolldownBrowser = dirname(require.resolve('@rolldown/browser/package.json'))
mkdirSync(out, { recursive: true })
// Chunks of an earlier run (hashed names) would linger beside tsc's output and be shipped.
for (const name of readdirSync(out)) if (/^nexxo-.+-[\w-]{8}\.js$/.test(name)) rmSync(join(out, name))

async function bundle(input, entryFileNames) {
  const build = await rolldown({
    input,
    platform: 'browser',
    logLevel: 'warn',
    resolve: { conditionNames: ['browser', 'import', 'default'] },
  })
  try {
    // No JSDoc in the output: an example such as `new URL('./x.png', import.meta.url)` in a comment
    // would be taken for a real asset reference by the bundler of an app importing nexxo/browser.
    await build.write({
      dir: out,
      format: 'esm',
      entryFileNames,
      chunkFileNames: 'nexxo-[name]-[hash].js',
      minify: true,
      comments: { legal: true, annotation: true, jsdoc: false },
    })
  } finally {
    await build.close()
  }
}

await bundle({ 'nexxo-worker': join(out, 'worker.js') }, '[name].js')
// Babel and babel-preset-solid as one file the worker imports by URL (an asset to an app's
// bundler), with the Node built-ins Babel reaches shimmed.
{
  const shims = join(root, 'scripts/browser')
  const build = await rolldown({
    input: { 'nexxo-solid-compiler': join(shims, 'solid-compiler.mjs') },
    platform: 'browser',
    logLevel: 'warn',
    resolve: {
      conditionNames: ['browser', 'import', 'default'],
      alias: { path: require.resolve('path-browserify'), assert: join(shims, 'assert-shim.cjs') },
    },
    transform: { inject: { process: join(shims, 'process-shim.mjs') } },
  })
  try {
    await build.write({ dir: out, format: 'esm', entryFileNames: '[name].js', codeSplitting: false, minify: true })
  } finally {
    await build.close()
  }
}
// Rolldown's threads import @napi-rs/wasm-runtime by its bare name, which nothing resolves inside a worker.
await bundle({ 'wasi-worker-browser': join(rolldownBrowser, 'dist/wasi-worker-browser.mjs') }, '[name].mjs')
for (const file of [
  require.resolve('esbuild-wasm/esbuild.wasm'),
  require.resolve('@nexxo/wasm/nexxo_core.wasm'),
  join(rolldownBrowser, 'dist/rolldown-binding.wasm32-wasi.wasm'),
  // lightningcss-wasm hides it behind `exports`: found beside its main module.
  join(dirname(require.resolve('lightningcss-wasm')), 'lightningcss_node.wasm'),
]) {
  copyFileSync(file, join(out, file.slice(file.lastIndexOf('/') + 1)))
}
// swc's wasm is fetched by the worker as `swc.wasm` (its own name, wasm_bg.wasm, says nothing).
copyFileSync(require.resolve('@swc/wasm-web/wasm_bg.wasm'), join(out, 'swc.wasm'))
console.log(`browser worker -> ${out}`)
