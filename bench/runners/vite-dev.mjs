// Vite 8's dev server with @vitejs/plugin-react (Fast Refresh) on one app, as `vite` would run it:
// node bench/runners/vite-dev.mjs <app> <port>
import react from '@vitejs/plugin-react'
import { createServer } from 'vite'

const [root, port] = process.argv.slice(2)
const server = await createServer({
  root,
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
