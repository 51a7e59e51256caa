// Pre-bundling's remembered facades: reused while the package's files keep their stamps, computed
// again when one changes, and a corrupt memory is no error.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { Bundler } from '../build/bundler.js'
import { createBundler } from '../build/create.js'
import { DEPS_DIR, prebundle } from './deps.js'

const root = mkdtempSync(join(tmpdir(), 'nexxo-deps-'))
const pkg = join(root, 'node_modules/cjs-pkg')
const entry = join(pkg, 'index.js')
const facadesFile = join(root, DEPS_DIR, '_facades.json')
let bundler: Bundler | undefined
after(async () => {
  await bundler?.close()
  rmSync(root, { recursive: true, force: true })
})

const facadeText = () => readFileSync(join(root, DEPS_DIR, 'cjs-pkg.js'), 'utf8')

test('facades are remembered by the stamps of the files they were read from', async () => {
  mkdirSync(pkg, { recursive: true })
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'cjs-pkg', version: '1.0.0', main: 'index.js' }))
  writeFileSync(entry, 'exports.alpha = 1\nexports.bravo = 2\n')
  // A whole second, so that setting it again later gives the very same stamp.
  const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000)
  utimesSync(entry, mtime, mtime)
  bundler = await createBundler({ backend: 'native', cache: false })
  const build = () => prebundle(bundler!, bundler!.core, root, ['cjs-pkg'])

  await build()
  assert.match(facadeText(), /export const \{ alpha, bravo \} = m/)
  const remembered = JSON.parse(readFileSync(facadesFile, 'utf8'))
  assert.deepEqual(Object.keys(remembered.facades), ['cjs-pkg'])
  assert.ok(Object.keys(remembered.facades['cjs-pkg'].inputs).includes(entry))

  // Same size and mtime, other names: the remembered facade is used, so the package was not read.
  writeFileSync(entry, 'exports.delta = 1\nexports.gamma = 2\n')
  utimesSync(entry, mtime, mtime)
  await build()
  assert.match(facadeText(), /\{ alpha, bravo \}/)

  // A real change moves the stamp: computed again, and remembered anew.
  writeFileSync(entry, 'exports.alpha = 1\nexports.charlie = 3\n')
  utimesSync(entry, new Date(mtime.getTime() + 5000), new Date(mtime.getTime() + 5000))
  const changed = await build()
  assert.match(facadeText(), /\{ alpha, charlie \}/)
  assert.match(String(changed.files.get('cjs-pkg.js')), /charlie/)

  // A torn or foreign memory is forgotten, not an error.
  for (const corrupt of ['{"version":', '{"version":"0.1.0","facades":{"cjs-pkg":{"code":1}}}', 'null']) {
    writeFileSync(facadesFile, corrupt)
    await build()
    assert.match(facadeText(), /\{ alpha, charlie \}/)
    assert.ok(JSON.parse(readFileSync(facadesFile, 'utf8')).facades['cjs-pkg'])
  }
})
