// The whole-build cache through createBundler: hits only when nothing that matters changed, and a
// damaged or unavailable cache never costs correctness.

import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import 'fake-indexeddb/auto'
import { loadNativeCoreOnce } from '../build/backend.js'
import { createBundler } from '../build/create.js'
import { DEFAULT_CACHE_DIR } from '../build/disk.js'
import type { BuildOptions, BuildResult } from '../types.js'
import { USAGE_PREFIX } from './bounded.js'
import { type ByteSource, decodeBuild, encodeBuild } from './build-cache.js'
import { IdbStore } from './indexeddb.js'
import { KEY_PREFIX } from './integrity.js'
import { MemoryStore } from './memory.js'
import { RocksStore } from './rocksdb.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-build-cache-'))
after(() => rmSync(tmp, { recursive: true, force: true }))
let projects = 0

function project(): string {
  const root = join(tmp, `p${projects++}`)
  mkdirSync(join(root, 'src'), { recursive: true })
  writeFileSync(join(root, 'src/main.js'), "import { util } from './util'\nconsole.log(util())")
  writeFileSync(join(root, 'src/util.js'), "export const util = () => 'from util.js'")
  return root
}

/** One build with a fresh bundler (as a new `nexxo build` process would). */
async function build(options: Omit<BuildOptions, 'input'>, cache: 'auto' | false = 'auto'): Promise<BuildResult> {
  const bundler = await createBundler({ backend: 'native', cache })
  try {
    return await bundler.build({ input: 'src/main.js', ...options })
  } finally {
    await bundler.close()
  }
}

const code = (r: BuildResult) => String(r.outputs[0]!.code)

describe('whole-build cache on disk', () => {
  test('miss, then hit with identical outputs; an edit misses and shows up', async () => {
    const root = project()
    const cold = await build({ root })
    assert.deepEqual(cold.stats.cache, { hits: 0, misses: 1 })
    assert.ok(existsSync(join(root, DEFAULT_CACHE_DIR)))
    const warm = await build({ root })
    assert.deepEqual(warm.stats.cache, { hits: 1, misses: 0 })
    assert.deepEqual(warm.outputs, cold.outputs)
    assert.equal(warm.stats.modules, cold.stats.modules)
    writeFileSync(join(root, 'src/util.js'), "export const util = () => 'edited'")
    const edited = await build({ root })
    assert.deepEqual(edited.stats.cache, { hits: 0, misses: 1 })
    assert.match(code(edited), /edited/)
  })

  test('a touched file with the same content still hits', async () => {
    const root = project()
    await build({ root })
    const later = new Date(Date.now() + 60_000)
    utimesSync(join(root, 'src/util.js'), later, later)
    assert.deepEqual((await build({ root })).stats.cache, { hits: 1, misses: 0 })
  })

  test('a new file that changes how an import resolves misses, and matches an uncached build', async () => {
    const root = project()
    await build({ root })
    mkdirSync(join(root, 'src/util'))
    writeFileSync(join(root, 'src/util.ts'), "export const util = (): string => 'from util.ts'")
    const after = await build({ root })
    assert.deepEqual(after.stats.cache, { hits: 0, misses: 1 })
    assert.equal(code(after), code(await build({ root }, false)))
  })

  test("resolution inputs: a package's package.json or the lockfile changing misses, though no module file did", async () => {
    const root = project()
    const dep = join(root, 'node_modules/dep')
    mkdirSync(dep, { recursive: true })
    writeFileSync(join(dep, 'a.js'), "export default 'from a'")
    writeFileSync(join(dep, 'b.js'), "export default 'from b'")
    writeFileSync(join(dep, 'package.json'), JSON.stringify({ name: 'dep', exports: './a.js' }))
    writeFileSync(join(root, 'src/main.js'), "import dep from 'dep'\nconsole.log(dep)")
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}')
    assert.match(code(await build({ root })), /from a/)
    assert.equal((await build({ root })).stats.cache.hits, 1)
    // b.js was there all along and a.js is untouched: only the package's `exports` moved.
    writeFileSync(join(dep, 'package.json'), JSON.stringify({ name: 'dep', exports: './b.js' }))
    const moved = await build({ root })
    assert.equal(moved.stats.cache.misses, 1)
    assert.match(code(moved), /from b/)
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}')
    assert.equal((await build({ root })).stats.cache.misses, 1, 'a new lockfile misses')
    assert.equal((await build({ root })).stats.cache.hits, 1)
  })

  test('stamps come from the pre-build check: a file edited while the engine runs misses next time', async () => {
    const root = project()
    const core = loadNativeCoreOnce()
    const { stamps } = await core.checkProject(root, ['src/main.js'], { stamp: true })
    // The edit lands after the check read the file, as if while the engine was running.
    writeFileSync(join(root, 'src/util.js'), "export const util = () => 'edited mid-build'")
    const read = [join(root, 'src/main.js'), join(root, 'src/util.js')]
    assert.equal(await core.inputsUnchanged(await core.stampInputs(read, stamps)), false)
    // Stamped only after the build, the edit would pass for what the engine read.
    assert.equal(await core.inputsUnchanged(await core.stampInputs(read)), true)
    // Files outside the check's walk (node_modules) are stamped after the build.
    mkdirSync(join(root, 'node_modules/dep'), { recursive: true })
    writeFileSync(join(root, 'node_modules/dep/index.js'), 'export default 1')
    const record = await core.stampInputs([...read, join(root, 'node_modules/dep/index.js')], stamps)
    writeFileSync(join(root, 'src/util.js'), "export const util = () => 'from util.js'")
    writeFileSync(join(root, 'node_modules/dep/index.js'), 'export default 2')
    assert.equal(await core.inputsUnchanged(record), false)
    writeFileSync(join(root, 'node_modules/dep/index.js'), 'export default 1')
    assert.equal(await core.inputsUnchanged(record), true)
  })

  test('options and engines key separately', async () => {
    const root = project()
    await build({ root })
    assert.deepEqual((await build({ root, minify: true })).stats.cache, { hits: 0, misses: 1 })
    const esbuild = await createBundler({ backend: 'native', engine: 'esbuild' })
    assert.deepEqual((await esbuild.build({ input: 'src/main.js', root })).stats.cache, { hits: 0, misses: 1 })
    await esbuild.close()
  })

  test('a damaged entry is a miss; the build is still right and the entry is rewritten', async () => {
    const root = project()
    const cold = await build({ root })
    const store = await RocksStore.open(join(root, DEFAULT_CACHE_DIR))
    for await (const key of store.keys()) {
      const value = Uint8Array.from((await store.get(key))!)
      value[value.length >> 1]! ^= 0x5a
      await store.put(key, value)
    }
    await store.close()
    const rebuilt = await build({ root })
    assert.deepEqual(rebuilt.stats.cache, { hits: 0, misses: 1 })
    assert.equal(code(rebuilt), code(cold))
    assert.deepEqual((await build({ root })).stats.cache, { hits: 1, misses: 0 })
  })

  test('a cache held by another process: the build goes on uncached with one warning', async () => {
    const root = project()
    const holder = await RocksStore.open(join(root, DEFAULT_CACHE_DIR))
    try {
      const bundler = await createBundler({ backend: 'native' })
      const first = await bundler.build({ input: 'src/main.js', root })
      assert.deepEqual(first.stats.cache, { hits: 0, misses: 0 })
      assert.deepEqual(
        first.warnings.map((w) => w.code),
        ['CACHE_UNAVAILABLE'],
      )
      assert.match(first.warnings[0]!.message, /in use by another process/)
      const second = await bundler.build({ input: 'src/main.js', root })
      assert.deepEqual(second.warnings, [], 'said once')
      assert.match(code(second), /from util\.js/)
      await bundler.close()
    } finally {
      await holder.close()
    }
  })

  test('cache: false writes nothing', async () => {
    const root = project()
    const r = await build({ root }, false)
    assert.deepEqual(r.stats.cache, { hits: 0, misses: 0 })
    assert.ok(!existsSync(join(root, DEFAULT_CACHE_DIR)))
  })

  test('entries carry the key prefix of this cache format', async () => {
    const root = project()
    await build({ root })
    const store = await RocksStore.open(join(root, DEFAULT_CACHE_DIR))
    const keys: string[] = []
    for await (const key of store.keys()) keys.push(key)
    await store.close()
    assert.deepEqual(
      keys.map((k) => k.replace(/build:v\d+:\w+$/, 'build:…')).sort(),
      [
        `${KEY_PREFIX}build:…`,
        `${KEY_PREFIX}stats:last-build`,
        `${USAGE_PREFIX}${KEY_PREFIX}build:…`,
        `${USAGE_PREFIX}${KEY_PREFIX}stats:last-build`,
      ].sort(),
    )
  })
})

describe('whole-build cache in memory (files)', () => {
  test('same files hit, any change misses, on one bundler', async () => {
    for (const backend of ['native', 'wasm'] as const) {
      const bundler = await createBundler({ backend })
      const files = { 'a.js': "import b from './b.js'\nconsole.log(b)", 'b.js': 'export default 1' }
      const first = await bundler.build({ input: 'a.js', files })
      const second = await bundler.build({ input: 'a.js', files: { ...files } })
      const changed = await bundler.build({ input: 'a.js', files: { ...files, 'b.js': 'export default 2' } })
      assert.deepEqual(
        [first, second, changed].map((r) => r.stats.cache),
        [
          { hits: 0, misses: 1 },
          { hits: 1, misses: 0 },
          { hits: 0, misses: 1 },
        ],
        backend,
      )
      assert.deepEqual(second.outputs, first.outputs)
      assert.match(code(changed), /2/)
      await bundler.close()
    }
  })

  test('a shared IndexedDB store: an entry written by the wasm backend is a hit on native, byte-identical', async () => {
    const files = { 'main.ts': "import { x } from './x'\nconsole.log(x as number)", 'x.ts': 'export const x = 42' }
    const run = async (backend: 'native' | 'wasm') => {
      const bundler = await createBundler({ backend, cacheStore: IdbStore.open('nexxo-shared-build') })
      try {
        return await bundler.build({ input: 'main.ts', files, minify: true })
      } finally {
        await bundler.close()
      }
    }
    const written = await run('wasm')
    const read = await run('native')
    assert.deepEqual(
      [written.stats.cache, read.stats.cache],
      [
        { hits: 0, misses: 1 },
        { hits: 1, misses: 0 },
      ],
    )
    assert.deepEqual(read.outputs, written.outputs)
  })

  test('a store over quota turns the cache off with one warning; builds still succeed', async () => {
    const quota = new MemoryStore()
    quota.put = async () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    }
    const bundler = await createBundler({ backend: 'native', cacheStore: quota })
    const files = { 'a.js': 'console.log(1)' }
    const first = await bundler.build({ input: 'a.js', files })
    const second = await bundler.build({ input: 'a.js', files })
    assert.deepEqual(
      first.warnings.map((w) => w.code),
      ['CACHE_UNAVAILABLE'],
    )
    assert.match(first.warnings[0]!.message, /quota has been exceeded/)
    assert.deepEqual(second.warnings, [], 'said once')
    assert.deepEqual(second.stats.cache, { hits: 0, misses: 0 }, 'no cache any more')
    assert.deepEqual(second.outputs, first.outputs)
    await bundler.close()
  })

  test('the key covers every file, not only reachable ones (a package.json can change resolution)', () => {
    const core = loadNativeCoreOnce()
    const a = core.projectFromFiles({ 'a.js': '', 'unrelated.json': '{}' }, ['a.js']).graphHash
    const b = core.projectFromFiles({ 'a.js': '', 'unrelated.json': '{"x":1}' }, ['a.js']).graphHash
    assert.notEqual(a, b)
  })
})

test('binary outputs round-trip through a cache entry byte for byte', async () => {
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256)
  const entry = { modules: 1, outputs: [{ fileName: 'a.bin', type: 'asset' as const, code: bytes }] }
  assert.deepEqual(decodeBuild(await encodeBuild(entry))?.outputs[0]?.code, bytes)
})

test('an entry round-trips code, maps, stamps and what each output is; a malformed one is no build', async () => {
  const entry = {
    inputs: '{"files":[["/a \\"quoted\\" path.js",1]]}',
    modules: 3,
    outputs: [
      { fileName: 'a.js', type: 'chunk' as const, code: 'export const a = "é"\n', map: '{"version":3}', isEntry: true },
      { fileName: 'b.js', type: 'chunk' as const, code: '', imports: ['a.js'], facadeModuleId: '/src/b.js' },
      { fileName: 'c.css', type: 'asset' as const, code: '.c{}', originalFileName: 'src/c.css' },
      { fileName: 'd.bin', type: 'asset' as const, code: new Uint8Array([0, 255, 1]) },
    ],
  }
  const bytes = await encodeBuild(entry)
  assert.deepEqual(decodeBuild(bytes), entry)
  // A header length past the end, a slice past the payload, a truncated entry: none is a build.
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  const badHeader = bytes.slice()
  new DataView(badHeader.buffer).setUint32(0, view.getUint32(0) + 1000)
  assert.equal(decodeBuild(badHeader), undefined)
  assert.equal(decodeBuild(bytes.subarray(0, bytes.length - 1)), undefined)
  assert.equal(decodeBuild(bytes.subarray(0, 3)), undefined)
})

test("a disk build's project paths are stored relative to its root and read back under another", async () => {
  const entry = {
    modules: 2,
    outputs: [
      { fileName: 'index.js', type: 'chunk' as const, code: '', isEntry: true, facadeModuleId: '/a/app/index.html' },
      { fileName: 'x.css', type: 'asset' as const, code: '.x{}', originalFileName: '/a/app/index.html' },
      // Outside the root (a sibling whose name starts alike, a virtual module): kept as they are.
      { fileName: 'y.js', type: 'chunk' as const, code: '', facadeModuleId: '/a/application/y.js' },
      { fileName: 'z.js', type: 'chunk' as const, code: '', facadeModuleId: '\0virtual:z' },
    ],
  }
  const bytes = await encodeBuild(entry, undefined, '/a/app')
  assert.equal(new TextDecoder().decode(bytes).includes('/a/app/'), false)
  assert.deepEqual(decodeBuild(bytes, '/a/app'), entry)
  const moved = decodeBuild(bytes, '/b/checkout')!.outputs
  assert.deepEqual(
    moved.map((o) => o.facadeModuleId ?? o.originalFileName),
    ['/b/checkout/index.html', '/b/checkout/index.html', '/a/application/y.js', '\0virtual:z'],
  )
  // Read without a root, such an entry is no build (not one with paths of nowhere).
  assert.equal(decodeBuild(bytes), undefined)
})

test('bytes given by their length are copied into the entry where the header says they are', async () => {
  const code = new TextEncoder().encode('export {}\n')
  const map = new TextEncoder().encode('{"version":3,"mappings":""}')
  const source = (b: Uint8Array): ByteSource => ({ length: b.length, copyTo: async (target) => target.set(b) })
  const entry = { modules: 1, outputs: [{ fileName: 'a.js', type: 'chunk' as const, code: 'unused', map: 'unused' }] }
  const decoded = decodeBuild(await encodeBuild(entry, [{ code: source(code), text: true, map: source(map) }]))
  assert.equal(decoded?.outputs[0]?.code, 'export {}\n')
  assert.equal(decoded?.outputs[0]?.map, '{"version":3,"mappings":""}')
})
