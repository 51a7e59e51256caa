// Builds the playground with Nexxo itself (`nexxo build`), then puts nexxo/browser's worker and wasm
// files beside it in dist/nexxo/, where the page's createBundler() looks for them.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const repo = fileURLToPath(new URL('..', import.meta.url))
const worker = `${repo}packages/nexxo/dist/browser`
if (!existsSync(`${worker}/nexxo-worker.js`)) {
  console.error('packages/nexxo/dist/browser/nexxo-worker.js is missing: run `npm run setup` first.')
  process.exit(1)
}
execFileSync(process.execPath, [`${repo}packages/nexxo/bin/nexxo.js`, 'build', here, '--out-dir', 'dist', '--minify'], {
  stdio: 'inherit',
})
cpSync(worker, `${here}dist/nexxo`, { recursive: true })
console.log('playground -> playground/dist (serve it: npx nexxo preview playground/dist [--isolated])')
