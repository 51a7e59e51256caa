// Native nexxo on an in-memory project, in a fresh process: the first build (addon and engine load
// included) and warm rebuilds with the cache off. Prints JSON. Driven by bench/browser-bench.mjs.
// Usage: node bench/runners/files-native.mjs <rolldown|esbuild> <project.json> <warm runs>
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

const [engine, projectPath, warmRuns] = process.argv.slice(2)
const { files, entry } = JSON.parse(readFileSync(projectPath, 'utf8'))
const t0 = performance.now()
const { createBundler } = await import('../../packages/nexxo/dist/index.js')
const bundler = await createBundler({ backend: 'native', engine, cache: false })
const build = () => bundler.build({ input: entry, files, minify: true })
const first = await build()
const cold = performance.now() - t0
const warm = []
for (let i = 0; i < Number(warmRuns); i++) {
  const t = performance.now()
  await build()
  warm.push(performance.now() - t)
}
await bundler.close()
const bytes = first.outputs.reduce((n, o) => n + o.code.length, 0)
console.log(JSON.stringify({ cold, warm, bytes }))
