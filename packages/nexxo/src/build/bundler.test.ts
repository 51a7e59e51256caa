// createBundler/build against real engines on both backends: results, parity, and every bad input
// of the spine issue (each must be a NexxoError with a place, never a crash or a half-written dir).

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { NexxoError } from '../errors.js'
import type { BackendName, BuildOptions, EngineName } from '../types.js'
import { NEXXO_VERSION } from '../version.js'
import { loadNativeCoreOnce } from './backend.js'
import { nodeDiskHost } from './disk.js'
import { bundler, combos, run } from './test-bundlers.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-bundler-test-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

const app: Record<string, string> = {
  'src/main.ts': [
    "import { greet } from './greet'",
    "import { a } from './cycle-a'",
    "import answer from 'answer'",
    "import './style.css'",
    "console.log(greet('wörld'), a(), answer)",
  ].join('\n'),
  'src/greet.ts': [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source code of a module under test
    'export const greet = (name: string): string => `hello ${name}`',
    "export const unused = (): string => 'TREE-SHAKEN-AWAY'",
  ].join('\n'),
  // A circular import: builds, and evaluates in Node's order.
  'src/cycle-a.ts': "import { b } from './cycle-b'\nexport const a = () => 'a' + b()",
  'src/cycle-b.ts': "import { a } from './cycle-a'\nexport const b = () => 'b' + typeof a",
  'src/style.css': 'body { color: rebeccapurple }',
  'node_modules/answer/package.json': '{"name":"answer","exports":{".":{"import":"./esm/index.js"}}}',
  'node_modules/answer/esm/index.js': 'export default 42',
}

const build = async (backend: BackendName, engine: EngineName, options: BuildOptions) =>
  (await bundler(backend, engine)).build(options)

describe('build from a files map', () => {
  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}: runs, tree-shakes, resolves node_modules, emits CSS`, async () => {
      const r = await build(backend, engine, { input: 'src/main.ts', files: app })
      const js = r.outputs.find((o) => o.type === 'chunk' && o.isEntry)!
      const css = r.outputs.find((o) => o.fileName.endsWith('.css'))
      assert.equal(run(String(js.code)), 'hello wörld abfunction 42')
      assert.ok(!String(js.code).includes('TREE-SHAKEN-AWAY'))
      // lightningcss (rolldown's pipeline) writes the shortest form of the color; esbuild keeps the name.
      assert.match(String(css?.code), engine === 'rolldown' ? /color: #639/ : /rebeccapurple/)
      assert.equal(r.stats.cache.hits, 0)
      assert.ok(r.stats.modules >= 5, `modules: ${r.stats.modules}`)
      assert.ok(r.stats.durationMs > 0)
    })
  }

  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}: a target list (Vite's build.target) lowers for every browser named`, async () => {
      const files = { 'main.js': 'const o = { a: { b: 1 } }\nconsole.log(o?.a?.b ?? 2)\n' }
      const code = async (target: BuildOptions['target']) =>
        String((await build(backend, engine, { input: 'main.js', files, target })).outputs[0]!.code)
      assert.match(await code(['chrome120', 'firefox120']), /\?\./, 'kept where every browser named has it')
      // Safari 13.0 has no optional chaining: one old browser in the list lowers it for all.
      for (const target of [['chrome120', 'safari13'], 'chrome120,safari13']) {
        const lowered = await code(target)
        assert.doesNotMatch(lowered, /\?\./, String(target))
        assert.equal(run(lowered), '1')
      }
      await assert.rejects(code(['es5', 'chrome120']), /es5 cannot be combined/)
    })
  }

  for (const engine of ['rolldown', 'esbuild'] as const) {
    test(`${engine}: native and wasm backends give byte-identical outputs`, async () => {
      const options: BuildOptions = { input: 'src/main.ts', files: app, minify: true, sourcemap: true }
      const a = await build('native', engine, options)
      const b = await build('wasm', engine, options)
      assert.deepEqual(
        b.outputs.map((o) => [o.fileName, String(o.code), o.map]),
        a.outputs.map((o) => [o.fileName, String(o.code), o.map]),
      )
      assert.ok(
        a.outputs.some((o) => o.map),
        'source maps were produced',
      )
    })
  }

  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}: tsconfig.json in the map names the JSX runtime (jsxImportSource)`, async () => {
      const files = {
        'tsconfig.json':
          '{\n  // as create-vite writes it\n  "compilerOptions": { "jsx": "react-jsx", "jsxImportSource": "tiny" }\n}\n',
        'main.tsx':
          "import { Hello } from './Hello'\nimport { Pragma } from './Pragma'\nconsole.log(<Hello />, <Pragma />)\n",
        'Hello.tsx': 'export const Hello = () => <b>hi</b>\n',
        // A pragma of the file's own wins over tsconfig, as in tsc.
        'Pragma.tsx': '/** @jsxImportSource other */\nexport const Pragma = () => <i />\n',
        'node_modules/tiny/package.json': '{"name":"tiny","exports":{"./jsx-runtime":"./jsx.js"}}',
        'node_modules/tiny/jsx.js':
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a module with a template literal
          "export const jsx = (type, props) => typeof type === 'function' ? type(props) : `tiny:${type}`\n",
        'node_modules/other/package.json': '{"name":"other","exports":{"./jsx-runtime":"./jsx.js"}}',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a module with a template literal
        'node_modules/other/jsx.js': 'export const jsx = (type) => `other:${type}`\n',
      }
      const r = await build(backend, engine, { input: 'main.tsx', files })
      assert.equal(run(String(r.outputs.find((o) => o.type === 'chunk' && o.isEntry)!.code)), 'tiny:b other:i')
    })
  }

  test('JSON and other non-source files in the map can be imported', async () => {
    const files = {
      'main.js': "import data from './data.json'\nconsole.log(data.answer)",
      'data.json': '{"answer":42}',
    }
    for (const [backend, engine] of combos) {
      const r = await build(backend, engine, { input: 'main.js', files })
      assert.equal(run(String(r.outputs[0]!.code)), '42', `${backend}/${engine}`)
    }
  })

  test('CSS of dynamically imported modules is kept, after the static CSS', async () => {
    const files = {
      'main.js': "import './a.css'\nexport const lazy = () => import('./lazy.js')",
      'lazy.js': "import './lazy.css'\nexport default 1",
      'a.css': '.a { color: red }',
      'lazy.css': '.lazy { color: blue }',
    }
    for (const [backend, engine] of combos) {
      const r = await build(backend, engine, { input: 'main.js', files })
      const css = r.outputs
        .filter((o) => o.fileName.endsWith('.css'))
        .map((o) => String(o.code))
        .join('\n')
      assert.match(css, /\.a \{[^}]*red[^}]*\}[\s\S]*\.lazy/, `${backend}/${engine}: ${css}`)
    }
  })

  test('splitting: false keeps dynamically imported modules in the one chunk', async () => {
    const files = {
      'main.js': "export const load = () => import('./lazy.js').then((m) => m.value)\nload().then(console.log)",
      'lazy.js': 'export const value = 42',
    }
    for (const [backend, engine] of combos) {
      const split = await build(backend, engine, { input: 'main.js', files })
      assert.equal(split.outputs.filter((o) => o.type === 'chunk').length, 2, `${backend}/${engine}`)
      const one = await build(backend, engine, { input: 'main.js', files, splitting: false })
      const chunks = one.outputs.filter((o) => o.type === 'chunk')
      assert.equal(chunks.length, 1, `${backend}/${engine}`)
      assert.equal(run(String(chunks[0]!.code)), '42')
    }
  })

  test('options reach the engine: format, define, external, minify', async () => {
    const files = { 'main.js': "import x from 'ext'\nconsole.log(__FLAG__, x)\nexport const value = 1" }
    for (const [backend, engine] of combos) {
      const r = await build(backend, engine, {
        input: 'main.js',
        files,
        format: 'cjs',
        minify: true,
        define: { __FLAG__: '"on"' },
        external: ['ext'],
      })
      const code = String(r.outputs[0]!.code)
      assert.match(code, /require\(["'`]ext["'`]\)/, `${backend}/${engine}: ${code}`)
      assert.match(code, /["'`]on["'`]/)
      assert.ok(!code.includes('__FLAG__'))
      assert.ok(code.split('\n').filter(Boolean).length <= 3, 'minified')
    }
  })
})

async function rejects(promise: Promise<unknown>, code: string, check: (e: NexxoError) => void = () => {}) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof NexxoError, `expected a NexxoError, got ${String(e)}`)
    assert.equal(e.code, code, e.message)
    assert.ok(e.diagnostics.length > 0)
    check(e)
    return true
  })
}

describe('bad input gives a located NexxoError on every backend and engine', () => {
  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}`, async () => {
      const b = await bundler(backend, engine)
      // Syntax error: file, line, column, frame.
      await rejects(
        b.build({ input: 'a.ts', files: { 'a.ts': 'export const ok = 1\nconst bad: number = ;\n' } }),
        engine === 'rolldown' ? 'PARSE_ERROR' : 'BUILD_ERROR',
        (e) => {
          const d = e.diagnostics[0]!
          assert.deepEqual([d.file, d.line, d.column], ['a.ts', 2, 21])
          assert.match(d.frame!, /> 2 \| const bad: number = ;\n {4}\| {21}\^/)
        },
      )
      // Missing entry.
      await rejects(b.build({ input: 'nope.ts', files: { 'a.ts': '' } }), 'MISSING_ENTRY', (e) =>
        assert.match(e.message, /Entry 'nope.ts' is not in files\. Files: a\.ts/),
      )
      // Empty project.
      await rejects(b.build({ input: 'main.ts', files: {} }), 'MISSING_ENTRY', (e) => assert.match(e.message, /empty/))
      // Unresolvable imports name the importer and the specifier, with the import's position.
      await rejects(
        b.build({
          input: 'a.ts',
          files: { 'a.ts': "// ✓ ünïcode first\nimport x from './missing'\nimport 'left-pad'" },
        }),
        'UNRESOLVED_IMPORT',
        (e) => {
          assert.deepEqual(
            e.diagnostics.map((d) => [d.message.split(' (')[0], d.line, d.column]),
            [
              ["Could not resolve './missing' from 'a.ts'", 2, 16],
              ["Could not resolve 'left-pad' from 'a.ts'", 3, 9],
            ],
          )
        },
      )
      // Keys that escape the project are rejected before anything runs.
      for (const key of ['../evil.ts', '/etc/passwd', 'a/../../b.ts', 'C:\\x.ts', 'a\\b.ts']) {
        await rejects(b.build({ input: 'a.ts', files: { 'a.ts': '', [key]: 'x' } }), 'INVALID_PATH', (e) =>
          assert.equal(e.diagnostics[0]!.file, key),
        )
      }
      // Attack 26: nesting that would overflow a native parser's stack.
      for (const code of [
        `${'- '.repeat(20_000)}1`,
        `${'('.repeat(10_000)}1${')'.repeat(10_000)}`,
        `${'a+'.repeat(1e6)}a`,
      ]) {
        await rejects(b.build({ input: 'a.js', files: { 'a.js': `export default ${code}` } }), 'TOO_DEEP', (e) =>
          assert.equal(e.diagnostics[0]!.line, 1),
        )
      }
    })
  }
})

describe('build from disk', () => {
  const root = join(tmp, 'disk')
  mkdirSync(join(root, 'src'), { recursive: true })
  writeFileSync(join(root, 'src/main.js'), "import { two } from './two.js'\nconsole.log(two)")
  writeFileSync(join(root, 'src/two.js'), 'export const two = 2')
  writeFileSync(join(root, 'src/broken.js'), "import './nowhere.js'")
  writeFileSync(join(root, 'src/latin1.js'), Buffer.from([0x2f, 0x2f, 0xe9, 0x0a]))
  writeFileSync(join(root, 'src/uses-latin1.js'), "import './latin1.js'")
  writeFileSync(join(root, 'src/deep.js'), `export default ${'['.repeat(5000)}${']'.repeat(5000)}`)
  writeFileSync(join(root, 'src/uses-deep.js'), "import './deep.js'")

  for (const [backend, engine] of combos) {
    test(`${backend} + ${engine}: builds, and reports a missing file by importer and position`, async () => {
      const b = await bundler(backend, engine)
      const ok = await b.build({ input: 'src/main.js', root })
      assert.equal(run(String(ok.outputs[0]!.code)), '2')
      await rejects(
        b.build({ input: 'src/broken.js', root }),
        engine === 'rolldown' ? 'UNRESOLVED_IMPORT' : 'BUILD_ERROR',
        (e) => {
          const d = e.diagnostics[0]!
          assert.equal(d.file, 'src/broken.js')
          assert.match(d.message, /nowhere\.js/)
          assert.equal(d.line, 1)
        },
      )
      await rejects(b.build({ input: 'src/absent.js', root }), 'MISSING_ENTRY')
    })
  }

  test("`conditions` picks a package's export by condition (a dev build) on every backend and engine", async () => {
    const pkg = join(root, 'node_modules/flavour')
    mkdirSync(pkg, { recursive: true })
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'flavour', exports: { development: './dev.js', default: './prod.js' } }),
    )
    writeFileSync(join(pkg, 'dev.js'), "export default 'dev'")
    writeFileSync(join(pkg, 'prod.js'), "export default 'prod'")
    writeFileSync(join(root, 'src/flavour.js'), "import f from 'flavour'\nconsole.log(f)")
    for (const [backend, engine] of combos) {
      const b = await bundler(backend, engine)
      const plain = await b.build({ input: 'src/flavour.js', root })
      assert.equal(run(String(plain.outputs[0]!.code)), 'prod', `${backend} + ${engine}`)
      const dev = await b.build({ input: 'src/flavour.js', root, conditions: ['development'] })
      assert.equal(run(String(dev.outputs[0]!.code)), 'dev', `${backend} + ${engine}`)
    }
  })

  test('native backend refuses non-UTF-8 and pathologically nested sources it would otherwise crash on', async () => {
    for (const engine of ['rolldown', 'esbuild'] as const) {
      const b = await bundler('native', engine)
      await rejects(b.build({ input: 'src/uses-latin1.js', root }), 'NOT_UTF8', (e) =>
        assert.equal(e.diagnostics[0]!.file, 'src/latin1.js'),
      )
      await rejects(b.build({ input: 'src/uses-deep.js', root }), 'TOO_DEEP')
      // Files that the entry does not reach do not block it.
      await b.build({ input: 'src/main.js', root })
    }
  })

  test('outDir is replaced atomically and survives a failed build untouched', async () => {
    const b = await bundler('native', 'rolldown')
    await b.build({ input: 'src/main.js', root, outDir: 'out' })
    const before = readFileSync(join(root, 'out/main.js'), 'utf8')
    writeFileSync(join(root, 'out/keep.txt'), 'marker')
    await rejects(b.build({ input: 'src/broken.js', root, outDir: 'out' }), 'UNRESOLVED_IMPORT')
    assert.equal(readFileSync(join(root, 'out/main.js'), 'utf8'), before)
    assert.equal(readFileSync(join(root, 'out/keep.txt'), 'utf8'), 'marker')
    assert.deepEqual(
      readdirSync(root).filter((n) => n.includes('.nexxo-')),
      [],
      'no staging directory left behind',
    )
    await b.build({ input: 'src/main.js', root, outDir: 'out' })
    assert.deepEqual(readdirSync(join(root, 'out')), ['main.js'], 'a successful build replaces the directory')
  })
})

describe('concurrent builds on a fresh bundler', () => {
  // Rolldown can panic or hang when bundles start concurrently right after it loads (DESIGN.md);
  // the bundler lets the first build finish alone. Each run is a new process, so rolldown is fresh.
  for (const backend of ['native', 'wasm'] as const) {
    test(`${backend}: ten builds started at once all succeed with the same output`, () => {
      // A script file, not \`node -e\`: @rolldown/browser's threads inherit execArgv such as --input-type.
      const script = join(tmp, `concurrent-${backend}.mjs`)
      const index = new URL('../index.ts', import.meta.url).pathname
      writeFileSync(
        script,
        `import { createBundler } from '${index}'
const b = await createBundler({ backend: '${backend}' })
const files = { 'a.js': "import { b } from './b.js'\\nconsole.log(b)", 'b.js': 'export const b = 1' }
const results = await Promise.all(Array.from({ length: 10 }, () => b.build({ input: 'a.js', files })))
console.log(new Set(results.map((r) => r.outputs[0].code)).size, results.length)
await b.close()`,
      )
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
        encoding: 'utf8',
        cwd: new URL('../../', import.meta.url).pathname,
        timeout: 60_000,
      })
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stdout.trim(), '1 10')
    })
  }
})

describe('backend selection', () => {
  const script = (body: string, env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      cwd: new URL('../../', import.meta.url).pathname,
    })
    return `${r.stdout}${r.stderr}`
  }
  const probe = `import { createBundler } from './src/index.ts'
try { const b = await createBundler(JSON.parse(process.env.OPTS)); console.log('chose', b.backend, b.engine, b.engineVersion); await b.close() }
catch (e) { console.log('error', e.code, e.message) }`

  test('auto picks native when it loads', () => {
    assert.match(script(probe, { OPTS: '{}' }), /chose native rolldown rolldown@1\.0\.1/)
  })
  test('NEXXO_BACKEND overrides auto', () => {
    assert.match(script(probe, { OPTS: '{}', NEXXO_BACKEND: 'wasm' }), /chose wasm rolldown @rolldown\/browser@1\.0\.1/)
    assert.match(script(probe, { OPTS: '{}', NEXXO_BACKEND: 'fast' }), /error INVALID_OPTION/)
  })
  test('a missing addon: auto falls back to wasm; forcing native is a clear error listing the attempt', () => {
    const env = { NEXXO_NATIVE_PATH: '/nonexistent/nexxo.node' }
    assert.match(script(probe, { ...env, OPTS: '{}' }), /chose wasm/)
    const forced = script(probe, { ...env, OPTS: '{"backend":"native"}' })
    assert.match(forced, /error BACKEND_UNAVAILABLE No native backend could load/)
    assert.match(forced, /native \(@nexxo\/native \+ rolldown\): Cannot find module '\/nonexistent\/nexxo\.node'/)
    assert.match(forced, /npm run setup/)
  })
  // Which engine binaries the process loaded, after one build of `OPTS` (a cache hit loads none).
  // A script file, not \`node -e\`: @rolldown/browser's threads inherit execArgv such as --input-type.
  const loads = (env: Record<string, string>) => {
    const file = join(tmp, 'loads.mts')
    writeFileSync(
      file,
      `import { createBundler } from '${new URL('../index.ts', import.meta.url).pathname}'
try {
  const b = await createBundler(JSON.parse(process.env.OPTS ?? '{}'))
  const r = await b.build({ input: 'src/main.js', root: process.env.ROOT })
  const so = (process.report.getReport() as { sharedObjects: string[] }).sharedObjects.filter((s) => s.includes('rolldown-binding'))
  console.log('built', b.backend, b.engineVersion, r.stats.cache.hits ? 'hit' : 'miss', so.length ? 'engine loaded' : 'no engine')
  await b.close()
} catch (e) {
  console.log('error', (e as { code?: string }).code, (e as Error).message)
}`,
    )
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    })
    return `${r.stdout}${r.stderr}`
  }

  /** A one-module project on disk, for `loads`. */
  const oneModule = (name: string) => {
    const root = join(tmp, name)
    mkdirSync(join(root, 'src'), { recursive: true })
    writeFileSync(join(root, 'src/main.js'), 'console.log(1)')
    return root
  }

  test('a cache hit never loads the engine; a miss loads it on first use', () => {
    const env = { ROOT: oneModule('lazy'), OPTS: '{"backend":"native"}' }
    assert.match(loads(env), /built native rolldown@1\.0\.1 miss engine loaded/)
    assert.match(loads(env), /built native rolldown@1\.0\.1 hit no engine/)
  })

  test('auto: a native engine whose binary will not load hands over to its wasm twin; forced native says why', () => {
    const env = { ROOT: oneModule('twin'), NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/rolldown.node' }
    assert.match(loads({ ...env, OPTS: '{"cache":false}' }), /built native @rolldown\/browser@1\.0\.1 miss/)
    const forced = loads({ ...env, OPTS: '{"backend":"native","cache":false}' })
    assert.match(
      forced,
      /error BACKEND_UNAVAILABLE The native engine rolldown@1\.0\.1 could not load: Cannot find native binding/,
    )
  })

  test('unknown options are refused', () => {
    assert.match(script(probe, { OPTS: '{"engine":"webpack"}' }), /error INVALID_OPTION Unknown engine 'webpack'/)
    assert.match(script(probe, { OPTS: '{"backend":"gpu"}' }), /error INVALID_OPTION Unknown backend 'gpu'/)
  })
})

test('the version in cache keys is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  assert.equal(NEXXO_VERSION, pkg.version)
})

describe('the disk host', () => {
  test('a cache directory that did not exist is new for the first build that asks, and only for it', async () => {
    const core = loadNativeCoreOnce()
    const root = join(tmp, 'host-new-cache')
    mkdirSync(root, { recursive: true })
    const host = nodeDiskHost('native', core, { cacheDir: join(root, 'cache') })
    assert.equal(host.cacheIsNew(root), true, 'nothing to look up: the check and the engine start at once')
    assert.equal(host.cacheIsNew(root), false, 'later builds look in the cache first')
    assert.ok(await host.cache(root, []), 'the first build opens it (while its engine runs)')
    await host.close()
    const again = nodeDiskHost('native', core, { cacheDir: join(root, 'cache') })
    assert.equal(again.cacheIsNew(root), false, 'the directory exists now')
    await again.close()
  })
})
