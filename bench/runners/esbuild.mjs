// esbuild called directly (native binary), same entry and options.
import { join } from 'node:path'
import * as esbuild from 'esbuild'

const [app, out] = process.argv.slice(2)
await esbuild.build({
  entryPoints: [join(app, 'src/main.jsx')],
  absWorkingDir: app,
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  jsx: 'automatic',
  platform: 'browser',
  define: { 'process.env.NODE_ENV': '"production"' },
  outdir: out,
  entryNames: 'assets/[name]-[hash]',
  logLevel: 'silent',
})
