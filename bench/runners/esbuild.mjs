// esbuild through its JS API: the native binary, or esbuild-wasm for the wasm lane.
// Usage: node esbuild.mjs <native|wasm> '<job json>'
import { join } from 'node:path'

const [flavour, json] = process.argv.slice(2)
const job = JSON.parse(json)
const esbuild = await import(flavour === 'wasm' ? 'esbuild-wasm' : 'esbuild')
await esbuild.build({
  entryPoints: [join(job.app, job.entry)],
  absWorkingDir: job.app,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  splitting: true,
  jsx: 'automatic',
  platform: 'browser',
  define: { 'process.env.NODE_ENV': '"production"' },
  outdir: job.out,
  entryNames: '[name]-[hash]',
  logLevel: 'silent',
})
