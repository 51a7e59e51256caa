// Plugins in builds, on both backends: Rollup plugins from npm unchanged, Vite's transformIndexHtml,
// filters that keep a plugin away from the modules it does not match, and the cache rule for plugins.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import jsonModule from '@rollup/plugin-json'
import yamlModule from '@rollup/plugin-yaml'
import { visualizer } from 'rollup-plugin-visualizer'
import { bundler, run } from '../build/test-bundlers.js'
import type { BackendName, BuildResult } from '../types.js'
import type { NexxoPlugin } from './types.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-plugins-test-'))
after(() => rmSync(tmp, { recursive: true, force: true }))
let n = 0
const project = (files: Record<string, string>) => {
  const dir = join(tmp, `p${n++}`)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

// Their types declare a CommonJS default export, which TypeScript's node16 resolution cannot call.
const factory = (mod: unknown) => ((mod as { default?: unknown }).default ?? mod) as () => NexxoPlugin
const json = factory(jsonModule)
const yaml = factory(yamlModule)

const entryCode = (r: BuildResult) => String(r.outputs.find((o) => o.type === 'chunk' && o.isEntry)!.code)

for (const backend of ['native', 'wasm'] as BackendName[]) {
  describe(`plugins on the ${backend} backend`, () => {
    test('@rollup/plugin-yaml and @rollup/plugin-json, unchanged', async () => {
      const root = project({
        'main.js':
          "import config from './config.yaml'\nimport { version } from './data.json'\nconsole.log(config.name, config.list.length, version)\n",
        'config.yaml': 'name: from yaml\nlist:\n  - a\n  - b\n',
        'data.json': '{ "version": "1.2.3", "unused": "x" }',
      })
      const b = await bundler(backend, 'rolldown')
      const r = await b.build({ input: 'main.js', root, plugins: [yaml(), json()] })
      assert.equal(run(entryCode(r)), 'from yaml 2 1.2.3')
    })

    test('rollup-plugin-visualizer emits its report', async () => {
      const root = project({
        'main.js': "import { a } from './a.js'\nconsole.log(a)\n",
        'a.js': 'export const a = 1\n',
      })
      const b = await bundler(backend, 'rolldown')
      const r = await b.build({
        input: 'main.js',
        root,
        plugins: [visualizer({ emitFile: true, filename: 'stats.html' }) as unknown as NexxoPlugin],
      })
      const report = r.outputs.find((o) => o.fileName === 'stats.html')
      assert.ok(report, r.outputs.map((o) => o.fileName).join(', '))
      assert.match(String(report.code), /a\.js/)
    })
  })
}

describe('plugin semantics', () => {
  test('a filter keeps the handler away from modules it does not match; transforms chain in order', async () => {
    const seen: string[] = []
    const root = project({
      'main.js': "import { a } from './a.txt.js'\nconsole.log(a, 'MAIN')\n",
      'a.txt.js': "export const a = 'A'\n",
    })
    const upper: NexxoPlugin = {
      name: 'upper',
      transform: {
        filter: { id: /\.txt\.js$/ },
        handler(code, id) {
          seen.push(id)
          return code.replace("'A'", "'B'")
        },
      },
    }
    const suffix: NexxoPlugin = {
      name: 'suffix',
      enforce: 'post',
      transform: (code, id) => (id.endsWith('a.txt.js') ? code.replace("'B'", "'B!'") : null),
    }
    const r = await (await bundler('native', 'rolldown')).build({ input: 'main.js', root, plugins: [suffix, upper] })
    assert.equal(run(entryCode(r)), 'B! MAIN')
    assert.deepEqual(
      seen.map((id) => id.slice(root.length)),
      ['/a.txt.js'],
    )
  })

  test('transformIndexHtml rewrites the page before it is built', async () => {
    const root = project({
      'index.html': '<html><head><title>%TITLE%</title></head><body></body></html>\n',
      'main.js': 'globalThis.ran = 1\n',
    })
    const page: NexxoPlugin = {
      name: 'page',
      transformIndexHtml: {
        order: 'pre',
        handler: (html) =>
          html
            .replace('%TITLE%', 'Injected')
            .replace('</body>', '<script type="module" src="/main.js"></script></body>'),
      },
    }
    const r = await (await bundler('native', 'rolldown')).build({ input: 'index.html', root, plugins: [page] })
    const html = String(r.outputs.find((o) => o.fileName === 'index.html')!.code)
    assert.match(html, /<title>Injected<\/title>/)
    assert.match(html, /<script type="module" crossorigin src="\/index\.js"><\/script><\/head>/)
  })

  test('builds with a plugin are cached only when it names a version or cacheKey', async () => {
    const root = project({ 'main.js': 'console.log(1)\n' })
    const b = await bundler('native', 'rolldown')
    const plain: NexxoPlugin = { name: 'plain', transform: () => null }
    for (let i = 0; i < 2; i++)
      assert.deepEqual((await b.build({ input: 'main.js', root, plugins: [plain] })).stats.cache, {
        hits: 0,
        misses: 0,
      })
    const keyed: NexxoPlugin = { name: 'keyed', version: '1.0.0', transform: () => null }
    assert.equal((await b.build({ input: 'main.js', root, plugins: [keyed] })).stats.cache.misses, 1)
    assert.equal((await b.build({ input: 'main.js', root, plugins: [keyed] })).stats.cache.hits, 1)
  })
})
