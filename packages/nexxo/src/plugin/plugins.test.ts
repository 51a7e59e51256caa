// Plugins in builds, on both backends and both engines: Rollup plugins from npm unchanged, the module
// hooks (virtual modules, aliases, externals, this.resolve, transforms) from disk and from `files`,
// Vite's transformIndexHtml, filters that keep a plugin away from the modules it does not match, and
// the cache rule for plugins.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import jsonModule from '@rollup/plugin-json'
import yamlModule from '@rollup/plugin-yaml'
import { visualizer } from 'rollup-plugin-visualizer'
import { bundler, combos, run } from '../build/test-bundlers.js'
import type { NexxoError } from '../errors.js'
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

/** Plugins exercising each module hook; `log` records the build hooks as they run. */
function moduleHookPlugins(log: string[]): NexxoPlugin[] {
  return [
    {
      name: 'virtual',
      buildStart: () => {
        log.push('buildStart')
      },
      resolveId: (id) => (id === 'virtual:answer' ? '\0virtual:answer' : null),
      load: (id) => (id === '\0virtual:answer' ? 'export default 42' : null),
      buildEnd: () => {
        log.push('buildEnd')
      },
    },
    {
      name: 'alias',
      resolveId: {
        filter: { id: /^~\// },
        async handler(id, importer) {
          return (await this.resolve(`./${id.slice(2)}`, importer))?.id ?? null
        },
      },
    },
    { name: 'os-alias', resolveId: (id) => (id === 'os-alias' ? { id: 'node:os', external: true } : null) },
    {
      name: 'shout',
      transform: {
        filter: { id: /\.txt\.js$/ },
        handler(code) {
          this.warn('shouting')
          return code.replace("'quiet'", "'LOUD'")
        },
      },
    },
  ]
}

const hookFiles = {
  'main.js': [
    "import answer from 'virtual:answer'",
    "import { word } from '~/words.txt.js'",
    "import config from './config.yaml'",
    "import { version } from './data.json'",
    "import { EOL } from 'os-alias'",
    'console.log(answer, word, config.name, version, JSON.stringify(EOL))',
    '',
  ].join('\n'),
  'words.txt.js': "export const word = 'quiet'\n",
  'config.yaml': 'name: yaml\n',
  'data.json': '{ "version": "1.2.3" }',
}

/** A toy single-file-component compiler: `title:` and `child:` lines to a module of the card runtime. */
function cards(): NexxoPlugin {
  return {
    name: 'cards',
    version: '1.0.0',
    transform: {
      filter: { id: /\.card$/ },
      handler(code, id) {
        const lines = code.trim().split('\n')
        const out = ["import { card } from 'card-runtime'"]
        let title = ''
        let child = 'undefined'
        lines.forEach((line, i) => {
          const [key, value] = line.split(': ')
          if (key === 'title') title = JSON.stringify(value)
          else if (key === 'child') {
            out.push(`import child from ${JSON.stringify(value)}`)
            child = 'child'
          } else this.error({ message: `unknown line '${line}'`, id, loc: { line: i + 1, column: 0 } })
        })
        out.push(`export default card(${title}, ${child})`)
        return { code: out.join('\n') }
      },
    },
  }
}

describe('module hooks on every engine and backend', () => {
  const outputs = new Map<string, string>()
  for (const [backend, engine] of combos) {
    for (const source of ['disk', 'files'] as const) {
      test(`${backend} ${engine}, from ${source}: virtual module, alias through this.resolve, external, transform, yaml and json`, async () => {
        const log: string[] = []
        const plugins = [...moduleHookPlugins(log), yaml(), json()]
        const b = await bundler(backend, engine)
        const r =
          source === 'disk'
            ? await b.build({ input: 'main.js', root: project(hookFiles), plugins, minify: false })
            : await b.build({ input: 'main.js', files: hookFiles, plugins, minify: false })
        const code = entryCode(r)
        assert.match(code, /from ["']node:os["']/, 'external, as the plugin said')
        assert.equal(run(code), '42 LOUD yaml 1.2.3 "\\n"')
        assert.deepEqual(log, ['buildStart', 'buildEnd'])
        assert.ok(
          r.warnings.some((w) => w.code === 'PLUGIN_WARNING' && /shouting/.test(w.message)),
          JSON.stringify(r.warnings),
        )
        const key = `${engine}/${source}`
        if (outputs.has(key)) assert.equal(code, outputs.get(key), 'the same bytes on both backends')
        else outputs.set(key, code)
      })
    }
  }

  for (const [backend, engine] of combos) {
    test(`${backend} ${engine}, from files: a file only a plugin compiles is scanned as its output`, async () => {
      const b = await bundler(backend, engine)
      const files = {
        'main.js': "import app from './App.card'\nconsole.log(app)\n",
        'App.card': 'title: App\nchild: ./Child.card\n',
        'Child.card': 'title: Child\n',
        'node_modules/card-runtime/package.json': '{"name":"card-runtime","version":"1.0.0","exports":"./index.js"}',
        'node_modules/card-runtime/index.js':
          "export const card = (title, child) => child ? title + ' > ' + child : title\n",
      }
      const build = (more: Record<string, string> = {}) =>
        b.build({ input: 'main.js', files: { ...files, ...more }, plugins: [cards()], minify: false })
      // The runtime and Child.card are imported only by what the plugin compiled App.card to.
      const first = await build()
      assert.equal(run(entryCode(first)), 'App > Child')
      assert.equal(first.stats.cache.misses, 1)
      assert.equal((await build()).stats.cache.hits, 1)
      // An edit of a component reached only through compiled output is a new build, not a stale hit.
      const edited = await build({ 'Child.card': 'title: Edited\n' })
      assert.equal(edited.stats.cache.hits, 0)
      assert.equal(run(entryCode(edited)), 'App > Edited')

      await assert.rejects(build({ 'Child.card': 'title: Child\nchild: ./Missing.card\n' }), (e: unknown) => {
        const d = (e as NexxoError).diagnostics?.[0]
        return d?.code === 'UNRESOLVED_IMPORT' && d.file === 'Child.card' && /'\.\/Missing\.card'/.test(d.message)
      })
      await assert.rejects(build({ 'Child.card': 'title: Child\nbogus\n' }), (e: unknown) => {
        const d = (e as NexxoError).diagnostics?.[0]
        return d?.file === 'Child.card' && d.line === 2 && d.column === 1 && /bogus/.test(d.frame ?? '')
      })
    })
  }

  for (const engine of ['rolldown', 'esbuild'] as const) {
    test(`${engine}: a plugin that throws fails the build naming the plugin, the hook and the module`, async () => {
      const b = await bundler('native', engine)
      const thrower: NexxoPlugin = {
        name: 'thrower',
        transform: (_code, id) => {
          if (id.endsWith('words.txt.js')) throw new Error('no words today')
        },
      }
      await assert.rejects(
        b.build({
          input: 'main.js',
          files: { 'main.js': "import './words.txt.js'\n", 'words.txt.js': '1\n' },
          plugins: [thrower],
        }),
        (e: Error) => {
          assert.match(e.message, /thrower/)
          assert.match(e.message, /no words today/)
          assert.match(e.message, /words\.txt\.js/)
          return true
        },
      )
    })

    test(`${engine}: an id a plugin resolved and none loads is an error, not a file read`, async () => {
      const b = await bundler('native', engine)
      const dangling: NexxoPlugin = { name: 'dangling', resolveId: (id) => (id === 'virtual:x' ? '\0virtual:x' : null) }
      await assert.rejects(
        b.build({ input: 'main.js', files: { 'main.js': "import 'virtual:x'\n" }, plugins: [dangling] }),
        /virtual:x/,
      )
    })
  }

  test('esbuild: HTML entries are refused with a message naming the engine', async () => {
    const b = await bundler('native', 'esbuild')
    await assert.rejects(
      b.build({
        input: 'index.html',
        files: { 'index.html': '<script type="module" src="/m.js"></script>', 'm.js': '' },
      }),
      /HTML entries need the rolldown engine/,
    )
  })
})

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
