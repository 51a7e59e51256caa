// Rsbuild (Rspack) production build through its JS API, with its React plugin. `cacheDir` turns on
// Rspack's persistent build cache there. Usage: node rsbuild.mjs '<job json>'
import { createRsbuild } from '@rsbuild/core'
import { pluginReact } from '@rsbuild/plugin-react'

const job = JSON.parse(process.argv[2])
const rsbuild = await createRsbuild({
  cwd: job.app,
  loadEnv: false,
  rsbuildConfig: {
    logLevel: 'silent',
    plugins: [pluginReact()],
    source: { entry: { index: `./${job.entry}` } },
    output: { distPath: { root: job.out }, sourceMap: { js: 'source-map' }, minify: true, cleanDistPath: true },
    performance: job.cacheDir ? { buildCache: { cacheDirectory: job.cacheDir } } : { buildCache: false },
    tools: { htmlPlugin: false },
  },
})
await rsbuild.build()
