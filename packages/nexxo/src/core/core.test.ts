// The core through both bindings: byte-identical answers on a real corpus, agreement with
// es-module-lexer on real packages, and the UTF-8/UTF-16 offset conversion.

import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { before, describe, test } from 'node:test'
import { init, parse } from 'es-module-lexer'
import { loadNativeCoreOnce, loadWasmCore } from '../build/backend.js'
import type { Core } from './core.js'
import { limitMallocArenas, returnFreedMemory } from './native.js'
import { lineColumn, utf8Offset, utf16Index } from './offsets.js'

const repo = new URL('../../../../', import.meta.url).pathname
const nm = join(repo, 'node_modules')

function walk(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? walk(p, pattern) : pattern.test(name) ? [p] : []
    })
}

/** Real code: React's CJS builds, lodash-es, three.js sources and its ESM build, and our example app. */
const corpus = [
  ...walk(join(nm, 'react-dom/cjs'), /\.js$/),
  ...walk(join(nm, 'react/cjs'), /\.js$/),
  ...walk(join(nm, 'lodash-es'), /\.js$/),
  ...walk(join(nm, 'three/src'), /\.js$/),
  join(nm, 'three/build/three.module.js'),
  ...walk(join(repo, 'examples/react-app/src'), /\.(tsx?|css)$/),
]
const langOf = (file: string) => (/\.(tsx|ts|css|jsx)$/.exec(file)?.[1] ?? 'js') as 'js' | 'ts' | 'tsx' | 'css' | 'jsx'

let native: Core
let wasm: Core
before(async () => {
  native = loadNativeCoreOnce()
  wasm = await loadWasmCore()
  await init
})

describe('core parity: native and wasm answer byte for byte', () => {
  test('corpus is real and large', () => {
    assert.ok(corpus.length > 1000, `corpus has ${corpus.length} files`)
  })

  test('hash, scan on every corpus file', () => {
    for (const file of corpus) {
      const bytes = readFileSync(file)
      const code = bytes.toString('utf8')
      assert.equal(native.raw.hash(bytes), wasm.raw.hash(bytes), file)
      assert.equal(native.raw.scan(code, langOf(file)), wasm.raw.scan(code, langOf(file)), file)
    }
  })

  test('project graph of lodash-es and three.js from memory', () => {
    for (const dir of ['lodash-es', 'three/src']) {
      const files: Record<string, string> = {}
      for (const f of walk(join(nm, dir), /\.js$/)) files[relative(join(nm, dir), f)] = readFileSync(f, 'utf8')
      const input = JSON.stringify({ files, entries: [dir === 'lodash-es' ? 'lodash.js' : 'Three.js'] })
      const a = native.raw.projectFromFiles(input)
      assert.equal(a, wasm.raw.projectFromFiles(input))
      const project = JSON.parse(a).ok
      assert.equal(project.errors.length, 0)
      assert.ok(project.modules.length > 300)
    }
  })

  test('relative candidates: the same list from both, in the order the resolver takes them', () => {
    const cases = [
      ['src/main.ts', './a.js'],
      ['src/x/y.ts', '../../main'],
      ['src/main.ts', '/src/d.css?inline'],
      ['main.ts', '.'],
      ['src/main.ts', '../../etc/passwd'],
      ['src/main.ts', 'react'],
    ] as const
    for (const [importer, specifier] of cases) {
      const input = JSON.stringify({ importer, specifier })
      assert.equal(native.raw.relativeCandidates(input), wasm.raw.relativeCandidates(input), specifier)
    }
    const list = native.relativeCandidates('src/main.ts', './a.js')!
    assert.equal(list[0], 'src/a.js')
    assert.ok(list.indexOf('src/a.ts') > list.indexOf('src/a.js.json'))
    assert.equal(native.relativeCandidates('src/main.ts', '../../etc/passwd'), null)
    // The list agrees with the resolver the builds use: the first candidate present is its answer.
    const files = { 'src/main.ts': "import './a.js'", 'src/a.ts': '', 'src/a.js.ts': '' }
    const resolved = wasm.projectFromFiles(files, ['src/main.ts']).modules.find((m) => m.id === 'src/main.ts')!
    assert.equal(
      resolved.imports[0]!.resolved,
      list.find((c) => c in files),
    )
  })

  test('scanProject on disk (native, parallel) equals projectFromFiles (wasm) on the same files', async () => {
    const root = join(repo, 'examples/react-app')
    const onDisk = await native.scanProject(root, ['src/main.tsx'])
    const files: Record<string, string> = {}
    for (const m of onDisk.modules) files[m.id] = readFileSync(join(root, m.id), 'utf8')
    assert.deepEqual(onDisk, wasm.projectFromFiles(files, ['src/main.tsx']))
    // JSX compiles to imports of the automatic runtime: the core lists it with the written imports.
    assert.deepEqual(onDisk.externals, ['react', 'react-dom/client', 'react/jsx-runtime'])
    assert.deepEqual(onDisk.order, ['src/Counter.tsx', 'src/greet.ts', 'src/App.tsx', 'src/styles.css', 'src/main.tsx'])
  })

  test('cache keys and module ids', () => {
    const input = {
      contentHash: native.hash('x'),
      engine: 'rolldown',
      engineVersion: '1.0.1',
      options: { minify: true },
    }
    assert.equal(native.cacheKey(input), wasm.cacheKey(input))
    assert.equal(native.cacheKey(input), native.cacheKey({ ...input, options: { minify: true } }))
    assert.notEqual(native.cacheKey(input), native.cacheKey({ ...input, engineVersion: '1.0.2' }))
    assert.equal(native.moduleId('/app', '/app/src/../src/a.ts'), 'src/a.ts')
    assert.equal(wasm.moduleId('/app', '/app/src/../src/a.ts'), 'src/a.ts')
  })

  test('graph operations and HMR plans', () => {
    const ops: [string, object][] = [
      ['set', { id: 'main.tsx', deps: ['app.tsx'], isEntry: true }],
      ['set', { id: 'app.tsx', deps: ['util.ts', 'a.css'], selfAccepting: true }],
      ['set', { id: 'util.ts', deps: ['app.tsx'] }],
      ['set', { id: 'a.css', selfAccepting: true }],
      ['importers', { id: 'app.tsx' }],
      ['cycles', {}],
      ['topoOrder', {}],
      ['graphHash', {}],
      ['planHmr', { changed: ['util.ts'] }],
      ['planHmr', { changed: ['main.tsx'] }],
      ['planHmr', { changed: ['a.css'] }],
      ['remove', { id: 'util.ts' }],
      ['planHmr', { changed: ['util.ts'] }],
      ['nonsense', {}],
    ]
    const g1 = native.raw.newGraph()
    const g2 = wasm.raw.newGraph()
    for (const [op, args] of ops) {
      assert.equal(g1.call(op, JSON.stringify(args)), g2.call(op, JSON.stringify(args)), op)
    }
    g2.free()
    assert.throws(() => g2.call('size', '{}'), /freed/)
  })

  test('typed errors come back as CoreError with an offset', () => {
    for (const core of [native, wasm]) {
      assert.throws(
        () => core.scan('const a = `open', 'js'),
        (e: Error & { offset?: number }) => e.name === 'CoreError' && e.offset === 10,
      )
    }
  })
})

describe('scanner agrees with es-module-lexer on real packages', () => {
  const esm = [
    ...walk(join(nm, 'lodash-es'), /\.js$/),
    ...walk(join(nm, 'three/src'), /\.js$/),
    join(nm, 'three/build/three.module.js'),
  ]

  test(`${esm.length} ES module files`, () => {
    let compared = 0
    for (const file of esm) {
      const code = readFileSync(file, 'utf8')
      const [imports] = parse(code)
      // es-module-lexer's `s` for dynamic imports points at the quote; ours at the text inside it.
      const expected = imports
        .filter((i) => i.d !== -2 && i.n !== undefined)
        .map((i) => `${i.n}@${utf8Offset(code, i.d === -1 ? i.s : i.s + 1)}:${i.d === -1 ? 'static' : 'dynamic'}`)
      const got = native
        .scan(code, 'js')
        .imports.map((i) => `${i.specifier}@${i.start}:${i.kind === 'dynamic' ? 'dynamic' : 'static'}`)
      assert.deepEqual(got, expected, file)
      compared += got.length
    }
    assert.ok(compared > 1000, `compared ${compared} imports`)
  })

  test('react-dom CJS builds: no panics, require() edges found', () => {
    for (const file of walk(join(nm, 'react-dom/cjs'), /\.js$/)) {
      const scan = native.scan(readFileSync(file, 'utf8'), 'js')
      assert.ok(
        scan.imports.every((i) => i.kind === 'require'),
        file,
      )
    }
    const client = native.scan(readFileSync(join(nm, 'react-dom/client.js'), 'utf8'), 'js')
    assert.ok(client.imports.some((i) => i.specifier === './cjs/react-dom-client.production.js'))
  })
})

describe('UTF-8 / UTF-16 offsets', () => {
  const text = 'a é 😀 b\nłine two ✓'
  test('round trip on every index', () => {
    for (let i = 0; i <= text.length; i++) {
      if (i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) < 0xdc00) continue
      assert.equal(utf16Index(text, utf8Offset(text, i)), i)
    }
    assert.equal(utf8Offset(text, text.length), Buffer.byteLength(text))
  })

  test('scanner byte offsets map back to the specifier in a non-ASCII file', async () => {
    const code = '// ünïcödé 😀\nimport x from "./ščšć.js"\n'
    for (const core of [native, await loadWasmCore()]) {
      const [imp] = core.scan(code, 'js').imports
      const start = utf16Index(code, imp!.start)
      const end = utf16Index(code, imp!.end)
      assert.equal(code.slice(start, end), './ščšć.js')
      assert.deepEqual(lineColumn(code, start), { line: 2, column: 16 })
    }
  })
})

test('the addon tunes malloc where the C library is glibc', () => {
  // process.report names the C library this Node runs on.
  const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header
  const glibc = process.platform === 'linux' && header.glibcVersionRuntime !== undefined
  assert.equal(limitMallocArenas(8), glibc)
  assert.equal(returnFreedMemory(128 * 1024), glibc)
})
