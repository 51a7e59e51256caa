// Vite 8 production build through its JS API, from the case's entry. A case with a vite.config.*
// of its own (a create-vite template) is built with it, as `vite build` would, and nexxo reads the
// same file; the generated cases have none and get @vitejs/plugin-react here.
// Vite keeps no persistent build cache. Usage: node vite.mjs '<job json>'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import react from '@vitejs/plugin-react'
import { build } from 'vite'

const job = JSON.parse(process.argv[2])
const ownConfig = ['vite.config.ts', 'vite.config.js', 'vite.config.mjs'].some((f) => existsSync(join(job.app, f)))
await build({
  root: job.app,
  ...(ownConfig ? {} : { configFile: false, plugins: [react()] }),
  logLevel: 'silent',
  build: {
    outDir: job.out,
    emptyOutDir: true,
    minify: true,
    sourcemap: true,
    rollupOptions: { input: join(job.app, job.entry) },
  },
})
