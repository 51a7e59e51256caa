// One in-memory project through the wasm lane, in one process: nexxo (wasm backend, its in-memory
// cache) or @rolldown/browser called directly. Prints the times of a cold build (engine load and
// wasm compile included), the same files again, and one leaf file edited, as JSON.
// Usage: node bench/runners/memory-wasm.mjs <nexxo|rolldown-browser> <modules>
import { performance } from 'node:perf_hooks'
import { generateTsProject } from '../gen-ts-project.mjs'

const [tool, size] = process.argv.slice(2)
const files = generateTsProject(Number(size))
const leaf = `src/m${Number(size) - 1}.ts`
const edited = { ...files, [leaf]: `${files[leaf]}\nconsole.log('edited')\n` }
const times = {}
const started = performance.now()

if (tool === 'nexxo') {
  const { createBundler } = await import('../../packages/nexxo/dist/index.js')
  const bundler = await createBundler({ backend: 'wasm' })
  const run = async (label, input, t0 = performance.now()) => {
    const r = await bundler.build({ input: 'src/m0.ts', files: input, minify: true })
    times[label] = performance.now() - t0
    return r
  }
  await run('cold', files, started)
  const warm = await run('unchanged', files)
  if (warm.stats.cache.hits !== 1) throw new Error('expected a cache hit')
  await run('oneEdit', edited)
  await bundler.close()
} else {
  const { rolldown } = await import('@rolldown/browser')
  const plugin = (input) => ({
    name: 'files',
    resolveId(id, importer) {
      if (!importer) return id
      return `src/${id.replace('./', '')}.ts`
    },
    load(id) {
      return input[id]
    },
  })
  const run = async (label, input, t0 = performance.now()) => {
    const bundle = await rolldown({ input: 'src/m0.ts', cwd: '/', plugins: [plugin(input)], logLevel: 'silent' })
    await bundle.generate({ minify: true })
    await bundle.close()
    times[label] = performance.now() - t0
  }
  await run('cold', files, started)
  await run('unchanged', files)
  await run('oneEdit', edited)
}
console.log(JSON.stringify(times))
