// Rsbuild's dev server (Rspack, React Refresh through its React plugin) on one of the generated apps,
// for bench/dev-bench.ts: node bench/peers/rsbuild-dev.mjs <app> <port>
// Its persistent cache goes beside the app, where the bench removes it for a cold start.
import { join } from 'node:path'
import { createRsbuild } from '@rsbuild/core'
import { pluginReact } from '@rsbuild/plugin-react'

const [app, port] = process.argv.slice(2)
const rsbuild = await createRsbuild({
  cwd: app,
  loadEnv: false,
  rsbuildConfig: {
    logLevel: 'silent',
    plugins: [pluginReact()],
    source: { entry: { index: './src/main.jsx' } },
    server: { port: Number(port), strictPort: true, host: 'localhost' },
    dev: { progressBar: false },
    performance: { buildCache: { cacheDirectory: join(app, 'node_modules/.cache/rsbuild') } },
  },
})
const { server } = await rsbuild.startDevServer()
console.log(`ready http://localhost:${port}/`)
const stop = () => server.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
