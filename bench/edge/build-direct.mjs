// Builds the direct esbuild-wasm peer (bench/edge/direct-*.ts) into bench/edge/dist with nexxo,
// laid out like examples/edge-worker/dist so e2e/edge-runtimes.ts can start it the same way.
import { createRequire } from 'node:module'
import { buildEdgeModules } from '../../examples/edge-worker/build-modules.mjs'

const require = createRequire(import.meta.url)
await buildEdgeModules(
  new URL('.', import.meta.url).pathname,
  { 'worker.js': 'direct-worker.ts', 'deno.js': 'direct-deno.ts', 'bun.js': 'direct-bun.ts' },
  { 'esbuild.wasm': require.resolve('esbuild-wasm/esbuild.wasm') },
)
