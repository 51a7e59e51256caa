// One self-contained ES module per runtime, built by nexxo, in `<dir>/dist` beside the wasm files
// they load (as module bindings in workerd, by URL in Deno and Bun). Used by this example's build
// and by the bench's direct esbuild-wasm peer, which is laid out the same way.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createBundler } from 'nexxo'

/** `modules`: output name -> entry source (relative to `dir`); `wasm`: file name -> path to copy. */
export async function buildEdgeModules(dir, modules, wasm) {
  const out = join(dir, 'dist')
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const bundler = await createBundler({ cache: false })
  try {
    for (const [name, input] of Object.entries(modules)) {
      const result = await bundler.build({
        input,
        root: dir,
        splitting: false,
        external: Object.keys(wasm).map((f) => `./${f}`),
      })
      writeFileSync(join(out, name), result.outputs.find((o) => o.isEntry).code)
    }
  } finally {
    await bundler.close()
  }
  for (const [name, from] of Object.entries(wasm)) copyFileSync(from, join(out, name))
  return out
}
