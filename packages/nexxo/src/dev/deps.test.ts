// Pre-bundling's memory: facades and whole pre-bundles reused while the files they were made from
// keep their stamps, made again when one changes, and a corrupt or torn memory is no error.

import assert from 'node:assert/strict'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { Bundler } from '../build/bundler.js'
import { createBundler } from '../build/create.js'
import { DEPS_DIR, FACADES_SUBDIR, prebundle } from './deps.js'

const root = mkdtempSync(join(tmpdir(), 'nexxo-deps-'))
const pkg = join(root, 'node_modules/cjs-pkg')
const entry = join(pkg, 'index.js')
const facadesFile = join(root, DEPS_DIR, '_facades.json')
let bundler: Bundler | undefined
after(async () => {
  await bundler?.close()
  rmSync(root, { recursive: true, force: true })
})

const facadeText = () => readFileSync(join(root, DEPS_DIR, FACADES_SUBDIR, 'cjs-pkg.js'), 'utf8')

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
  assert.match(readFileSync(join(changed.dir, 'cjs-pkg.js'), 'utf8'), /charlie/)

  // A torn or foreign memory is forgotten, not an error.
  for (const corrupt of ['{"version":', '{"version":"0.1.0","facades":{"cjs-pkg":{"code":1}}}', 'null']) {
    writeFileSync(facadesFile, corrupt)
    await build()
    assert.match(facadeText(), /\{ alpha, charlie \}/)
    assert.ok(JSON.parse(readFileSync(facadesFile, 'utf8')).facades['cjs-pkg'])
  }
})

test('a pre-bundle is kept as files and served again, without the engine, while what it read is unchanged', async () => {
  const lib = join(root, 'node_modules/lib-pkg')
  mkdirSync(lib, { recursive: true })
  writeFileSync(join(lib, 'package.json'), JSON.stringify({ name: 'lib-pkg', version: '1.0.0', main: 'index.js' }))
  // impl.js is read by the bundle only: the facade (named exports of index.js) does not depend on it.
  writeFileSync(join(lib, 'index.js'), "exports.value = require('./impl.js').value\n")
  writeFileSync(join(lib, 'impl.js'), "exports.value = 'first'\n")
  const first = await createBundler({ backend: 'native', cache: false })
  const made = await prebundle(first, first.core, root, ['lib-pkg'])
  assert.equal(made.cached, false)
  assert.equal(made.entries.get('lib-pkg'), '/@deps/lib-pkg.js')
  const chunk = () => readFileSync(join(made.dir, 'lib-pkg.js'), 'utf8')
  assert.match(chunk(), /["']first["']/)

  // A closed bundler cannot build: only the kept pre-bundle can answer.
  await first.close()
  const again = await prebundle(first, first.core, root, ['lib-pkg'])
  assert.equal(again.cached, true)
  assert.equal(again.dir, made.dir)
  assert.deepEqual([...again.files], [...made.files])

  // A file only the bundle read changes: bundled again.
  const second = await createBundler({ backend: 'native', cache: false })
  try {
    writeFileSync(join(lib, 'impl.js'), "exports.value = 'second'\n")
    const rebuilt = await prebundle(second, second.core, root, ['lib-pkg'])
    assert.equal(rebuilt.cached, false)
    assert.match(chunk(), /["']second["']/)

    // `reuse: false` bundles again although nothing changed.
    assert.equal((await prebundle(second, second.core, root, ['lib-pkg'], { reuse: false })).cached, false)

    // A torn or corrupt pre-bundle is bundled again, never served: a missing chunk, a foreign record.
    rmSync(join(made.dir, 'lib-pkg.js'))
    assert.equal((await prebundle(second, second.core, root, ['lib-pkg'])).cached, false)
    assert.match(chunk(), /["']second["']/)
    for (const record of ['{"version":', '{"version":"0.0.0","entries":{},"files":[],"inputs":""}', '[]']) {
      writeFileSync(join(made.dir, '_bundle.json'), record)
      assert.equal((await prebundle(second, second.core, root, ['lib-pkg'])).cached, false)
      assert.equal((await prebundle(second, second.core, root, ['lib-pkg'])).cached, true)
    }

    // A process killed while writing left its temporary directory: ignored, and removed once old.
    const depsDir = join(root, DEPS_DIR)
    const leftover = `${made.dir}.999999.tmp`
    mkdirSync(leftover)
    writeFileSync(join(leftover, 'lib-pkg.js'), 'half')
    const old = new Date(Date.now() - 120_000)
    utimesSync(leftover, old, old)
    assert.equal((await prebundle(second, second.core, root, ['lib-pkg'], { reuse: false })).cached, false)
    assert.ok(!existsSync(leftover))
    assert.match(chunk(), /["']second["']/)
    // Another set of dependencies is another pre-bundle; the one it replaces is removed.
    const both = await prebundle(second, second.core, root, ['cjs-pkg', 'lib-pkg'])
    assert.notEqual(both.dir, made.dir)
    assert.deepEqual(
      readdirSync(depsDir).filter((f) => f.startsWith('bundle-')),
      [both.dir.slice(depsDir.length + 1)],
    )
  } finally {
    await second.close()
  }
})
