// nexxo/solid in builds: Solid's JSX compiled by babel-preset-solid into DOM templates, from disk
// and from `files` on every backend and engine (the same bytes on both backends), the runtime
// bundled from the files map; a syntax error located in the component; Babel missing is named.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { bundler, combos, installedFiles, repoProject } from '../build/test-bundlers.js'
import { hmrClient } from '../dev/test-hmr.js'
import { NexxoError } from '../errors.js'
import type { BuildResult } from '../types.js'
import solid from './solid.js'

const APP: Record<string, string> = {
  'src/main.tsx': `import { render } from 'solid-js/web'
import { App } from './App'
render(() => <App name="Solid" />, document.body)
`,
  'src/App.tsx': `import { createSignal } from 'solid-js'
export function App(props: { name: string }) {
  const [count, setCount] = createSignal<number>(0)
  return <button onClick={() => setCount(count() + 1)}>{props.name} clicked {count()}</button>
}
`,
}

const entryCode = (r: BuildResult) => String(r.outputs.find((o) => o.type === 'chunk' && o.isEntry)?.code)

const project = (files: Record<string, string>) => repoProject('solid-unit', files)

describe('nexxo/solid in builds', () => {
  const files = { ...APP, ...installedFiles(['solid-js', 'seroval', 'seroval-plugins']) }
  const outputs = new Map<string, string>()
  for (const [backend, engine] of combos) {
    test(`${backend} ${engine}, from files: DOM templates, the runtime bundled`, async () => {
      const r = await (await bundler(backend, engine)).build({ input: 'src/main.tsx', files, plugins: [solid()] })
      const code = entryCode(r)
      assert.match(code, /<button>/, "babel-preset-solid's template")
      assert.doesNotMatch(code, /jsx-runtime|jsxs?\(/, 'no JSX runtime: Solid compiles JSX to DOM code')
      assert.doesNotMatch(code, /^import .*from\s*["']solid-js/m, 'the runtime is bundled')
      const bytes = JSON.stringify(r.outputs.map((o) => [o.fileName, String(o.code)]))
      if (outputs.has(engine)) assert.equal(bytes, outputs.get(engine), 'the same bytes on both backends')
      else outputs.set(engine, bytes)
    })
  }

  test('from disk: the same compiler, the project left external', async () => {
    const r = await (await bundler('native', 'rolldown')).build({
      input: 'src/main.tsx',
      root: project(APP),
      external: ['solid-js', 'solid-js/web'],
      plugins: [solid()],
    })
    const code = entryCode(r)
    assert.match(code, /from ["']solid-js\/web["']/)
    assert.match(code, /<button>/)
  })

  test('a syntax error: located in the component', async () => {
    const root = project({
      'src/main.tsx': "import { App } from './App'\nApp\n",
      'src/App.tsx': 'export const App = () => (\n  <div><span></div>\n)\n',
    })
    const error = await (await bundler('native', 'rolldown'))
      .build({ input: 'src/main.tsx', root, plugins: [solid()] })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    assert.ok(error instanceof NexxoError, String(error))
    const d = error.diagnostics[0]!
    assert.equal(d.file, 'src/App.tsx')
    assert.equal(d.line, 2)
    assert.match(d.message, /^Unterminated JSX contents\.$/)
  })

  test('Babel not installed: a MISSING_PACKAGE error naming what to install', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nexxo-solid-missing-'))
    after(() => rmSync(root, { recursive: true, force: true }))
    writeFileSync(join(root, 'main.tsx'), 'export const a = <b />\n')
    const plugin = solid()
    await (plugin.configResolved as (c: unknown) => unknown)({ root })
    await assert.rejects(
      (await bundler('native', 'rolldown')).build({ input: 'main.tsx', root, plugins: [plugin] }),
      (e: unknown) =>
        e instanceof NexxoError &&
        /nexxo\/solid needs @babel\/core.*npm install @babel\/core babel-preset-solid/.test(e.message),
    )
  })
})

describe('nexxo/solid in nexxo dev', () => {
  test('components compiled with solid-refresh; an edit is an update the component accepts', async () => {
    const { createDevServer } = await import('../dev/server.js')
    const root = project({ 'index.html': '<script type="module" src="/src/main.tsx"></script>\n', ...APP })
    const server = await createDevServer({ root, port: 0, cache: false, plugins: [solid()] })
    const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`)
    try {
      const app = await (await get('/src/App.tsx')).text()
      assert.match(app, /import\.meta\.hot/, "solid-refresh's HMR code")
      assert.match(app, /<button>/, 'compiled by babel-preset-solid')
      const hmr = await hmrClient(server.port)
      const { messages } = hmr
      try {
        writeFileSync(join(root, 'src/App.tsx'), APP['src/App.tsx']!.replace('clicked', 'pressed'))
        await hmr.until(() => messages.some((m) => m.type !== 'connected'))
        const boundaries = messages.flatMap((m) => m.updates?.map((u) => u.boundary) ?? [])
        assert.ok(boundaries.includes('/src/App.tsx'), JSON.stringify(messages))
      } finally {
        hmr.close()
      }
    } finally {
      await server.close()
    }
  })
})
