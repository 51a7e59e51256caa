// The build-side cases of ../shared/attacks.md (numbers are its ids). Case 26 (pathological
// nesting) lives in bundler.test.ts beside the other bad inputs.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import type { NexxoError } from '../errors.js'
import { loadNativeCoreOnce } from './backend.js'
import type { Bundler } from './bundler.js'
import { createBundler } from './create.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-attacks-'))
const bundlers: Bundler[] = []
after(async () => {
  for (const b of bundlers) await b.close()
  rmSync(tmp, { recursive: true, force: true })
})
async function open(backend: 'native' | 'wasm', engine: 'rolldown' | 'esbuild') {
  const b = await createBundler({ backend, engine })
  bundlers.push(b)
  return b
}
const combos = [
  ['native', 'rolldown'],
  ['wasm', 'rolldown'],
  ['native', 'esbuild'],
  ['wasm', 'esbuild'],
] as const

let programs = 0
/** Runs an ESM program (a file, or code written to one: bundles outgrow a command-line argument). */
function node(args: string[], code?: string): string {
  if (code !== undefined) {
    const file = join(tmp, `program-${programs++}.mjs`)
    writeFileSync(file, code)
    args = [file]
  }
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 })
  assert.equal(r.status, 0, r.stderr || r.error?.message)
  return r.stdout.trim()
}

describe('28: self-referential define terminates', () => {
  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}`, async () => {
      const b = await open(backend, engine)
      const files = { 'a.js': 'console.log(typeof x, typeof y, typeof z)' }
      const r = await b.build({ input: 'a.js', files, define: { x: 'y', y: 'x', z: 'z' } })
      assert.match(node([], String(r.outputs[0]!.code)), /^\w+ \w+ \w+$/)
    })
  }
})

/** Base64 VLQ decoding of one source-map segment list (enough to read back columns). */
function decodeLine(line: string): number[][] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  return line
    .split(',')
    .filter(Boolean)
    .map((segment) => {
      const values: number[] = []
      let value = 0
      let shift = 0
      for (const ch of segment) {
        const digit = alphabet.indexOf(ch)
        value += (digit & 31) << shift
        if (digit & 32) shift += 5
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = 0
          shift = 0
        }
      }
      return values
    })
}

describe('29: huge single-line inputs', () => {
  test('a 5 MB single-line string builds with a source map on every engine', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024)
    for (const [backend, engine] of combos) {
      const b = await open(backend, engine)
      const r = await b.build({ input: 'a.js', files: { 'a.js': `export const s = "${big}"` }, sourcemap: true })
      const code = String(r.outputs[0]!.code)
      assert.ok(code.includes(big), `${backend}/${engine}`)
      assert.ok(JSON.parse(r.outputs[0]!.map!).mappings.length > 0)
    }
  })

  test('mappings past column 32,767 point back at the right source column', async () => {
    // One line, 6,000 statements: the last ones sit far beyond column 32,767.
    const line = Array.from({ length: 6000 }, (_, i) => `f(${i});`).join('')
    assert.ok(line.length > 40_000)
    const source = `function f(n) { globalThis.seen = n }\n${line}\n`
    for (const [backend, engine] of combos) {
      const b = await open(backend, engine)
      const r = await b.build({ input: 'a.js', files: { 'a.js': source }, sourcemap: true })
      const map = JSON.parse(r.outputs[0]!.map!) as { mappings: string }
      // Source columns are deltas: sum them over the whole map to get absolute positions.
      let sourceLine = 0
      let sourceColumn = 0
      let maxColumnOnLine2 = 0
      for (const generated of map.mappings.split(';')) {
        for (const seg of decodeLine(generated)) {
          if (seg.length < 4) continue
          sourceLine += seg[2]!
          sourceColumn += seg[3]!
          if (sourceLine === 1) maxColumnOnLine2 = Math.max(maxColumnOnLine2, sourceColumn)
        }
      }
      assert.ok(maxColumnOnLine2 > 32_767, `${backend}/${engine}: max source column ${maxColumnOnLine2}`)
      assert.ok(maxColumnOnLine2 < line.length, `${backend}/${engine}`)
    }
  })
})

describe('30: symlink loops in the project and in node_modules', () => {
  const root = join(tmp, 'loops')
  mkdirSync(join(root, 'src'), { recursive: true })
  mkdirSync(join(root, 'node_modules/pkg'), { recursive: true })
  writeFileSync(
    join(root, 'src/main.js'),
    "import { v } from 'pkg'\nimport { w } from './loop/loop/w.js'\nconsole.log(v, w)",
  )
  writeFileSync(join(root, 'src/w.js'), 'export const w = 2')
  writeFileSync(join(root, 'node_modules/pkg/package.json'), '{"name":"pkg","main":"index.js"}')
  writeFileSync(join(root, 'node_modules/pkg/index.js'), 'export const v = 1')
  symlinkSync('.', join(root, 'src/loop'))
  symlinkSync('.', join(root, 'node_modules/pkg/self'))
  symlinkSync('b', join(root, 'src/a'))
  symlinkSync('a', join(root, 'src/b'))

  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine} builds, the scan terminates`, async () => {
      const b = await open(backend, engine)
      const r = await b.build({ input: 'src/main.js', root })
      assert.equal(node([], String(r.outputs[0]!.code)), '1 2')
    })
  }

  test('the core walk lists each real file once and does not follow links', async () => {
    const project = await loadNativeCoreOnce().scanProject(root, ['src/main.js'])
    assert.deepEqual(
      project.modules.map((m) => m.id),
      ['src/main.js', 'src/w.js'],
    )
  })
})

describe('32: a 10,000-module chain and a 5,000-module cycle', () => {
  /** Modules that record their evaluation in globalThis.order. */
  function chain(n: number, cyclic: boolean): Record<string, string> {
    const files: Record<string, string> = {}
    for (let i = 0; i < n; i++) {
      const next = i + 1 < n ? i + 1 : cyclic ? 0 : -1
      const dep = next >= 0 ? `import './m${next}.js'\n` : ''
      files[`m${i}.js`] = `${dep};(globalThis.order ??= []).push(${i})\n`
    }
    files['main.js'] = "import './m0.js'\nconsole.log(globalThis.order.join(','))\n"
    return files
  }

  /** What Node itself prints when it runs the unbundled modules. */
  function nodeOrder(files: Record<string, string>, dir: string): string {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
    for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code)
    return node([join(dir, 'main.js')])
  }

  /**
   * Node's ESM order for these shapes, by hand: depth first from m0, so the deepest module runs
   * first (in the cycle, m(n-1) imports m0, which is already being visited).
   */
  const expectedOrder = (n: number) => Array.from({ length: n }, (_, i) => n - 1 - i).join(',')

  test("the expected order is Node's own (checked where Node can run it: its loader overflows near 10,000)", () => {
    for (const cyclic of [false, true]) {
      assert.equal(nodeOrder(chain(1000, cyclic), join(tmp, `node-${cyclic}`)), expectedOrder(1000))
    }
  })

  for (const [label, n, cyclic] of [
    ['chain', 10_000, false],
    ['cycle', 5_000, true],
  ] as const) {
    test(`${label} of ${n}: builds in Node's order (native rolldown via its wasm build), or is refused cleanly`, async () => {
      const files = chain(n, cyclic)
      for (const [backend, engine] of combos) {
        const b = await open(backend, engine)
        if (backend === 'wasm' && engine === 'esbuild') {
          // esbuild-wasm overflows its stack on such chains: a diagnostic, not a dead process.
          await assert.rejects(b.build({ input: 'main.js', files }), (e: NexxoError) => {
            assert.equal(e.code, 'TOO_DEEP')
            assert.match(e.message, new RegExp(`import chain is ${n + 1} modules deep; esbuild-wasm`))
            return true
          })
          continue
        }
        const r = await b.build({ input: 'main.js', files })
        assert.equal(node([], String(r.outputs[0]!.code)), expectedOrder(n), `${backend}/${engine}`)
        const fellBack = backend === 'native' && engine === 'rolldown'
        assert.deepEqual(
          r.warnings.map((w) => w.code),
          fellBack ? ['ENGINE_FALLBACK'] : [],
        )
      }
      const order = loadNativeCoreOnce().projectFromFiles(files, ['main.js']).order
      assert.equal(
        order
          .filter((id) => id !== 'main.js')
          .map((id) => id.slice(1, -3))
          .join(','),
        expectedOrder(n),
      )
    })
  }
})

describe('33: the same input gives byte-identical output regardless of order', () => {
  const files: Record<string, string> = {}
  for (let i = 0; i < 200; i++) {
    files[`src/m${i}.ts`] =
      `${i + 1 < 200 ? `import { v${i + 1} } from './m${i + 1}'\n` : ''}export const v${i} = ${i}${i + 1 < 200 ? ` + v${i + 1}` : ''}\n`
  }
  files['src/main.ts'] = "import { v0 } from './m0'\nconsole.log(v0)\nexport const lazy = () => import('./lazy')"
  files['src/lazy.ts'] = "import { v150 } from './m150'\nexport default v150 * 2"
  const reversed = Object.fromEntries(Object.entries(files).reverse())

  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}`, async () => {
      const b = await open(backend, engine)
      const options = { input: 'src/main.ts', minify: true, sourcemap: true }
      const a = await b.build({ ...options, files })
      const again = await b.build({ ...options, files })
      const rev = await b.build({ ...options, files: reversed })
      const bytes = (r: typeof a) => r.outputs.map((o) => [o.fileName, String(o.code), o.map ?? ''])
      assert.deepEqual(bytes(again), bytes(a))
      assert.deepEqual(bytes(rev), bytes(a))
      assert.ok(a.outputs.length >= 2, 'the dynamic import made a second chunk')
    })
  }
})
