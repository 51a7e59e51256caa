// Bundled dev at the size where it matters: a 1,000-component React app loads in a handful of
// requests, not one per module; after 100 edits an edit still swaps the one module it changed; and
// `nexxo dev` serves the same under Bun.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { generateReactApp } from '../bench/gen-react-app.mjs'
import { createDevServer, type DevServer } from '../packages/nexxo/src/dev/server.ts'
import { cliPath, launchChromium, repo, tempDir } from './helpers.js'

const work = tempDir('dev-bundled')
// Inside the repository, so that the app resolves react from the workspace's node_modules.
const app = join(repo, 'e2e/artifacts', `dev-1k-${process.pid}`)
mkdirSync(join(repo, 'e2e/artifacts'), { recursive: true })
after(() => {
  rmSync(work, { recursive: true, force: true })
  rmSync(app, { recursive: true, force: true })
})

const rendered = (page: Page, n: number) =>
  page.waitForFunction((count) => document.querySelectorAll('.c').length === count, n, { timeout: 60_000 })

describe('bundled dev of a 1,000-component React app in Chromium', () => {
  let server: DevServer
  let browser: BrowserContext
  let page: Page
  const requests: string[] = []
  before(async () => {
    generateReactApp(1000, app)
    server = await createDevServer({ root: app, port: 0, host: '127.0.0.1' })
    browser = await launchChromium(join(work, 'profile'))
    page = await browser.newPage()
    page.on('request', (r) => requests.push(new URL(r.url()).pathname + new URL(r.url()).search))
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('the first load renders every component in fewer than 20 requests', async () => {
    assert.equal(server.bundled, true)
    await page.goto(server.url)
    await rendered(page, 1000)
    assert.ok(requests.length < 20, `${requests.length} requests:\n${requests.join('\n')}`)
    assert.deepEqual(
      requests.filter((r) => r.startsWith('/src/') || r.startsWith('/@nexxo/bundle/')),
      [],
      'no module of the app asked for on its own or missing from the entry bundle',
    )
    // Every pre-bundled dependency is preloaded by the page, and fetched once.
    const html = await (await fetch(server.url)).text()
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]!)
    assert.ok(preloaded.includes('/@deps/react.js'), html)
    for (const href of preloaded) {
      assert.match(href, /^\/@deps\/[^/]+\.js$/)
      assert.equal(requests.filter((r) => r === href).length, 1, href)
    }
  })

  test('the 101st edit of a component still swaps that module alone, keeping the others state', async () => {
    const file = join(app, 'src/components/c999.jsx')
    const original = readFileSync(file, 'utf8')
    // State elsewhere in the tree, which a reload or a wider update would reset.
    await page.locator('.c[data-depth="1"] > button').first().click()
    const clicked = await page.locator('.c[data-depth="1"] > button').first().textContent()
    await page.evaluate(() => {
      ;(window as unknown as { __marker: number }).__marker = 1
    })
    for (let i = 1; i <= 101; i++) {
      const before = requests.length
      writeFileSync(file, original.replace('<div className="c"', `<div data-edit="${i}" className="c"`))
      await page.waitForSelector(`[data-edit="${i}"]`, { timeout: 15_000 })
      if (i === 101) {
        const asked = requests.slice(before)
        assert.deepEqual(
          asked.map((r) => r.replace(/\?.*/, '')),
          ['/@nexxo/module/src/components/c999.jsx'],
          `the last edit fetched:\n${asked.join('\n')}`,
        )
      }
    }
    assert.equal(await page.locator('.c[data-depth="1"] > button').first().textContent(), clicked)
    assert.equal(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker), 1, 'no reload')
  })
})

describe('a second start of bundled dev', () => {
  test('serves every module of the first from its module cache, compiling none and making no factory; an edited one is compiled again', async () => {
    const dir = join(repo, 'e2e/artifacts', `dev-warm-${process.pid}`)
    generateReactApp(50, dir)
    const loadAll = async () => {
      const server = await createDevServer({ root: dir, port: 0, host: '127.0.0.1' })
      try {
        const response = await fetch(new URL('/@nexxo/entry/src/main.jsx', server.url))
        assert.equal(response.status, 200)
        return { text: await response.text(), compiles: server.compiles }
      } finally {
        await server.close()
      }
    }
    try {
      const cold = await loadAll()
      assert.deepEqual(
        cold.compiles,
        { compiled: 101, cached: 0, factoriesMade: 101, factoriesCached: 0 },
        '50 components, 50 helpers and main',
      )
      const warm = await loadAll()
      assert.deepEqual(warm.compiles, { compiled: 0, cached: 101, factoriesMade: 0, factoriesCached: 101 })
      assert.equal(warm.text, cold.text, 'the same bundle')
      writeFileSync(join(dir, 'src/components/c7.helper.js'), "export const label7 = (n) => 'seven ' + n\n")
      assert.deepEqual((await loadAll()).compiles, { compiled: 1, cached: 100, factoriesMade: 1, factoriesCached: 100 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the entries compiled at start', () => {
  test('before any request, every module the entry reaches is compiled; a server closed meanwhile stops compiling', async () => {
    const dir = join(repo, 'e2e/artifacts', `dev-warmup-${process.pid}`)
    generateReactApp(300, dir)
    const settled = async (server: { compiles: { compiled: number; cached: number } }) => {
      const count = () => server.compiles.compiled + server.compiles.cached
      for (let last = -1; count() !== last; ) {
        last = count()
        await new Promise((r) => setTimeout(r, 200))
      }
      return count()
    }
    try {
      const warmed = await createDevServer({ root: dir, port: 0, host: '127.0.0.1', cache: false })
      try {
        assert.equal(await settled(warmed), 601, '300 components, 300 helpers and main, with no request made')
        const response = await fetch(new URL('/@nexxo/entry/src/main.jsx', warmed.url))
        assert.equal(response.status, 200)
        await response.text()
        assert.equal(warmed.compiles.compiled, 601, 'the request compiled nothing more')
      } finally {
        await warmed.close()
      }
      const closed = await createDevServer({ root: dir, port: 0, host: '127.0.0.1', cache: false })
      await closed.close()
      const atClose = closed.compiles.compiled
      assert.ok((await settled(closed)) - atClose <= 1, 'at most the module being compiled at close finished')
      assert.ok(closed.compiles.compiled < 601)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('nexxo dev under Bun', () => {
  test('serves examples/react-app bundled: the page, its entry bundle and a module for updates', async () => {
    const bun = join(repo, 'node_modules/.bin/bun')
    const child = spawn(bun, [cliPath, 'dev', join(repo, 'examples/react-app'), '--port', '0'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      let output = ''
      const url = await new Promise<string>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`nexxo dev under Bun did not start:\n${output}`)), 60_000)
        const read = (chunk: Buffer) => {
          output += chunk
          const found = /(http:\/\/\S+\/) ready in \d+ ms \(native, bundled\)/.exec(output)?.[1]
          if (found) {
            clearTimeout(timer)
            done(found)
          }
        }
        child.stdout!.on('data', read)
        child.stderr!.on('data', read)
        child.once('exit', (code) => fail(new Error(`exited with ${code}:\n${output}`)))
      })
      const html = await (await fetch(url)).text()
      const entry = /<script type="module" src="(\/@nexxo\/entry\/[^"]+)"/.exec(html)?.[1]
      assert.ok(entry, html)
      const bundle = await (await fetch(new URL(entry, url))).text()
      assert.match(bundle, /__nexxo_define\("\/src\/App\.tsx\?v=0", async function/)
      assert.match(bundle, /__nexxo_run\("\/src\/main\.tsx"\)/)
      const one = await fetch(new URL('/@nexxo/module/src/greet.ts?v=0', url))
      assert.equal(one.status, 200)
      assert.equal((await one.text()).match(/__nexxo_define\(/g)?.length, 1, 'a module alone')
      assert.equal((await fetch(new URL('/@nexxo/bundle/@deps/react.js', url))).status, 404)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
