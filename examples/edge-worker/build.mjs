// Builds the example with nexxo itself: one self-contained module per runtime in dist/, beside the
// three wasm files they load (as module bindings in workerd, by URL in Deno and Bun).
import { createRequire } from 'node:module'
import { buildEdgeModules } from './build-modules.mjs'

const require = createRequire(import.meta.url)
const out = await buildEdgeModules(
  new URL('.', import.meta.url).pathname,
  { 'worker.js': 'worker.ts', 'deno.js': 'deno.ts', 'bun.js': 'bun.ts' },
  {
    'nexxo_core.wasm': require.resolve('@nexxo/wasm/nexxo_core.wasm'),
    'esbuild.wasm': require.resolve('esbuild-wasm/esbuild.wasm'),
    'swc.wasm': require.resolve('@swc/wasm-web/wasm_bg.wasm'),
  },
)
console.log(`edge example -> ${out}`)
