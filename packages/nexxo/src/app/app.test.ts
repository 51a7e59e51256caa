// The app pipeline end to end on both backends: one fixture project that uses every convention a
// Vite project relies on (pages, assets and their queries, public/, CSS through lightningcss, CSS
// modules, env files, workers, tsconfig), built from disk, its output run and compared.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { after, describe, test } from 'node:test'
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'
import { bundler } from '../build/test-bundlers.js'
import type { OutputFile } from '../engines/types.js'
import { NexxoError } from '../errors.js'
import type { BackendName, BuildOptions, BuildResult } from '../types.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-app-test-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

// 6 KiB of PNG-ish bytes (above the 4 KiB inline limit) and a small SVG (below it).
const bigPng = new Uint8Array(6000).map((_, i) => (i * 7 + 3) % 256)
bigPng.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const smallSvg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'

export const FIXTURE: Record<string, string | Uint8Array> = {
  'index.html': `<!doctype html>
<html>
  <head>
    <link rel="icon" href="/favicon.svg" />
    <link rel="apple-touch-icon" href="./src/big.png" />
    <link rel="stylesheet" href="./src/page.css" />
    <script type="module">import './src/inline-dep.ts'; globalThis.inlineRan = true</script>
    <script type="module" src="/src/main.ts"></script>
  </head>
  <body><img src="./src/big.png" alt="" /><img src="/favicon.svg" alt="" /><!-- <img src="./src/gone.png"> --></body>
</html>
`,
  'about.html':
    '<!doctype html>\n<html><head><script type="module" src="/src/about.ts"></script></head><body></body></html>\n',
  'public/favicon.svg': smallSvg,
  'public/robots.txt': 'User-agent: *\n',
  '.env': 'VITE_GREETING=hello from env\nSECRET_TOKEN=never-in-client-code\n# a comment\nNEXXO_FLAG="on"\n',
  '.env.production': 'VITE_MODE_FILE=production file\n',
  '.env.staging': 'VITE_MODE_FILE=staging file\n',
  'tsconfig.json':
    '{ "compilerOptions": { "jsx": "preserve", "experimentalDecorators": true, "paths": { "@lib/*": ["./src/lib/*"] } } }',
  'src/big.png': bigPng,
  'src/small.svg': smallSvg,
  'src/note.txt': 'a note, as text\n',
  'src/page.css': '.page { color: green }\n',
  'src/base.css': '.base-rule { margin: 0 }\n',
  'src/style.css': `@import './base.css';
.card { background: url(./big.png); border-image: url(/favicon.svg); mask: url(./missing.png);
  & .title { color: red } }
`,
  'src/app.module.css':
    '.base { padding: 1px }\n.title { composes: base; color: blue }\n.not-an-identifier { margin: 0 }\n',
  'src/inline-dep.ts': 'globalThis.inlineDep = true\n',
  'src/lib/answer.ts': 'export const answer: number = 42\n',
  'src/view.tsx': 'export const view = <div className="v">hi</div>\n',
  'src/decorated.ts': `function tag(target: any) { target.tagged = true }
@tag
export class Decorated {}
`,
  'src/worker.ts': 'self.postMessage("from worker")\nexport {}\n',
  'src/worker2.ts': 'self.postMessage("from worker 2")\nexport {}\n',
  'src/about.ts': 'globalThis.about = true\n',
  'src/main.ts': `import small from './small.svg'
import big from './big.png'
import raw from './note.txt?raw'
import smallUrl from './small.svg?no-inline'
import bigInline from './big.png?inline'
import classes, { title } from './app.module.css'
import './style.css'
import MyWorker from './worker.ts?worker'
import { answer } from '@lib/answer'
import { Decorated } from './decorated'
const worker = new Worker(new URL('./worker2.ts', import.meta.url), { type: 'module' })
const image = new URL('./big.png', import.meta.url)
// new URL('./in-a-comment.png', import.meta.url) and new Worker(new URL('./in-a-comment.ts', import.meta.url))
const quoted = "new URL('./in-a-string.png', import.meta.url)"
export const report = {
  quoted,
  small, big, raw, smallUrl, bigInline: bigInline.slice(0, 22), classes, title,
  worker: new MyWorker().url, worker2: worker.url, image: image.pathname.replace(/.*\\/assets\\//, 'assets/'),
  answer, decorated: (Decorated as any).tagged === true,
  env: { ...import.meta.env }, greeting: import.meta.env.VITE_GREETING, secret: (import.meta.env as any).SECRET_TOKEN,
}
globalThis.report = report
`,
}

function writeProject(dir: string, files: Record<string, string | Uint8Array>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), content)
  }
  return dir
}

let counter = 0
const project = (files: Record<string, string | Uint8Array>) => writeProject(join(tmp, `p${counter++}`), files)

const buildApp = async (backend: BackendName, root: string, options: Partial<BuildOptions> = {}) =>
  (await bundler(backend, 'rolldown')).build({
    input: ['index.html', 'about.html'],
    root,
    entryFileNames: 'assets/[name]-[hash].js',
    chunkFileNames: 'assets/[name]-[hash].js',
    assetFileNames: 'assets/[name]-[hash][extname]',
    ...options,
  })

const text = (r: BuildResult, pattern: RegExp): string => {
  const file = r.outputs.find((o) => pattern.test(o.fileName))
  assert.ok(file, `an output matching ${pattern}: ${r.outputs.map((o) => o.fileName).join(', ')}`)
  return typeof file.code === 'string' ? file.code : new TextDecoder().decode(file.code)
}

/** Runs the page's entry chunk in Node, with a Worker stand-in that records the URL it was given. */
function runEntry(outDir: string, entry: string): Record<string, unknown> {
  const script = `
    globalThis.Worker = class { constructor(url, options) { this.url = String(url).replace(/.*\\/assets\\//, 'assets/'); this.type = options?.type } }
    await import(${JSON.stringify(join(outDir, entry))})
    console.log(JSON.stringify({ report: globalThis.report, inlineRan: globalThis.inlineRan, inlineDep: globalThis.inlineDep }))
  `
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as Record<string, unknown>
}

const outputsOf = (r: BuildResult) =>
  Object.fromEntries(r.outputs.map((o: OutputFile) => [o.fileName, Buffer.from(o.code).toString('base64')]))

describe('the app pipeline (pages, assets, public/, CSS, env, workers, tsconfig)', () => {
  const results: Partial<Record<BackendName, BuildResult>> = {}
  for (const backend of ['native', 'wasm'] as const) {
    test(`${backend}: the fixture app builds and runs as Vite would build it`, async () => {
      const root = project(FIXTURE)
      const r = await buildApp(backend, root, { outDir: 'dist', minify: false })
      results[backend] = r
      const html = text(r, /^index\.html$/)
      const entry = /<script type="module" crossorigin src="\/(assets\/index-[\w-]+\.js)"><\/script>/.exec(html)?.[1]
      assert.ok(entry, html)
      assert.match(html, /<link rel="stylesheet" crossorigin href="\/assets\/index-[\w-]+\.css">/)
      assert.match(html, /<link rel="icon" href="\/favicon.svg" \/>/, 'public files stay as they are')
      assert.match(html, /<link rel="apple-touch-icon" href="\/assets\/big-[0-9a-f]{8}\.png" \/>/)
      assert.match(html, /<img src="\/assets\/big-[0-9a-f]{8}\.png" alt="" \/><img src="\/favicon.svg"/)
      assert.match(html, /<!-- <img src="\.\/src\/gone\.png"> -->/, 'comments are left alone')
      assert.deepEqual(
        r.warnings.filter((w) => /in-a-(comment|string)/.test(w.message)),
        [],
        'new URL() and new Worker() in comments and strings are not taken for references',
      )
      assert.doesNotMatch(html, /src\/main\.ts|page\.css|inline-dep/)
      assert.match(text(r, /^about\.html$/), /<script type="module" crossorigin src="\/assets\/about-[\w-]+\.js">/)
      // public/ copied as is; the big image emitted once with its bytes.
      assert.equal(readFileSync(join(root, 'dist/robots.txt'), 'utf8'), 'User-agent: *\n')
      const bigName = /\/(assets\/big-[0-9a-f]{8}\.png)/.exec(html)![1]!
      assert.deepEqual(new Uint8Array(readFileSync(join(root, 'dist', bigName))), bigPng)
      assert.equal(r.outputs.filter((o) => o.fileName.startsWith('assets/big-')).length, 1)

      const ran = runEntry(join(root, 'dist'), entry)
      const report = ran.report as Record<string, unknown>
      assert.equal(ran.inlineRan, true, 'inline module scripts run')
      assert.equal(ran.inlineDep, true, 'and their imports')
      assert.match(String(report.small), /^data:image\/svg\+xml,%3csvg/, 'small files are inlined')
      assert.equal(report.big, `/${bigName}`)
      assert.equal(report.raw, 'a note, as text\n')
      assert.match(String(report.smallUrl), /^\/assets\/small-[0-9a-f]{8}\.svg$/)
      assert.equal(report.bigInline, 'data:image/png;base64,')
      assert.equal(report.image, bigName, 'new URL(..., import.meta.url) points at the emitted file')
      assert.equal(report.quoted, "new URL('./in-a-string.png', import.meta.url)", 'a string is left as it was')
      const classes = report.classes as Record<string, string>
      assert.match(classes.title!, /^_title_[\w-]+ _base_[\w-]+$/, 'composes adds the composed class')
      assert.equal(report.title, classes.title)
      assert.match(classes['not-an-identifier']!, /^_not-an-identifier_/)
      assert.match(String(report.worker), /^assets\/worker-[\w-]+\.js$/)
      assert.match(String(report.worker2), /^assets\/worker2-[\w-]+\.js$/)
      assert.match(text(r, /^assets\/worker2-[\w-]+\.js$/), /from worker 2/)
      assert.equal(report.answer, 42, 'tsconfig paths')
      assert.equal(report.decorated, true, 'experimentalDecorators: legacy decorators')
      assert.equal(report.greeting, 'hello from env')
      assert.equal(report.secret, undefined)
      assert.deepEqual(report.env, {
        BASE_URL: '/',
        MODE: 'production',
        DEV: false,
        PROD: true,
        SSR: false,
        VITE_GREETING: 'hello from env',
        NEXXO_FLAG: 'on',
        VITE_MODE_FILE: 'production file',
      })
      for (const o of r.outputs) {
        assert.ok(!Buffer.from(o.code).includes('never-in-client-code'), `no unprefixed variable in ${o.fileName}`)
      }

      const css = text(r, /^assets\/index-[\w-]+\.css$/)
      assert.ok(css.indexOf('.base-rule') < css.indexOf('.card'), '@import inlined before the importer')
      assert.equal(css.match(/\.base-rule/g)?.length, 1)
      assert.match(css, /\.card \.title \{/, 'nesting lowered for the default targets')
      assert.match(css, new RegExp(`url\\("?/${bigName.replace('.', '\\.')}"?\\)`), 'url() emitted')
      assert.match(css, /url\("?\/favicon\.svg"?\)/)
      assert.match(css, /url\("?\.\/missing\.png"?\)/, 'a missing url() is left as is')
      assert.match(css, /\._title_[\w-]+ \{\s*color: #00f;/)
      assert.match(css, /\.page \{/, 'the page stylesheet joins the entry CSS')
      const warned = r.warnings.map((w) => w.message).join('\n')
      assert.match(warned, /url\(\.\/missing\.png\) in src\/style\.css: no such file; left as is/)
      assert.match(warned, /"jsx": "preserve"/)
    })
  }

  test('native and wasm backends write the same bytes', () => {
    assert.ok(results.native && results.wasm)
    assert.deepEqual(outputsOf(results.wasm), outputsOf(results.native))
  })

  test('minify (CSS too), --mode picks .env.[mode], base prefixes every URL', async () => {
    const root = project(FIXTURE)
    const r = await buildApp('native', root, { minify: true, mode: 'staging', base: '/app/' })
    const css = text(r, /^assets\/index-[\w-]+\.css$/)
    assert.doesNotMatch(css, /\n {2}/)
    assert.match(css, /\.card \.title\{color:red\}/)
    const js = text(r, /^assets\/index-[\w-]+\.js$/)
    assert.match(js, /staging file/)
    assert.match(js, /[`"]\/app\/assets\/big-[0-9a-f]{8}\.png[`"]/)
    assert.match(text(r, /^index\.html$/), /src="\/app\/assets\/index-[\w-]+\.js"/)
  })
})

describe('app bad input: located errors, no crash, the previous dist/ kept', () => {
  const root = project({
    'index.html': '<script type="module" src="/src/main.ts"></script>',
    'src/main.ts': 'export {}\n',
  })
  const fails = async (files: Record<string, string | Uint8Array>, options: Partial<BuildOptions> = {}) => {
    writeProject(root, { 'index.html': '<script type="module" src="/src/main.ts"></script>', ...files })
    const before = readFileSync(join(root, 'dist/index.html'), 'utf8')
    const error = await buildApp('native', root, { input: 'index.html', outDir: 'dist', ...options }).then(
      () => assert.fail('the build should fail'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof NexxoError, String(error))
    assert.equal(readFileSync(join(root, 'dist/index.html'), 'utf8'), before, 'the previous output stays')
    return error
  }

  test('a good build first (the output the failures must not touch)', async () => {
    await buildApp('native', root, { input: 'index.html', outDir: 'dist' })
  })

  test('an asset that does not exist: located at the import', async () => {
    const e = await fails({ 'src/main.ts': "// first line\nimport logo from './gone.svg'\nconsole.log(logo)\n" })
    const d = e.diagnostics[0]!
    assert.match(d.message, /gone\.svg/)
    assert.equal(d.file, 'src/main.ts')
    assert.equal(d.line, 2)
  })

  test('a tsconfig extending a base that is not installed names the file and the package', async () => {
    const e = await fails({
      'tsconfig.json': '{ "files": [], "references": [{ "path": "./tsconfig.app.json" }] }',
      'tsconfig.app.json': '{ "extends": "@not-installed/tsconfig/dom.json", "compilerOptions": {} }',
    })
    rmSync(join(root, 'tsconfig.json'))
    assert.equal(e.code, 'TSCONFIG_ERROR')
    assert.equal(e.diagnostics[0]!.file, 'tsconfig.app.json')
    assert.match(
      e.diagnostics[0]!.message,
      /extends '@not-installed\/tsconfig\/dom\.json', which was not found \(is the package '@not-installed\/tsconfig' installed\?\)/,
    )
  })

  test("'?raw' of a binary file", async () => {
    const e = await fails({
      'src/main.ts': "import bin from './bin.png?raw'\nconsole.log(bin)\n",
      'src/bin.png': bigPng,
    })
    assert.match(e.message, /bin\.png' is binary; '\?raw' gives text only/)
  })

  test('a CSS module with a syntax error: file, line and column', async () => {
    const e = await fails({
      'src/main.ts': "import c from './bad.module.css'\nconsole.log(c)\n",
      'src/bad.module.css': '.ok { color: red }\n.bad { color: red;; }}\n.x { color: }\n',
    })
    const d = e.diagnostics[0]!
    assert.equal(d.file, 'src/bad.module.css')
    assert.ok(d.line && d.line >= 2, `line ${d.line}`)
    assert.ok(d.column && d.column > 0)
    assert.ok(d.frame, 'with a code frame')
  })

  test('.env with a malformed line names the file and line', async () => {
    const e = await fails({
      'src/main.ts': 'console.log(import.meta.env.VITE_A)\n',
      '.env': 'VITE_A=1\nthis is not a variable\n',
    })
    assert.equal(e.code, 'ENV_SYNTAX')
    assert.match(e.message, /\.env:2: expected KEY=value/)
    rmSync(join(root, '.env'))
  })

  test('a plugin that throws in transform: a NexxoError naming the plugin and the module', async () => {
    const e = await fails(
      { 'src/main.ts': 'console.log(1)\n' },
      {
        plugins: [
          {
            name: 'breaks-things',
            transform: {
              filter: { id: /main\.ts$/ },
              handler() {
                throw new Error('it broke')
              },
            },
          },
        ],
      },
    )
    assert.match(e.message, /breaks-things/)
    assert.match(e.message, /it broke/)
    assert.match(e.message, /main\.ts/)
  })

  test('a plugin hook that never settles: a timeout naming it', async () => {
    const e = await fails(
      { 'src/main.ts': 'console.log(1)\n' },
      { pluginTimeout: 300, plugins: [{ name: 'hangs', load: () => new Promise(() => {}) }] },
    )
    assert.match(e.message, /Plugin 'hangs' hook 'load' for .*did not settle within 0\.3 s/)
  })
})

describe('JSX pragmas, per file, as esbuild, Babel and TypeScript read them', () => {
  const files = {
    'main.jsx':
      "import { classic } from './classic.jsx'\nimport { automatic } from './automatic.jsx'\nconsole.log(JSON.stringify([classic, automatic]))\n",
    'classic.jsx':
      "/** @jsxRuntime classic */\n/** @jsx h */\n/** @jsxFrag Frag */\nimport { h, Frag } from './h.js'\nexport const classic = <><b>hi</b></>\n",
    'automatic.jsx': '/** @jsxImportSource my-jsx */\nexport const automatic = <i>yo</i>\n',
    'h.js': "export const Frag = 'frag'\nexport const h = (type, props, ...children) => ({ type, children })\n",
    'node_modules/my-jsx/package.json': '{ "name": "my-jsx", "exports": { "./jsx-runtime": "./jsx-runtime.js" } }',
    'node_modules/my-jsx/jsx-runtime.js':
      'export const jsx = (type, props) => ({ type, auto: props.children })\nexport const jsxs = jsx\n',
  }
  for (const backend of ['native', 'wasm'] as const) {
    for (const engine of ['rolldown', 'esbuild'] as const) {
      test(`${backend} + ${engine}: @jsxRuntime classic with @jsx/@jsxFrag, and @jsxImportSource`, async () => {
        const r = await (await bundler(backend, engine)).build({ input: 'main.jsx', files })
        const js = String(r.outputs.find((o) => o.type === 'chunk' && o.isEntry)!.code)
        const out = spawnSync(process.execPath, ['--input-type=module', '-e', js], { encoding: 'utf8' })
        assert.equal(out.status, 0, out.stderr)
        assert.deepEqual(JSON.parse(out.stdout), [
          { type: 'frag', children: [{ type: 'b', children: ['hi'] }] },
          { type: 'i', auto: 'yo' },
        ])
      })
    }
  }
})

describe("CSS '?inline': the compiled text as a string, never injected (Vite's meaning)", () => {
  const files = {
    'index.html': '<!doctype html>\n<html><head><script type="module" src="/src/main.ts"></script></head></html>\n',
    'src/main.ts':
      "import text from './a.css?inline'\nimport again from './a.css?inline'\n;(globalThis as any).report = { text, same: text === again }\n",
    'src/a.css': "@import './b.css';\n.a { & .b { color: red } }\n",
    'src/b.css': '.from-b { margin: 0 }\n',
  }
  const outputs: Partial<Record<BackendName, string>> = {}
  for (const backend of ['native', 'wasm'] as const) {
    test(`${backend}: @import inlined, nesting lowered, no stylesheet emitted or linked`, async () => {
      const root = project(files)
      const r = await buildApp(backend, root, { input: ['index.html'], outDir: 'dist', minify: false })
      const html = text(r, /^index\.html$/)
      assert.doesNotMatch(html, /stylesheet/)
      assert.equal(r.outputs.filter((o) => o.fileName.endsWith('.css')).length, 0)
      const entry = /src="\/(assets\/index-[\w-]+\.js)"/.exec(html)![1]!
      const { report } = runEntry(join(root, 'dist'), entry) as { report: { text: string; same: boolean } }
      assert.equal(report.same, true)
      assert.match(report.text, /\.from-b\s*\{\s*margin: 0;?\s*\}[\s\S]*\.a \.b\s*\{\s*color: red;?\s*\}/)
      outputs[backend] = report.text
    })
  }
  test('both backends give the same text', () => {
    assert.ok(outputs.native)
    assert.equal(outputs.wasm, outputs.native)
  })
})

describe('pages preload their entry’s static imports (modulepreload, as Vite)', () => {
  const files = {
    'index.html': '<!doctype html>\n<html><head><script type="module" src="/src/a.ts"></script></head></html>\n',
    'about.html': '<!doctype html>\n<html><head><script type="module" src="/src/b.ts"></script></head></html>\n',
    'src/a.ts': "import { shared } from './shared'\n;(globalThis as any).a = shared('a')\n",
    'src/b.ts': "import { shared } from './shared'\n;(globalThis as any).b = shared('b')\n",
    'src/shared.ts': "export const shared = (s: string) => 'shared ' + s\n",
  }
  for (const backend of ['native', 'wasm'] as const) {
    test(`${backend}: the shared chunk is preloaded by both pages, after the entry script`, async () => {
      const r = await buildApp(backend, project(files), { minify: false })
      const shared = r.outputs.find((o) => o.type === 'chunk' && !o.isEntry)
      assert.ok(shared, r.outputs.map((o) => o.fileName).join(', '))
      for (const page of [/^index\.html$/, /^about\.html$/]) {
        const html = text(r, page)
        const preload = `<link rel="modulepreload" crossorigin href="/${shared.fileName}">`
        assert.ok(html.includes(preload), html)
        assert.ok(html.indexOf('<script type="module"') < html.indexOf(preload), html)
      }
    })
  }
})

describe('CSS source maps (build.sourcemap): each rule traced to its line in its own stylesheet', () => {
  const files = {
    'index.html': '<!doctype html>\n<html><head><script type="module" src="/src/main.ts"></script></head></html>\n',
    'src/main.ts': "import './a.css'\nimport './b.module.css'\nexport {}\n",
    // A remote @import (put first), a url() longer than its placeholder ahead of a rule on the same line.
    'src/a.css':
      "@import 'https://fonts.example/x.css';\n.first { color: red }\n.bg { background: url(./big.png) } .after-url { margin: 0 }\n",
    'src/b.module.css': '.card {\n  & .title { color: blue }\n}\n\n.target { padding: 2px }\n',
    'src/big.png': bigPng,
  }
  const maps: Partial<Record<`${BackendName}-${boolean}`, Record<string, string>>> = {}
  for (const minify of [false, true]) {
    for (const backend of ['native', 'wasm'] as const) {
      test(`${backend}${minify ? ', minified' : ''}: rules point at their source line and column`, async () => {
        const root = project(files)
        const r = await buildApp(backend, root, { input: ['index.html'], sourcemap: true, minify })
        const cssFile = r.outputs.find((o) => /^assets\/index-[0-9a-f]{8}\.css$/.test(o.fileName))
        assert.ok(cssFile, r.outputs.map((o) => o.fileName).join(', '))
        const css = String(cssFile.code)
        const base = cssFile.fileName.slice('assets/'.length)
        assert.ok(css.endsWith(`\n/*# sourceMappingURL=${base}.map */`), css.slice(-80))
        const mapFile = r.outputs.find((o) => o.fileName === `${cssFile.fileName}.map`)
        assert.ok(mapFile, 'the map is emitted beside the stylesheet')
        const map = new TraceMap(String(mapFile.code))
        assert.equal(map.file, base)
        assert.deepEqual([...map.sources].sort(), ['../../src/a.css', '../../src/b.module.css'])
        const at = (needle: string) => {
          const offset = css.indexOf(needle)
          assert.ok(offset >= 0, `${needle} in ${css}`)
          const before = css.slice(0, offset)
          const line = before.split('\n').length
          return originalPositionFor(map, { line, column: offset - before.lastIndexOf('\n') - 1 })
        }
        assert.deepEqual(pick(at('.first')), { source: '../../src/a.css', line: 2, column: 0 })
        assert.deepEqual(pick(at('.after-url')), { source: '../../src/a.css', line: 3, column: 35 })
        assert.deepEqual(pick(at('._target_')), { source: '../../src/b.module.css', line: 5, column: 0 })
        assert.equal(at('._card_').line, 2, 'the nested rule (the outer one has no declarations of its own)')
        const sourcesContent = map.sourcesContent ?? []
        assert.equal(sourcesContent[map.sources.indexOf('../../src/b.module.css')], files['src/b.module.css'])
        maps[`${backend}-${minify}`] = { css, map: String(mapFile.code) }
      })
    }
    test(`${minify ? 'minified: ' : ''}both backends write the same stylesheet and map`, () => {
      assert.ok(maps[`native-${minify}`])
      assert.deepEqual(maps[`wasm-${minify}`], maps[`native-${minify}`])
    })
  }

  test('without sourcemap: no map file and no comment', async () => {
    const r = await buildApp('native', project(files), { input: ['index.html'] })
    assert.equal(r.outputs.filter((o) => o.fileName.endsWith('.map')).length, 0)
    assert.doesNotMatch(text(r, /\.css$/), /sourceMappingURL/)
  })
})

const pick = ({ source, line, column }: { source: string | null; line: number | null; column: number | null }) => ({
  source,
  line,
  column,
})

describe('in-memory (`files`) apps: pages, asset imports and binary files, as from disk', () => {
  const png = bigPng
  const files = (image: Uint8Array): Record<string, string | Uint8Array> => ({
    'index.html':
      '<!doctype html>\n<html><head><link rel="stylesheet" href="./src/page.css"></head><body><img src="./src/big.png"><script type="module" src="./src/main.ts"></script></body></html>\n',
    'src/main.ts':
      "import big from './big.png'\nimport small from './small.svg'\n;(globalThis as any).report = { big, small }\n",
    'src/page.css': '.hero { background: url(./big.png) }\n',
    'src/big.png': image,
    'src/small.svg': smallSvg,
  })
  const built: Partial<Record<BackendName, BuildResult>> = {}
  for (const backend of ['native', 'wasm'] as const) {
    test(`${backend}: the page is built, the PNG bytes emitted once and named by JS, CSS and HTML`, async () => {
      const r = await buildApp(backend, '', { input: 'index.html', files: files(png) })
      const image = r.outputs.find((o) => /^assets\/big-[0-9a-f]{8}\.png$/.test(o.fileName))
      assert.ok(image, r.outputs.map((o) => o.fileName).join(', '))
      assert.deepEqual(new Uint8Array(image.code as Uint8Array), png, 'the bytes as given, not text')
      assert.equal(r.outputs.filter((o) => o.fileName.endsWith('.png')).length, 1)
      const html = text(r, /^index\.html$/)
      assert.match(html, new RegExp(`<img src="/${image.fileName}">`))
      assert.match(html, /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/)
      assert.match(text(r, /\.css$/), new RegExp(`url\\("/${image.fileName}"\\)`))
      const js = text(r, /^assets\/index-[\w-]+\.js$/)
      assert.ok(js.includes(`"/${image.fileName}"`), 'the import is the URL, not the file')
      assert.match(js, /"data:image\/svg\+xml,/, 'the small SVG is inlined, not loaded as a string of its text')
      built[backend] = r
    })
  }

  test('both backends give the same bytes', () => {
    assert.ok(built.native && built.wasm)
    assert.deepEqual(outputsOf(built.wasm), outputsOf(built.native))
  })

  test('an edited binary file is a cache miss with a new name; the same bytes again a hit', async () => {
    const b = await bundler('native', 'rolldown')
    const options = { input: 'index.html', assetFileNames: 'assets/[name]-[hash][extname]' }
    const first = await b.build({ ...options, files: files(png) })
    const edited = png.slice()
    edited[100] = (edited[100]! + 1) % 256
    const second = await b.build({ ...options, files: files(edited) })
    assert.equal(second.stats.cache.misses, 1)
    const name = (r: BuildResult) => r.outputs.find((o) => o.fileName.endsWith('.png'))!.fileName
    assert.notEqual(name(second), name(first))
    const third = await b.build({ ...options, files: files(edited) })
    assert.equal(third.stats.cache.hits, 1)
    assert.equal(name(third), name(second))
  })

  test('a binary file imported as code, or read with ?raw, is a located error', async () => {
    const b = await bundler('wasm', 'rolldown')
    const blob = new Uint8Array([0, 159, 146, 150, 1, 2])
    await assert.rejects(
      b.build({
        input: 'main.ts',
        files: { 'main.ts': "import data from './data.bin'\nexport { data }\n", 'data.bin': blob },
      }),
      (e: unknown) => e instanceof NexxoError && /data\.bin is a binary file.*'\?url'/s.test(e.message),
    )
    await assert.rejects(
      b.build({ input: 'main.ts', files: { 'main.ts': "import t from './a.png?raw'\nexport { t }\n", 'a.png': blob } }),
      (e: unknown) => e instanceof NexxoError && /binary/.test(e.message),
    )
    const ok = await b.build({
      input: 'main.ts',
      files: { 'main.ts': "import u from './data.bin?no-inline'\nexport { u }\n", 'data.bin': blob },
    })
    const emitted = ok.outputs.find((o) => /^assets\/data-[0-9a-f]{8}\.bin$/.test(o.fileName))
    assert.ok(emitted, ok.outputs.map((o) => o.fileName).join(', '))
    assert.deepEqual(new Uint8Array(emitted.code as Uint8Array), blob)
  })

  test("queries keep their meaning in memory: '?worker', '?raw', CSS '?inline', new Worker(new URL(…))", async () => {
    const r = await buildApp('wasm', '', {
      input: 'main.ts',
      files: {
        'main.ts':
          "import W from './w.ts?worker'\nimport raw from './n.txt?raw'\nimport css from './a.css?inline'\nnew Worker(new URL('./w2.ts', import.meta.url), { type: 'module' })\n;(globalThis as any).report = { W, raw, css }\n",
        'w.ts': 'self.postMessage(1)\nexport {}\n',
        'w2.ts': 'self.postMessage(2)\nexport {}\n',
        'n.txt': 'a note',
        'a.css': '.a { & .b { color: red } }',
      },
    })
    const main = text(r, /^assets\/main-[\w-]+\.js$/)
    assert.match(main, /"a note"/)
    assert.match(main, /"\.a \.b \{\\n {2}color: red;\\n\}\\n"/)
    assert.match(text(r, /^assets\/w-[\w-]+\.js$/), /postMessage\(1\)/)
    assert.match(text(r, /^assets\/w2-[\w-]+\.js$/), /postMessage\(2\)/)
  })

  test("an import of '/x.svg' naming a public file is its public URL (Vue's templates write these); a root file wins", async () => {
    for (const backend of ['native', 'wasm'] as const) {
      const r = await buildApp(backend, '', {
        input: 'main.ts',
        base: '/app/',
        files: {
          'main.ts':
            "import icons from '/icons.svg'\nimport here from '/here.svg'\n;(globalThis as any).report = { icons: icons + '#a', here }\n",
          'public/icons.svg': smallSvg,
          'public/here.svg': smallSvg,
          'here.svg': `${smallSvg}<!-- ${'x'.repeat(5000)} -->`,
        },
      })
      const js = text(r, /^assets\/main-[\w-]+\.js$/)
      assert.match(js, /"\/app\/icons\.svg"/, backend)
      assert.match(js, /"\/app\/assets\/here-[0-9a-f]{8}\.svg"/, `${backend}: the root's here.svg, emitted`)
    }
  })

  test('outDir holds exactly the outputs, written by rolldown on a miss and from the cache on a hit', async () => {
    const root = project({
      ...FIXTURE,
      'styles.html': '<!doctype html><html><head><link rel="stylesheet" href="./src/page.css"></head></html>',
    })
    const input = ['index.html', 'about.html', 'styles.html']
    const dist = join(root, 'dist')
    const onDisk = () =>
      Object.fromEntries(
        readdirSync(dist, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => [relative(dist, join(d.parentPath, d.name)), readFileSync(join(d.parentPath, d.name))] as const)
          .sort(([a], [b]) => a.localeCompare(b)),
      )
    const expected = (r: BuildResult) =>
      Object.fromEntries(
        r.outputs
          .flatMap((o) => [
            [o.fileName, Buffer.from(o.code)] as const,
            ...(o.map !== undefined ? [[`${o.fileName}.map`, Buffer.from(o.map)] as const] : []),
          ])
          .sort(([a], [b]) => a.localeCompare(b)),
      )
    const miss = await buildApp('native', root, { input, outDir: 'dist', sourcemap: true })
    assert.equal(miss.stats.cache.misses, 1)
    const written = onDisk()
    assert.deepEqual(written, expected(miss))
    assert.ok(
      Object.keys(written).some((f) => f.endsWith('.js.map')),
      'source maps are written beside their chunks',
    )
    assert.doesNotMatch(
      String(written['styles.html']),
      /<script|<!--nexxo/,
      'the styles-only page is finished, its empty chunk gone',
    )
    const hit = await buildApp('native', root, { input, outDir: 'dist', sourcemap: true })
    assert.equal(hit.stats.cache.hits, 1)
    assert.deepEqual(onDisk(), written)
    assert.deepEqual(expected(hit), written)
  })

  test('a page without scripts: no empty chunk written or linked (as Vite)', async () => {
    const r = await buildApp('native', '', {
      input: 'index.html',
      files: {
        'index.html': '<!doctype html><html><head><link rel="stylesheet" href="./a.css"></head></html>',
        'a.css': '.a { color: red }',
      },
    })
    assert.deepEqual(
      r.outputs.filter((o) => o.type === 'chunk'),
      [],
    )
    assert.doesNotMatch(text(r, /^index\.html$/), /<script/)
  })
})
