// Aliased imports in `nexxo dev`, as builds resolve them: tsconfig `paths` (from the reference that
// compiles the app, with `extends`) and the config's `resolve.alias`; neither is taken for a package.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createDevServer, type DevServer } from './server.js'

const work = mkdtempSync(join(tmpdir(), 'nexxo-dev-aliases-'))
let server: DevServer

const files: Record<string, string> = {
  'index.html': '<!doctype html><script type="module" src="/src/main.ts"></script>',
  // create-vite's shape: a solution config whose app reference holds the paths, through `extends`.
  'tsconfig.json': '{ "files": [], "references": [{ "path": "./tsconfig.app.json" }] }',
  'tsconfig.base.json': '{ "compilerOptions": { "paths": { "@/*": ["./src/*"], "#ui": ["./src/ui/index.ts"] } } }',
  'tsconfig.app.json': '{ "extends": "./tsconfig.base.json", "compilerOptions": { "jsx": "react-jsx" } }',
  'src/main.ts': [
    "import { button } from '@/ui/button'",
    "import { ui } from '#ui'",
    "import { helper } from '~lib/helper'",
    "import { deep } from '~lib'",
    "import { other } from './other'",
    'export default [button, ui, helper, deep]',
    '',
  ].join('\n'),
  'src/ui/button.ts': 'export const button: string = "button"\n',
  'src/ui/index.ts': 'export const ui = 1\n',
  'lib/helper.ts': 'export const helper = 1\n',
  'lib/index.ts': 'export const deep = 1\n',
  'src/other.ts': "export { other } from 'pkg-alias'\n",
}

before(async () => {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(work, name)), { recursive: true })
    writeFileSync(join(work, name), text)
  }
  server = await createDevServer({
    root: work,
    port: 0,
    cache: false,
    alias: { '~lib': join(work, 'lib'), 'pkg-alias': 'some-package' },
  })
})
after(async () => {
  await server?.close()
  rmSync(work, { recursive: true, force: true })
})

const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`)

describe('aliases in nexxo dev', () => {
  test('tsconfig paths (wildcard and exact) and resolve.alias (key and key/path) point at the files', async () => {
    const r = await get('/src/main.ts')
    const code = await r.text()
    assert.equal(r.status, 200, code)
    assert.match(code, /from "\/src\/ui\/button\.ts\?v=\d+"/)
    assert.match(code, /from "\/src\/ui\/index\.ts\?v=\d+"/)
    assert.match(code, /from "\/lib\/helper\.ts\?v=\d+"/)
    assert.match(code, /from "\/lib\/index\.ts\?v=\d+"/)
    assert.equal((await get('/src/ui/button.ts')).status, 200)
  })

  test('an alias to a package is a clear error where it is imported, never the wrong package', async () => {
    const r = await get('/src/other.ts')
    assert.equal(r.status, 500)
    assert.match(
      await r.text(),
      /'pkg-alias' is aliased to the package 'some-package': nexxo dev resolves aliases to files only/,
    )
  })

  test('aliased imports are not pre-bundled as packages', () => {
    assert.deepEqual(
      server.startup.deps.filter((d) => /^[@#~]/.test(d)),
      [],
    )
  })
})
