// nexxo/browser imported by an app that nexxo or Vite 8 builds: the worker is created through
// `new Worker(new URL('./nexxo-worker.js', import.meta.url))` and names its wasm files the same way,
// so both bundlers emit them with the app; the page builds a project in the worker without any
// `dist/browser/` copied beside it (plain page: esbuild-wasm; cross-origin isolated: rolldown).

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { cli, launchChromium, repo, serve } from './helpers.js'
import { templatesWorkDir } from './templates.js'

// Inside the repository, so that `nexxo/browser` resolves from the root node_modules (the workspace).
const work = templatesWorkDir('browser-app')
after(() => rmSync(work, { recursive: true, force: true }))

function app(label: string): string {
  const dir = join(work, label)
  cpSync(join(repo, 'e2e/fixtures/browser-app'), dir, { recursive: true })
  return dir
}

const builds = {
  nexxo: () => {
    const dir = app('nexxo')
    const r = cli(['build', dir])
    assert.equal(r.status, 0, r.stderr)
    return join(dir, 'dist')
  },
  'vite 8': () => {
    const dir = app('vite')
    // Workers with code splitting need the ES format (Vite's default for workers is iife).
    writeFileSync(join(dir, 'vite.config.mjs'), "export default { worker: { format: 'es' }, logLevel: 'warn' }\n")
    const r = spawnSync(process.execPath, [join(repo, 'node_modules/vite/bin/vite.js'), 'build'], {
      cwd: dir,
      encoding: 'utf8',
    })
    assert.equal(r.status, 0, r.stderr)
    return join(dir, 'dist')
  },
}

for (const [tool, build] of Object.entries(builds)) {
  describe(`an app importing nexxo/browser, built by ${tool}`, () => {
    let dist = ''
    test('the build emits the worker and its wasm files', () => {
      dist = build()
      const files = readdirSync(join(dist, 'assets'))
      for (const wasm of ['nexxo_core', 'esbuild', 'swc', 'lightningcss_node']) {
        assert.ok(
          files.some((f) => f.startsWith(wasm) && f.endsWith('.wasm')),
          `${wasm}.wasm emitted: ${files.join(', ')}`,
        )
      }
    })
    for (const isolated of [false, true]) {
      test(`the page builds in the worker (${isolated ? 'isolated, rolldown' : 'plain, esbuild-wasm'})`, async () => {
        const { url, server } = await serve(dist, { isolated })
        const browser = await launchChromium(join(work, `profile-${tool.replace(/\W/g, '')}-${isolated}`))
        try {
          const page = await browser.newPage()
          await page.goto(url)
          await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'building…', null, {
            timeout: 60_000,
          })
          const result = JSON.parse((await page.textContent('#result')) ?? '{}')
          assert.deepEqual(result, { engine: isolated ? 'rolldown' : 'esbuild', value: 42, files: result.files })
        } finally {
          await browser.close()
          server.close()
        }
      })
    }
  })
}
