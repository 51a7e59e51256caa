// Vite 8 production build through its JS API, with @vitejs/plugin-react: a peer with no persistent
// build cache, so cold, unchanged and edited rebuilds cost about the same.
import react from '@vitejs/plugin-react'
import { build } from 'vite'

const [app, out] = process.argv.slice(2)
await build({
  root: app,
  configFile: false,
  logLevel: 'silent',
  plugins: [react()],
  build: { outDir: out, emptyOutDir: true, minify: true },
})
