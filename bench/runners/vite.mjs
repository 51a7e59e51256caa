// Vite 8 production build through its JS API, with @vitejs/plugin-react, from the case's entry.
// Vite keeps no persistent build cache. Usage: node vite.mjs '<job json>'
import { join } from 'node:path'
import react from '@vitejs/plugin-react'
import { build } from 'vite'

const job = JSON.parse(process.argv[2])
await build({
  root: job.app,
  configFile: false,
  logLevel: 'silent',
  plugins: [react()],
  build: {
    outDir: job.out,
    emptyOutDir: true,
    minify: true,
    sourcemap: true,
    rollupOptions: { input: join(job.app, job.entry) },
  },
})
