// Vite 8's dev server with @vitejs/plugin-react (Fast Refresh) on one app, as `vite` would run it:
// node bench/runners/vite-dev.mjs <app> <port>
import { join } from 'node:path'
import react from '@vitejs/plugin-react'
import { createServer } from 'vite'

const [root, port] = process.argv.slice(2)
const server = await createServer({
  root,
  // Beside the app, where the bench removes it for a cold start: left to itself, Vite puts it in the
  // node_modules of the nearest package.json, above the app.
  cacheDir: join(root, 'node_modules/.vite'),
  configFile: false,
  logLevel: 'silent',
  plugins: [react()],
  server: { port: Number(port), strictPort: true, host: 'localhost' },
})
await server.listen()
console.log(`ready http://localhost:${port}/`)
const stop = () => server.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
