// Builds the example with nexxo itself: one self-contained module per runtime in dist/, beside the
// three wasm files they load (as module bindings in workerd, by URL in Deno and Bun).
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createBundler } from 'nexxo'

const here = new URL('.', import.meta.url).pathname
const out = join(here, 'dist')
const require = createRequire(import.meta.url)
const wasm = {
  'nexxo_core.wasm': require.resolve('@nexxo/wasm/nexxo_core.wasm'),
  'esbuild.wasm': require.resolve('esbuild-wasm/esbuild.wasm'),
  'swc.wasm': require.resolve('@swc/wasm-web/wasm_bg.wasm'),
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const bundler = await createBundler({ cache: false })
try {
  for (const entry of ['worker.ts', 'deno.ts', 'bun.ts']) {
    const result = await bundler.build({
      input: entry,
      root: here,
      splitting: false,
      external: Object.keys(wasm).map((f) => `./${f}`),
    })
    writeFileSync(join(out, entry.replace('.ts', '.js')), result.outputs.find((o) => o.isEntry).code)
  }
} finally {
  await bundler.close()
}
for (const [name, from] of Object.entries(wasm)) copyFileSync(from, join(out, name))
console.log(`edge example -> ${out}`)
