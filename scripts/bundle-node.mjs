// The package's Node entries (the CLI, `nexxo`, `nexxo/edge`, `nexxo/vue`, `nexxo/svelte`,
// `nexxo/solid`) as a few files in packages/nexxo/dist/node, from tsc's output beside it. Node's ES
// module loader costs ~0.7 ms a file here and Node 20 has no compile cache, so loading ~50 of tsc's
// files took ~35 ms of every `nexxo build` against ~18 ms for these; shared chunks keep one copy of
// each module across the entries, so `NexxoError` and the plugins stay one identity whichever entry
// a config or a test imports. Dependencies stay imports.
//
// Every file lands flat in dist/node, two levels under the package as tsc's cli/main.js was, so the
// paths the code builds from `import.meta.url` still hold: `../../package.json`, and the dev
// client `./client.js`, copied here from tsc's dist/dev.
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { rolldown } from 'rolldown'

const dist = new URL('../packages/nexxo/dist', import.meta.url).pathname
const out = join(dist, 'node')
const ENTRIES = {
  cli: 'cli/main.js',
  index: 'index.js',
  edge: 'edge/index.js',
  vue: 'frameworks/vue.js',
  svelte: 'frameworks/svelte.js',
  solid: 'frameworks/solid.js',
}

/** tsc's files with their maps, so the bundle's maps lead back to src/*.ts. */
const withTscMaps = {
  name: 'tsc-maps',
  load(id) {
    if (!id.startsWith(dist) || !id.endsWith('.js')) return null
    const code = readFileSync(id, 'utf8')
    const mapFile = `${id}.map`
    return existsSync(mapFile) ? { code, map: JSON.parse(readFileSync(mapFile, 'utf8')) } : { code }
  },
}

rmSync(out, { recursive: true, force: true })
const build = await rolldown({
  input: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(dist, file)])),
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
  platform: 'neutral',
  logLevel: 'warn',
  plugins: [withTscMaps],
})
try {
  await build.write({ dir: out, format: 'esm', chunkFileNames: '[name]-[hash].js', sourcemap: true })
} finally {
  await build.close()
}
for (const file of ['client.js', 'client.js.map']) copyFileSync(join(dist, 'dev', file), join(out, file))
