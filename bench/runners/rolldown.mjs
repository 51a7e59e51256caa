// rolldown through its JS API: the native package, or @rolldown/browser (its WASI build, in Node)
// for the wasm lane. Usage: node rolldown.mjs <native|wasm> '<job json>'
const [flavour, json] = process.argv.slice(2)
const job = JSON.parse(json)
const { rolldown } = await import(flavour === 'wasm' ? '@rolldown/browser' : 'rolldown')
const bundle = await rolldown({
  input: job.entry,
  cwd: job.app,
  platform: 'browser',
  logLevel: 'silent',
  transform: { define: { 'process.env.NODE_ENV': '"production"' } },
})
await bundle.write({ dir: job.out, minify: true, sourcemap: true, entryFileNames: '[name]-[hash].js' })
await bundle.close()
