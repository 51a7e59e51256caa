// rolldown called directly through its JS API (the native package, never the WASI one), writing to
// disk with the same options nexxo passes: the baseline for nexxo's overhead.
import { join } from 'node:path'
import { rolldown } from '../../node_modules/rolldown/dist/index.mjs'

const [app, out] = process.argv.slice(2)
const bundle = await rolldown({
  input: join(app, 'src/main.jsx'),
  cwd: app,
  platform: 'browser',
  logLevel: 'silent',
  transform: { define: { 'process.env.NODE_ENV': '"production"' } },
})
await bundle.write({
  dir: out,
  minify: true,
  entryFileNames: 'assets/[name]-[hash].js',
  chunkFileNames: 'assets/[name]-[hash].js',
})
await bundle.close()
