// nexxo/vue in builds on both backends: components compiled by Vue's compiler, rendered by Vue's
// server renderer (the real runtime, from the repository's node_modules), styles through
// lightningcss; the same bytes on both backends; compiler errors located in the .vue file.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { bundler, combos, installedFiles, repoProject, run } from '../build/test-bundlers.js'
import { hmrClient } from '../dev/test-hmr.js'
import { NexxoError } from '../errors.js'
import type { BackendName, BuildResult } from '../types.js'
import vue from './vue.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-vue-test-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

const APP: Record<string, string> = {
  'src/main.ts': "export { default } from './App.vue'\n",
  'src/App.vue': `<script setup lang="ts">
import { ref } from 'vue'
import Child from './Child.vue'
const count = ref<number>(2)
const label: string = 'count'
</script>

<template>
  <h1 :class="$style.title">{{ label }} is {{ count }}</h1>
  <Child msg="from app" />
</template>

<style scoped>
h1 { color: rebeccapurple; & span { color: red } }
</style>

<style module>
.title { font-weight: 700 }
</style>
`,
  'src/Child.vue': `<script lang="ts">
export default { props: { msg: String }, data: () => ({ n: 1 }) }
</script>
<template><p class="child">{{ msg }} {{ n }}</p></template>
<style>
.child { margin: 0 }
</style>
`,
}

const project = (files: Record<string, string>) => repoProject('vue-unit', files)

const build = async (backend: BackendName, root: string, input = 'src/main.ts') =>
  (await bundler(backend, 'rolldown')).build({
    input,
    root,
    external: ['vue'],
    assetFileNames: 'assets/[name]-[hash][extname]',
    plugins: [vue()],
  })

/** The built component rendered to HTML by Vue's server renderer, in a fresh Node process. */
function render(r: BuildResult, outDir: string): string {
  const entry = r.outputs.find((o) => o.type === 'chunk' && o.isEntry)!
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'entry.mjs'), String(entry.code))
  return run(`
    import { createSSRApp } from 'vue'
    import { renderToString } from 'vue/server-renderer'
    const { default: App } = await import(${JSON.stringify(join(outDir, 'entry.mjs'))})
    console.log(await renderToString(createSSRApp(App)))
  `)
}

describe('nexxo/vue in in-memory builds (files), every backend and engine', () => {
  // The runtime comes from the files map: the compiled components import `vue`, which only the
  // scan of what the plugin compiled them to can see, install and resolve.
  const files = {
    ...APP,
    ...installedFiles(['vue', '@vue/runtime-dom', '@vue/runtime-core', '@vue/reactivity', '@vue/shared']),
  }
  const outputs = new Map<string, string>()
  for (const [backend, engine] of combos) {
    test(`${backend} ${engine}: components and the runtime bundled, styles scoped`, async () => {
      const r = await (await bundler(backend, engine)).build({ input: 'src/main.ts', files, plugins: [vue()] })
      const code = String(r.outputs.find((o) => o.type === 'chunk' && o.isEntry)?.code)
      assert.doesNotMatch(code, /^import .*from\s*["']vue["']/m, 'the runtime is bundled')
      assert.match(code, /from app/, 'the child component, reached only through compiled output')
      assert.match(code, /createElementBlock|createVNode/, "Vue's runtime")
      const css = r.outputs.filter((o) => o.fileName.endsWith('.css')).map((o) => String(o.code))
      // Scoped (esbuild leaves the nesting: lowering it is the app pipeline's, rolldown's only).
      assert.match(css.join('\n'), /\[data-v-[0-9a-f]{8}\] \{\s*color: (?:rebeccapurple|#639)/)
      const bytes = JSON.stringify(r.outputs.map((o) => [o.fileName, String(o.code)]))
      if (outputs.has(engine)) assert.equal(bytes, outputs.get(engine), 'the same bytes on both backends')
      else outputs.set(engine, bytes)
    })
  }
})

describe('nexxo/vue in builds', () => {
  const built: Partial<Record<BackendName, BuildResult>> = {}
  const root = project(APP)
  for (const backend of ['native', 'wasm'] as const) {
    test(`${backend}: <script setup lang="ts">, an options-API child, scoped and module styles`, async () => {
      const r = await build(backend, root)
      // Rendered next to the repository's node_modules, where `vue` resolves.
      const html = render(r, join(root, `out-${backend}`))
      const scope = /data-v-([0-9a-f]{8})/.exec(html)?.[1]
      assert.ok(scope, html)
      assert.match(html, new RegExp(`<h1 class="_title_[\\w-]+" data-v-${scope}>count is 2</h1>`))
      // The child's root element carries the parent's scope too, as Vue renders it.
      assert.match(html, new RegExp(`<p class="child" data-v-${scope}>from app 1</p>`))
      const css = String(r.outputs.find((o) => o.fileName.endsWith('.css'))?.code)
      assert.match(
        css,
        new RegExp(`h1\\[data-v-${scope}\\] \\{\\s*color: #639;`),
        'scoped, and lowered by lightningcss',
      )
      // Vue scopes the nested rule's last selector; lightningcss then lowers the nesting.
      assert.match(css, new RegExp(`h1 span\\[data-v-${scope}\\] \\{\\s*color: red;`), 'nesting lowered')
      assert.match(css, /\._title_[\w-]+ \{\s*font-weight: 700;/)
      assert.match(css, /\.child \{\s*margin: 0;/)
      built[backend] = r
    })
  }

  test('both backends give the same bytes', () => {
    assert.ok(built.native && built.wasm)
    const bytes = (r: BuildResult) => r.outputs.map((o) => [o.fileName, String(o.code)])
    assert.deepEqual(bytes(built.wasm), bytes(built.native))
  })

  test('cached: the compiler version is in the key; a second build is a hit', async () => {
    const root = project(APP)
    const b = await bundler('native', 'rolldown')
    const options = { input: 'src/main.ts', root, external: ['vue'], plugins: [vue()] }
    await b.build(options)
    const again = await b.build(options)
    assert.equal(again.stats.cache.hits, 1)
  })
})

describe('nexxo/vue bad input', () => {
  const fails = async (files: Record<string, string>) => {
    const root = project({ 'src/main.ts': "export { default } from './Bad.vue'\n", ...files })
    const error = await build('native', root).then(
      () => assert.fail('the build should fail'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof NexxoError, String(error))
    return error.diagnostics[0]!
  }

  test('a template error: located in the .vue file', async () => {
    const d = await fails({
      'src/Bad.vue':
        '<script setup>\nconst a = 1\n</script>\n\n<template>\n  <div>\n    <span>{{ a </span>\n  </div>\n</template>\n',
    })
    assert.equal(d.file, 'src/Bad.vue')
    assert.equal(d.line, 7)
    assert.match(d.message, /interpolation|end/i)
  })

  test('a script error: located in the .vue file', async () => {
    const d = await fails({
      'src/Bad.vue':
        '<template><p>{{ a }}</p></template>\n\n<script setup lang="ts">\nconst a: number = 1\nconst b = (\n</script>\n',
    })
    assert.equal(d.file, 'src/Bad.vue')
    assert.equal(d.line, 6)
    assert.equal(d.column, 1)
  })

  test('a style lang with no preprocessor: named', async () => {
    const d = await fails({ 'src/Bad.vue': '<template><p>x</p></template>\n<style lang="scss">\n$a: red;\n</style>\n' })
    assert.match(d.message, /lang="scss".*plain CSS only/)
  })

  test("the compiler not installed: a MISSING_PACKAGE error naming 'vue'", async () => {
    const outside = mkdtempSync(join(tmpdir(), 'nexxo-no-vue-'))
    try {
      writeFileSync(join(outside, 'main.ts'), "export { default } from './A.vue'\n")
      writeFileSync(join(outside, 'A.vue'), '<template><p>x</p></template>\n')
      const b = await bundler('native', 'rolldown')
      const plugin = vue()
      plugin.configResolved && (await (plugin.configResolved as (c: unknown) => unknown)({ root: outside }))
      await assert.rejects(
        b.build({ input: 'main.ts', root: outside, plugins: [plugin] }),
        (e: unknown) => e instanceof NexxoError && /needs vue\/compiler-sfc.*npm install vue/.test(e.message),
      )
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })
})

describe('nexxo/vue in nexxo dev', () => {
  test('a template error reaches the overlay located in the .vue file; edits update the right module', async () => {
    const { createDevServer } = await import('../dev/server.js')
    const root = project({
      'index.html': '<script type="module" src="/src/main.ts"></script>\n',
      'src/main.ts': "import App from './App.vue'\nexport default App\n",
      'src/App.vue': '<template>\n  <p class="a">hello</p>\n</template>\n\n<style>\n.a { color: red }\n</style>\n',
      'src/Bad.vue':
        '<script setup>\nconst a = 1\n</script>\n\n<template>\n  <div>\n    <span>{{ a </span>\n  </div>\n</template>\n',
    })
    const server = await createDevServer({ root, port: 0, cache: false, plugins: [vue()] })
    const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`)
    try {
      const app = await (await get('/src/App.vue')).text()
      assert.match(app, /__VUE_HMR_RUNTIME__\.createRecord/)
      assert.match(app, /function _sfc_render/, 'the template compiled apart in dev')
      const style = /import "(\/@id\/[^"]+lang\.css[^"]*)"/.exec(app)?.[1]
      assert.ok(style, app)
      assert.match(await (await get(style)).text(), /color: red/)

      assert.equal((await get('/src/Bad.vue')).status, 500)
      const hmr = await hmrClient(server.port)
      const { messages } = hmr
      const waitFor = async (ok: () => boolean) => assert.ok(await hmr.until(ok), JSON.stringify(messages))
      try {
        await waitFor(() => messages.some((m) => m.type === 'error'))
        const error = messages.find((m) => m.type === 'error')!.error!
        assert.equal(error.file, 'src/Bad.vue')
        assert.equal(error.line, 7)

        // A style edit updates the stylesheet module alone; a template edit the component.
        messages.length = 0
        writeFileSync(
          join(root, 'src/App.vue'),
          '<template>\n  <p class="a">hello</p>\n</template>\n\n<style>\n.a { color: blue }\n</style>\n',
        )
        await waitFor(() => messages.some((m) => m.type === 'update'))
        const boundaries = messages.flatMap((m) => m.updates?.map((u) => u.boundary) ?? [])
        assert.deepEqual(boundaries.length, 1, JSON.stringify(messages))
        assert.match(boundaries[0]!, /^\/@id\/.*lang\.css/)
        messages.length = 0
        writeFileSync(
          join(root, 'src/App.vue'),
          '<template>\n  <p class="a">hello again</p>\n</template>\n\n<style>\n.a { color: blue }\n</style>\n',
        )
        await waitFor(() => messages.some((m) => m.type === 'update'))
        assert.deepEqual(
          messages.flatMap((m) => m.updates?.map((u) => u.boundary) ?? []),
          ['/src/App.vue'],
        )
        assert.match(await (await get('/src/App.vue')).text(), /_rerender_only = true/)
      } finally {
        hmr.close()
      }
    } finally {
      await server.close()
    }
  })
})
