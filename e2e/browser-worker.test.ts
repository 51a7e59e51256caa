// nexxo/browser in real headless Chromium: the build runs in a module Web Worker (comlink), the
// engine follows the page's isolation (esbuild-wasm on a plain page, @rolldown/browser on a cross-
// origin isolated one), the page sees no long task, a reload is served from IndexedDB, and a build
// error crosses the worker boundary with its code, place and frame.

import assert from 'node:assert/strict'
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parse } from 'acorn'
import type { Outcome } from './fixtures/worker-page/main.ts'
import { cli, launchChromium, repo, serve, tempDir } from './helpers.js'

const work = tempDir('browser-worker')
const out = join(work, 'page')
after(() => rmSync(work, { recursive: true, force: true }))

before(() => {
  const r = cli(['build', join(repo, 'e2e/fixtures/worker-page'), '--out-dir', out])
  assert.equal(r.status, 0, r.stderr)
  // The worker and its wasm files, served from one directory as a page would.
  mkdirSync(join(out, 'nexxo'))
  cpSync(join(repo, 'packages/nexxo/dist/browser'), join(out, 'nexxo'), { recursive: true })
})

const project = {
  'src/main.ts': `import { greet } from './greet'
import { sum, type Pair } from './math'
const pair: Pair = [20, 22]
;(globalThis as any).__built = greet('worker') + ' ' + sum(pair)
`,
  'src/greet.ts': "export const greet = (name: string): string => 'hello ' + name\n",
  'src/math.ts':
    'export type Pair = [number, number]\nexport function sum([a, b]: Pair): number {\n  return a + b\n}\n',
}

for (const [label, isolated, engine] of [
  ['plain page', false, 'esbuild-wasm'],
  ['cross-origin isolated page', true, '@rolldown/browser'],
] as const) {
  describe(`nexxo/browser on a ${label}`, () => {
    test(`builds in a worker with ${engine}, never blocks the page, serves a reload from IndexedDB`, async () => {
      const { url, server } = await serve(out, { isolated })
      const browser = await launchChromium(join(work, `profile-${engine.replace('/', '-')}`))
      try {
        const page = await browser.newPage()
        const errors: string[] = []
        page.on('pageerror', (e) => errors.push(e.message))
        const run = async (files: Record<string, string>, which = 'auto', options = {}) => {
          await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
          return (await page.evaluate(
            ([w, f, o]) =>
              (globalThis as unknown as { runBuild(e: string, f: unknown, o: unknown): Promise<unknown> }).runBuild(
                w as string,
                f,
                o,
              ),
            [which, files, options] as const,
          )) as Outcome
        }
        await page.goto(url)
        const first = await run(project)
        assert.equal(first.error, undefined, JSON.stringify(first.error))
        assert.equal(first.crossOriginIsolated, label !== 'plain page')
        assert.match(first.engineVersion, new RegExp(`^${engine}@`))
        assert.equal(first.value, 'hello worker 42')
        assert.equal(first.hits, 0)
        assert.deepEqual(first.longTasks, [], `long tasks on the page during the build: ${first.longTasks}`)

        await page.reload()
        const again = await run(project)
        assert.equal(again.value, 'hello worker 42')
        assert.equal(again.hits, 1, 'served from the IndexedDB cache after a reload')
        assert.deepEqual(again.longTasks, [])

        const broken = await run({ ...project, 'src/math.ts': 'export function sum(: number {\n' })
        assert.equal(broken.error?.name, 'NexxoError')
        // The engines' own codes, as on Node: rolldown names parse errors, esbuild does not.
        assert.equal(broken.error?.code, engine === 'esbuild-wasm' ? 'BUILD_ERROR' : 'PARSE_ERROR')
        const d = broken.error!.diagnostics[0]!
        assert.equal(d.file, 'src/math.ts')
        assert.equal(d.line, 1)
        assert.match(d.frame ?? '', /\^/)

        // es5: swc (its own wasm, fetched by the worker on first use) lowers the engine's output.
        const es5 = await run(
          {
            ...project,
            'src/greet.ts':
              "export class Greeter { hi = (n: string) => 'hello ' + n }\nexport const greet = (n: string) => new Greeter().hi(n)\n",
          },
          'auto',
          { target: 'es5', format: 'iife' },
        )
        assert.equal(es5.error, undefined, JSON.stringify(es5.error))
        assert.equal(es5.value, 'hello worker 42')
        assert.doesNotThrow(() => parse(es5.code!, { ecmaVersion: 5 }), es5.code)

        // The page's plugins run on the page, called from the worker; their filters are checked there.
        const withPlugins = await run(
          {
            'src/main.ts':
              "import { where } from 'virtual:page'\nimport { word } from '~/shout'\n;(globalThis as any).__built = where + ' ' + word\n",
            'src/shout.ts': "export const word: string = 'quiet'\n",
          },
          'auto',
          { plugins: true },
        )
        assert.equal(withPlugins.error, undefined, JSON.stringify(withPlugins.error))
        assert.equal(withPlugins.value, '/ LOUD')
        // The first resolveId is the check before the engine (is '~/shout' a package to install?),
        // as Vite's dependency scan asks plugins before the build proper.
        assert.deepEqual(withPlugins.calls, [
          'resolveId ~/shout',
          'buildStart',
          'resolveId ~/shout',
          'transform /src/shout.ts',
        ])
        assert.ok(
          withPlugins.warnings?.some((w) => /made it loud/.test(w)),
          JSON.stringify(withPlugins.warnings),
        )
        assert.deepEqual(withPlugins.longTasks, [])

        // Binary files: bytes made on the page cross to the worker and come back as the emitted asset.
        const withImage = await run(
          { 'src/main.ts': "import logo from './logo.png'\n;(globalThis as any).__built = logo\n" },
          'auto',
          { image: true },
        )
        if (engine === '@rolldown/browser') {
          assert.equal(withImage.error, undefined, JSON.stringify(withImage.error))
          assert.match(String(withImage.value), /^\/assets\/logo-[0-9a-f]{8}\.png$/)
          assert.deepEqual(withImage.assets, [`${String(withImage.value).slice(1)}:6000:89504e47`])
        } else {
          // esbuild-wasm has no asset pipeline yet: a clear error, not the bytes as text.
          assert.match(withImage.error?.diagnostics[0]?.message ?? '', /logo\.png is a binary file/)
        }

        if (label === 'plain page') {
          const refused = await run(project, 'rolldown')
          assert.equal(refused.error?.code, 'BACKEND_UNAVAILABLE')
        }
        assert.deepEqual(errors, [])
        await page.screenshot({ path: join(repo, 'e2e/artifacts', `browser-worker-${engine.replace('/', '-')}.png`) })
      } finally {
        await browser.close()
        server.close()
      }
    })
  })
}
