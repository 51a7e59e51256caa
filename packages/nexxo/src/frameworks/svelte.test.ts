// nexxo/svelte in builds on both backends: components and runes modules compiled by Svelte 5's
// own compiler, their <style> emitted through lightningcss, the same bytes on both backends, and
// compile errors located in the .svelte file. (Rendering is the e2e tests', in Chromium.)

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { bundler, combos, installedFiles, repoProject } from '../build/test-bundlers.js'
import { hmrClient } from '../dev/test-hmr.js'
import { NexxoError } from '../errors.js'
import type { BackendName, BuildResult } from '../types.js'
import svelte from './svelte.js'

const APP: Record<string, string> = {
  'src/main.ts': "export { default as App } from './App.svelte'\nexport { counter } from './state.svelte.ts'\n",
  'src/App.svelte': `<script lang="ts">
  import { counter } from './state.svelte.ts'
  let { name = 'world' }: { name?: string } = $props()
</script>

<h1>Hello <span>{name}</span>!</h1>
<button onclick={() => counter.count++}>count is {counter.count}</button>

<style>
  h1 { color: rebeccapurple; & span { color: red } }
</style>
`,
  'src/state.svelte.ts': 'export const counter: { count: number } = $state({ count: 0 })\n',
}

const project = (files: Record<string, string>) => repoProject('svelte-unit', files)

const build = async (backend: BackendName, root: string) =>
  (await bundler(backend, 'rolldown')).build({
    input: 'src/main.ts',
    root,
    // Svelte's runtime left out: the assertions read the component's own code.
    external: ['svelte', 'svelte/internal/client', 'svelte/internal/disclose-version'],
    assetFileNames: 'assets/[name]-[hash][extname]',
    plugins: [svelte()],
  })

describe('nexxo/svelte in in-memory builds (files), every backend and engine', () => {
  // Svelte's runtime from the files map: compiled components import `svelte/internal/client`, and
  // the runtime's own modules import each other through its package.json `imports` (`#client/…`).
  const files = {
    ...APP,
    'src/main.ts':
      "import { mount } from 'svelte'\nimport App from './App.svelte'\nmount(App, { target: document.body })\n",
    ...installedFiles(['svelte', 'esm-env', 'clsx', 'devalue']),
  }
  const outputs = new Map<string, string>()
  for (const [backend, engine] of combos) {
    test(`${backend} ${engine}: a component, a runes module and the runtime bundled`, async () => {
      const r = await (await bundler(backend, engine)).build({ input: 'src/main.ts', files, plugins: [svelte()] })
      const code = String(r.outputs.find((o) => o.type === 'chunk' && o.isEntry)?.code)
      assert.doesNotMatch(code, /^import .*from\s*["']svelte/m, 'the runtime is bundled')
      assert.match(code, /count is /)
      const css = r.outputs.filter((o) => o.fileName.endsWith('.css')).map((o) => String(o.code))
      assert.match(css.join('\n'), /h1\.svelte-[\w]+/)
      const bytes = JSON.stringify(r.outputs.map((o) => [o.fileName, String(o.code)]))
      if (outputs.has(engine)) assert.equal(bytes, outputs.get(engine), 'the same bytes on both backends')
      else outputs.set(engine, bytes)
    })
  }
})

describe('nexxo/svelte in builds', () => {
  const built: Partial<Record<BackendName, BuildResult>> = {}
  const root = project(APP)
  for (const backend of ['native', 'wasm'] as const) {
    test(`${backend}: a component with props and a scoped style, a runes module in TypeScript`, async () => {
      const r = await build(backend, root)
      const js = String(r.outputs.find((o) => o.type === 'chunk' && o.isEntry)?.code)
      assert.match(js, /from "svelte\/internal\/client"/, 'client code from Svelte 5')
      assert.match(js, /\$\.state\(|\$\.proxy\(/, 'the $state rune compiled')
      assert.doesNotMatch(js, /: \{ count: number \}/, 'types stripped')
      const scope = /svelte-[\w-]+/.exec(js)?.[0]
      assert.ok(scope, js)
      const css = String(r.outputs.find((o) => o.fileName.endsWith('.css'))?.code)
      assert.match(css, new RegExp(`h1\\.${scope} \\{\\s*color: #639;`), 'scoped, and lowered by lightningcss')
      assert.match(css, new RegExp(`h1\\.${scope} span:where\\(\\.${scope}\\) \\{\\s*color: red;`), 'nesting lowered')
      built[backend] = r
    })
  }

  test('both backends give the same bytes', () => {
    assert.ok(built.native && built.wasm)
    const bytes = (r: BuildResult) => r.outputs.map((o) => [o.fileName, String(o.code)])
    assert.deepEqual(bytes(built.wasm), bytes(built.native))
  })
})

describe('nexxo/svelte bad input', () => {
  test('a compile error: located in the .svelte file, with Svelte’s code', async () => {
    const root = project({
      'src/main.ts': "export { default } from './Bad.svelte'\n",
      'src/Bad.svelte': '<script>\n  let a = $state(0)\n</script>\n\n<p>\n  {#if a}\n    yes\n</p>\n',
    })
    const error = await build('native', root).then(
      () => assert.fail('the build should fail'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof NexxoError, String(error))
    const d = error.diagnostics[0]!
    assert.equal(d.file, 'src/Bad.svelte')
    assert.equal(d.line, 8)
    assert.match(d.message, /block_unclosed|element_invalid_closing_tag/)
  })

  test("the compiler not installed: a MISSING_PACKAGE error naming 'svelte'", async () => {
    const outside = mkdtempSync(join(tmpdir(), 'nexxo-no-svelte-'))
    try {
      writeFileSync(join(outside, 'main.ts'), "export { default } from './A.svelte'\n")
      writeFileSync(join(outside, 'A.svelte'), '<p>x</p>\n')
      const plugin = svelte()
      await (plugin.configResolved as (c: unknown) => unknown)({ root: outside })
      const b = await bundler('native', 'rolldown')
      await assert.rejects(
        b.build({ input: 'main.ts', root: outside, plugins: [plugin] }),
        (e: unknown) => e instanceof NexxoError && /needs svelte\/compiler.*npm install svelte/.test(e.message),
      )
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })
})

describe('nexxo/svelte in nexxo dev', () => {
  test("components compiled with Svelte's HMR; an edit updates the component and its stylesheet", async () => {
    const { createDevServer } = await import('../dev/server.js')
    const root = project({
      'index.html': '<script type="module" src="/src/main.ts"></script>\n',
      'src/main.ts':
        "import { mount } from 'svelte'\nimport App from './App.svelte'\nmount(App, { target: document.body })\n",
      'src/App.svelte':
        '<script lang="ts">\n  import { counter } from \'./state.svelte.ts\'\n</script>\n\n<p>{counter.count}</p>\n\n<style>\n  p { color: red }\n</style>\n',
      'src/state.svelte.ts': 'export const counter: { count: number } = $state({ count: 0 })\n',
    })
    const server = await createDevServer({ root, port: 0, cache: false, plugins: [svelte()] })
    const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`)
    try {
      const app = await (await get('/src/App.svelte')).text()
      assert.match(app, /import\.meta\.hot/, "Svelte's HMR code")
      const style = /import "(\/@id\/[^"]+lang\.css[^"]*)"/.exec(app)?.[1]
      assert.ok(style, app)
      assert.match(await (await get(style)).text(), /color: red/)
      assert.match(await (await get('/src/state.svelte.ts')).text(), /\$\.(state|proxy)\(/, 'the runes module compiled')

      const hmr = await hmrClient(server.port)
      const { messages } = hmr
      try {
        writeFileSync(
          join(root, 'src/App.svelte'),
          readFileSync(join(root, 'src/App.svelte'), 'utf8').replace('red', 'blue'),
        )
        await hmr.until(() => messages.some((m) => m.type === 'update'))
        const boundaries = messages.flatMap((m) => m.updates?.map((u) => u.boundary) ?? [])
        assert.ok(boundaries.includes('/src/App.svelte'), JSON.stringify(messages))
        assert.ok(
          boundaries.some((b) => /lang\.css/.test(b)),
          JSON.stringify(messages),
        )
        assert.match(
          await (await get(style.replace(/v=\d+/, 'v=1'))).text(),
          /color: #00f/,
          'the new CSS, through lightningcss',
        )
      } finally {
        hmr.close()
      }
    } finally {
      await server.close()
    }
  })
})
