// Vite 8's dev server with @vitejs/plugin-react (Fast Refresh) on one app, as `vite` would run it;
// an app with a vite.config.* of its own (the Vue apps) is served with it instead:
// node bench/runners/vite-dev.mjs <app> <port>
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import react from '@vitejs/plugin-react'
import { createServer } from 'vite'

const [root, port] = process.argv.slice(2)
const server = await createServer({
  root,
  // Beside the app, where the bench removes it for a cold start: left to itself, Vite puts it in the
  // node_modules of the nearest package.json, above the app.
  cacheDir: join(root, 'node_modules/.vite'),
  ...(['vite.config.mjs', 'vite.config.js', 'vite.config.ts'].some((f) => existsSync(join(root, f)))
    ? {}
    : { configFile: false, plugins: [react()] }),
  logLevel: 'silent',
  server: { port: Number(port), strictPort: true, host: 'localhost' },
})
await server.listen()
console.log(`ready http://localhost:${port}/`)
const stop = () => server.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
