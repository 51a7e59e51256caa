// Builds the direct esbuild-wasm peer (bench/edge/direct-*.ts) into bench/edge/dist with nexxo,
// laid out like examples/edge-worker/dist so e2e/edge-runtimes.ts can start it the same way.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createBundler } from 'nexxo'

const here = new URL('.', import.meta.url).pathname
const out = join(here, 'dist')
const require = createRequire(import.meta.url)
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const bundler = await createBundler({ cache: false })
try {
  for (const runtime of ['worker', 'deno', 'bun']) {
    const result = await bundler.build({
      input: `direct-${runtime}.ts`,
      root: here,
      splitting: false,
      external: ['./esbuild.wasm'],
    })
    writeFileSync(join(out, `${runtime}.js`), result.outputs.find((o) => o.isEntry).code)
  }
} finally {
  await bundler.close()
}
copyFileSync(require.resolve('esbuild-wasm/esbuild.wasm'), join(out, 'esbuild.wasm'))
