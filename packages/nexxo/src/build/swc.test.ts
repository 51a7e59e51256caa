// What @swc/wasm-web does for the engines, on every backend and engine:
// - `target: 'es5'`: the engines build at es2015 and swc lowers each chunk. Checked by parsing the
//   output as ES5 (acorn refuses any later syntax) and by running it against a modern build.
// - decorators, standard and legacy (with metadata): checked by running what they do.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parse } from 'acorn'
import { decoratorTransform, type SwcModule } from '../engines/swc.js'
import { NexxoError } from '../errors.js'
import type { BackendName, BuildOptions, EngineName } from '../types.js'
import { loadEngine, loadWasmCore } from './backend.js'
import { Bundler } from './bundler.js'
import { createBundler } from './create.js'
import { bundler, combos, run } from './test-bundlers.js'

const build = async (backend: BackendName, engine: EngineName, options: BuildOptions) =>
  (await bundler(backend, engine)).build(options)

// Classes with inheritance and statics, rest/spread of iterables, async functions, generators,
// for-of, template literals, optional chaining: what ES5 has none of.
const files = {
  'main.ts': [
    "import { Counter } from './counter'",
    'const c = new Counter(2)',
    'const { total, ...rest } = { total: c.add(3), extra: [1, 2] }',
    'const doubled = [...rest.extra, ...new Set([3, 3])].map((n) => n * 2)',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source code of a module under test
    'async function later(): Promise<string> { await null; return `t=${total}` }',
    'function* gen() { yield* [1, 2] }',
    "later().then((t) => console.log(t, doubled.join(','), Array.from(gen()).join(''), c.label?.length ?? 'none', String(c), Counter.made))",
  ].join('\n'),
  'counter.ts': [
    'export class Base {',
    '  constructor(protected n: number) {}',
    "  toString() { return 'Base(' + this.n + ')' }",
    '}',
    'export class Counter extends Base {',
    '  static made = 0',
    '  label?: string',
    '  constructor(n: number) { super(n); Counter.made++ }',
    '  add(k: number) { for (const x of [k]) this.n += x; return this.n }',
    "  toString() { return 'Counter:' + super.toString() }",
    '}',
  ].join('\n'),
}
const EXPECTED = 't=5 2,4,6 12 none Counter:Base(5) 1'

/** Throws (with the offending place) unless `code` is ES5; esm's import/export lines are set aside. */
function assertEs5(code: string, label: string) {
  const script = code.replace(/^(import|export)\b.*$/gm, '')
  try {
    parse(script, { ecmaVersion: 5, sourceType: 'script' })
  } catch (e) {
    const { pos } = e as { pos?: number }
    const near = pos === undefined ? '' : `: …${script.slice(Math.max(0, pos - 60), pos + 60)}…`
    assert.fail(`${label}: not ES5 (${(e as Error).message})${near}`)
  }
}

const entryCode = (r: { outputs: { type: string; isEntry?: boolean; code: string | Uint8Array }[] }) =>
  String(r.outputs.find((o) => o.type === 'chunk' && o.isEntry)!.code)

describe("target: 'es5' (swc lowers the engines' output)", () => {
  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}: iife, cjs and esm outputs are ES5 and behave as the modern build`, async () => {
      const modern = await build(backend, engine, { input: 'main.ts', files, format: 'iife', target: 'es2020' })
      assert.equal(run(entryCode(modern), 'module'), EXPECTED)
      assert.throws(() => parse(entryCode(modern), { ecmaVersion: 5 }), 'the modern build is not ES5 already')
      for (const format of ['iife', 'cjs', 'esm'] as const) {
        const r = await build(backend, engine, { input: 'main.ts', files, format, target: 'es5' })
        const code = entryCode(r)
        assertEs5(code, `${backend}/${engine}/${format}`)
        assert.equal(run(code, format === 'cjs' ? 'commonjs' : 'module'), EXPECTED, `${backend}/${engine}/${format}`)
      }
    })
  }

  for (const engine of ['rolldown', 'esbuild'] as const) {
    test(`${engine}: minified ES5 with a source map chained to the sources; native and wasm byte-identical`, async () => {
      const options: BuildOptions = { input: 'main.ts', files, target: 'ES5', minify: true, sourcemap: true }
      const a = await build('native', engine, options)
      const b = await build('wasm', engine, options)
      assert.deepEqual(
        b.outputs.map((o) => [o.fileName, String(o.code), o.map]),
        a.outputs.map((o) => [o.fileName, String(o.code), o.map]),
      )
      const entry = a.outputs.find((o) => o.isEntry)!
      const code = String(entry.code)
      assertEs5(code, engine)
      assert.equal(run(code, 'module'), EXPECTED)
      assert.ok(code.split('\n').filter(Boolean).length <= 3, `minified: ${code.slice(0, 300)}`)
      assert.match(code, /\/\/# sourceMappingURL=main\.js\.map\n?$/)
      const map = JSON.parse(entry.map!) as { sources: string[]; mappings: string }
      assert.ok(
        map.sources.some((s) => s.endsWith('counter.ts')),
        `the map points at the TypeScript sources: ${map.sources}`,
      )
      assert.ok(map.mappings.length > 0)
    })
  }

  test('the lowered build is cached under its own key', async () => {
    const options: BuildOptions = { input: 'main.ts', files: { ...files, 'extra.ts': '' }, target: 'es5' }
    const first = await build('wasm', 'esbuild', options)
    const again = await build('wasm', 'esbuild', options)
    assert.deepEqual([first.stats.cache.hits, again.stats.cache.hits], [0, 1])
    assert.equal(entryCode(again), entryCode(first))
    const modern = await build('wasm', 'esbuild', { ...options, target: 'es2015' })
    assert.equal(modern.stats.cache.hits, 0, 'es2015 is another build')
    assert.throws(() => parse(entryCode(modern), { ecmaVersion: 5 }))
  })

  test('a backend without swc refuses es5 with INVALID_OPTION, before any work', async () => {
    const bundler = new Bundler({
      name: 'wasm',
      core: await loadWasmCore(),
      engine: await loadEngine('wasm', 'esbuild'),
    })
    try {
      await assert.rejects(bundler.build({ input: 'main.ts', files, target: 'es5' }), (e: unknown) => {
        assert.ok(e instanceof NexxoError)
        assert.equal(e.code, 'INVALID_OPTION')
        assert.match(e.message, /es5.*@swc\/wasm-web/)
        return true
      })
    } finally {
      await bundler.close()
    }
  })
})

// Standard (TC39) decorators: a method wrapper, a class decorator, a field initializer, `accessor`.
const standard = {
  'main.ts': [
    'const calls: string[] = []',
    'function logged(value: any, context: ClassMethodDecoratorContext) {',
    '  return function (this: any, ...args: any[]) { calls.push(String(context.name)); return value.apply(this, args) }',
    '}',
    'function tagged(value: any, _context: ClassDecoratorContext) { value.tag = "tagged"; return value }',
    'function doubled(_value: undefined, _context: ClassFieldDecoratorContext) { return (v: number) => v * 2 }',
    'function clamp(target: any, _context: ClassAccessorDecoratorContext) {',
    '  return { set(this: any, v: number) { target.set.call(this, Math.min(v, 10)) }, get(this: any) { return target.get.call(this) } }',
    '}',
    '@tagged class Greeter {',
    '  @doubled size = 21',
    '  @clamp accessor level = 0',
    "  @logged greet(name: string) { return 'hi ' + name }",
    '}',
    'const g = new Greeter()',
    'g.level = 99',
    "console.log(g.greet('x'), calls.join(), (Greeter as any).tag, g.size, g.level)",
  ].join('\n'),
}

// TypeScript's experimentalDecorators with emitDecoratorMetadata, and a minimal Reflect.metadata.
const legacy = {
  'main.ts': [
    "import './reflect'",
    "import { Service, Store } from './service'",
    'const s = new Service(new Store())',
    "console.log(s.describe(), (Service as any).registered, JSON.stringify((Reflect as any).getMetadata('design:paramtypes', Service).map((t: any) => t.name)))",
  ].join('\n'),
  'reflect.ts': [
    'const store = new Map<any, Map<string, unknown>>()',
    'Object.assign(Reflect, {',
    '  metadata: (key: string, value: unknown) => (target: any) => { if (!store.has(target)) store.set(target, new Map()); store.get(target)!.set(key, value) },',
    '  getMetadata: (key: string, target: any) => store.get(target)?.get(key),',
    '})',
  ].join('\n'),
  'service.ts': [
    'function Injectable(): ClassDecorator { return (target: any) => { target.registered = true } }',
    'function Upper(target: any, key: string, desc: PropertyDescriptor) {',
    '  const f = desc.value',
    '  desc.value = function (this: any) { return f.call(this).toUpperCase() }',
    '}',
    "export class Store { name = 'store' }",
    '@Injectable()',
    'export class Service {',
    '  constructor(private readonly store: Store) {}',
    "  @Upper describe(): string { return 'uses ' + this.store.name }",
    '}',
  ].join('\n'),
}

describe('decorators (swc where the engine cannot)', () => {
  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}: standard decorators run, at a modern target and at the default`, async () => {
      for (const target of ['es2022', undefined]) {
        const r = await build(backend, engine, { input: 'main.ts', files: standard, ...(target ? { target } : {}) })
        const code = entryCode(r)
        assert.equal(run(code, 'module'), 'hi x greet tagged 42 10', `${backend}/${engine}/${target}: ${code}`)
      }
    })

    test(`${backend} + ${engine}: legacy decorators with emitDecoratorMetadata`, async () => {
      const r = await build(backend, engine, { input: 'main.ts', files: legacy, decorators: 'legacy' })
      assert.equal(run(entryCode(r), 'module'), 'USES STORE true ["Store"]')
    })
  }

  test('a syntax error in a decorated module is reported by the engine, with its place', async () => {
    for (const [backend, engine] of combos) {
      const files = { 'main.ts': 'function d(..._: any[]) {}\n@d class A {\n  @d m() { return 1 + }\n}\n' }
      for (const decorators of ['standard', 'legacy'] as const) {
        await assert.rejects(build(backend, engine, { input: 'main.ts', files, decorators }), (e: unknown) => {
          assert.ok(e instanceof NexxoError, String(e))
          const d = e.diagnostics[0]!
          assert.equal(d.file, 'main.ts', `${backend}/${engine}/${decorators}: ${e.message}`)
          assert.equal(d.line, 3, `${backend}/${engine}/${decorators}: ${e.message}`)
          return true
        })
      }
    }
  })

  test('from disk: legacy decorators on both native engines', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nexxo-decorators-'))
    try {
      for (const [name, text] of Object.entries(legacy)) writeFileSync(join(root, name), text)
      mkdirSync(join(root, 'node_modules'))
      for (const engine of ['rolldown', 'esbuild'] as const) {
        const b = await createBundler({ backend: 'native', engine, cache: false })
        try {
          const r = await b.build({ input: 'main.ts', root, decorators: 'legacy' })
          assert.equal(run(entryCode(r), 'module'), 'USES STORE true ["Store"]', engine)
        } finally {
          await b.close()
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('an unknown decorators mode is refused', async () => {
    await assert.rejects(
      build('wasm', 'esbuild', { input: 'main.ts', files: standard, decorators: 'stage2' as 'legacy' }),
      (e: unknown) => e instanceof NexxoError && e.code === 'INVALID_OPTION',
    )
  })
})

test('swc is loaded only for modules that look decorated: not for JSDoc tags, comments, strings or packages', async () => {
  let loads = 0
  const transform = decoratorTransform(async () => {
    loads++
    return { transformSync: (code: string) => ({ code }) } satisfies SwcModule
  }, 'standard')
  const plain = [
    '/**\n * @param name who\n * @returns a greeting\n */\nexport const greet = (name: string) => name',
    "// @ts-expect-error\nconst mail = 'a@b.com'; const at = x.y@z",
    '/* @__PURE__ */ f()',
  ]
  for (const code of plain) assert.equal(await transform.apply(code, '/src/a.ts'), undefined, code)
  assert.equal(await transform.apply('@dec class A {}', '/node_modules/pkg/index.js'), undefined)
  assert.equal(loads, 0)
  for (const code of ['@dec class A {}', 'class A {\n  @Input() name = ""\n}', 'export default @tag class {}']) {
    assert.ok(await transform.apply(code, '/src/a.ts'), code)
  }
  assert.equal(loads, 3)
})

test("the engine's pre-filter passes every decorated module and keeps JSDoc-only ones native", () => {
  const { code: preFilter } = decoratorTransform(
    async () => ({ transformSync: (code: string) => ({ code }) }),
    'standard',
  )
  const decorated = [
    '@dec class A {}',
    'class A {\n  @Input() name = ""\n}',
    'export default @tag class {}',
    '/** A component. */ @Component({}) class A {}',
    'class A {\n\t@observable\n\tx = 1\n}',
  ]
  for (const code of decorated) assert.ok(preFilter.test(code), code)
  // three.js's modules: a JSDoc block per function, and nothing else with an @.
  const jsdoc =
    '/**\n * @author mrdoob\n * @param {number} x\n *   @returns {number}\n */\nexport function f(x) { return x }'
  assert.equal(preFilter.test(jsdoc), false)
  assert.equal(preFilter.test('/** @type {number} */\nconst n = 1'), false)
})
