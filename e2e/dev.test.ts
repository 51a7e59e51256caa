// `nexxo dev examples/react-app` as a user runs it, in headless Chromium: the page renders, edits to
// a component keep its state (React Fast Refresh, no reload), CSS edits apply without a reload, a
// syntax error shows the overlay with file, line and frame, and fixing it takes the overlay away.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { cliPath, launchChromium, repo, tempDir } from './helpers.js'

const work = tempDir('dev')
after(() => rmSync(work, { recursive: true, force: true }))

interface Running {
  child: ChildProcess
  url: string
  output: () => string
}

/** `nexxo dev <dir>` until it prints its URL. */
function startDev(dir: string, args: string[] = []): Promise<Running> {
  const child = spawn(process.execPath, [cliPath, 'dev', dir, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`nexxo dev did not start:\n${output}`)), 60_000)
    const read = (chunk: Buffer) => {
      output += chunk
      const url = /(http:\/\/\S+\/)/.exec(output)?.[1]
      if (url && /deps: .*\n/.test(output)) {
        clearTimeout(timer)
        done({ child, url, output: () => output })
      }
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    child.once('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`nexxo dev exited with ${code}:\n${output}`))
    })
  })
}

const stop = (running: Running) =>
  new Promise<void>((done) => {
    if (running.child.exitCode !== null) return done()
    running.child.once('exit', () => done())
    running.child.kill('SIGTERM')
  })

const editIn = (app: string, file: string, from: string | RegExp, to: string) => {
  const path = join(app, file)
  const text = readFileSync(path, 'utf8')
  const next = text.replace(from, to)
  assert.notEqual(next, text, `${file}: the edit must change something`)
  writeFileSync(path, next)
}

const counterText = (page: Page) => page.locator('#counter').textContent()
const overlayText = (page: Page) =>
  page.evaluate(() => document.querySelector('nexxo-error-overlay')?.shadowRoot?.textContent ?? null)

// Both modes: bundled (the default: the page loads its modules as one bundle) and --no-bundle.
for (const mode of ['bundled', 'unbundled'] as const)
  describe(`nexxo dev examples/react-app in Chromium (${mode})`, () => {
    // Inside the repository, so that the copy resolves react from the workspace's node_modules.
    const app = join(repo, 'e2e/artifacts', `dev-app-${mode}-${process.pid}`)
    after(() => rmSync(app, { recursive: true, force: true }))
    const edit = (file: string, from: string | RegExp, to: string) => editIn(app, file, from, to)
    /** The app's own files the page asked for one by one at its first load. */
    const moduleRequests: string[] = []
    let dev: Running
    let browser: BrowserContext
    let page: Page
    const pageErrors: string[] = []
    /** The page's console and HMR messages, shown when a wait times out. */
    const logs: string[] = []
    const until = async (fn: () => boolean, what: string) => {
      try {
        await page.waitForFunction(fn, undefined, { timeout: 15_000 })
      } catch {
        assert.fail(
          `timed out waiting for ${what}; the page said:\n${logs.join('\n')}\nthe server said:\n${dev.output()}`,
        )
      }
    }

    before(async () => {
      rmSync(app, { recursive: true, force: true })
      mkdirSync(join(repo, 'e2e/artifacts'), { recursive: true })
      cpSync(join(repo, 'examples/react-app'), app, {
        recursive: true,
        filter: (src) => !src.includes('node_modules') && !src.includes('/dist'),
      })
      dev = await startDev(app, ['--port', '0', ...(mode === 'unbundled' ? ['--no-bundle'] : [])])
      browser = await launchChromium(join(work, `profile-${mode}`))
      page = await browser.newPage()
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/src/')) moduleRequests.push(r.url())
      })
      page.on('pageerror', (e) => pageErrors.push(e.message))
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`))
      page.on('websocket', (ws) => ws.on('framereceived', (f) => logs.push(`hmr: ${String(f.payload).slice(0, 300)}`)))
      await page.goto(dev.url)
      await page.waitForFunction(() => document.querySelector('#counter')?.textContent === 'Clicks: 0')
      // Survives every hot update; a reload would lose it.
      await page.evaluate(() => {
        ;(window as unknown as { __marker: number }).__marker = 42
      })
    })
    after(async () => {
      await browser?.close()
      if (dev) await stop(dev)
    })

    const notReloaded = async () =>
      assert.equal(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker), 42, 'no reload')

    test('startup prints the URL, the time to ready and the pre-bundled deps', () => {
      const shown = mode === 'bundled' ? ', bundled' : ''
      assert.match(dev.output(), new RegExp(`➜ http://localhost:\\d+/ ready in \\d+ ms \\((native|wasm)${shown}\\)`))
      if (mode === 'bundled') assert.deepEqual(moduleRequests, [], 'the first load asks for no module of its own')
      else assert.ok(moduleRequests.length >= 5, moduleRequests.join('\n'))
      assert.match(dev.output(), /deps: react, react-dom\/client, react-refresh\/runtime, react\/jsx-dev-runtime/)
      assert.equal(pageErrors.length, 0, pageErrors.join('\n'))
    })

    test('editing the component keeps its state: Fast Refresh, no reload', async () => {
      for (let i = 0; i < 3; i++) await page.click('#counter')
      assert.equal(await counterText(page), 'Clicks: 3')
      edit('src/Counter.tsx', '{label}: {count}', '{label} now: {count}')
      await until(() => document.querySelector('#counter')?.textContent === 'Clicks now: 3', 'the edited text')
      await notReloaded()
    })

    test('editing a plain module updates its importer through the component boundary', async () => {
      edit('src/greet.ts', 'Hello from', 'Hi from')
      await until(() => document.querySelector('h1')?.textContent === 'Hi from Nexxo!', 'the new greeting')
      assert.equal(await counterText(page), 'Clicks now: 3', 'the counter keeps its state')
      await notReloaded()
    })

    test('editing CSS changes the style without a reload', async () => {
      edit('src/styles.css', 'font-size: 1.25rem', 'font-size: 32px')
      await until(() => getComputedStyle(document.querySelector('#counter')!).fontSize === '32px', 'the new font size')
      await notReloaded()
    })

    test('a syntax error shows the overlay with file, line and frame; fixing it removes it', async () => {
      const good = readFileSync(join(app, 'src/Counter.tsx'), 'utf8')
      edit('src/Counter.tsx', '</button>', '</buton>')
      await until(() => document.querySelector('nexxo-error-overlay') !== null, 'the overlay')
      const text = (await overlayText(page)) ?? ''
      assert.match(text, /src\/Counter\.tsx:\d+:\d+/)
      assert.match(text, /buton/, 'the frame shows the broken line')
      writeFileSync(join(app, 'src/Counter.tsx'), good.replace('now:', 'fixed:'))
      await until(() => document.querySelector('nexxo-error-overlay') === null, 'the overlay to go')
      await until(() => document.querySelector('#counter')?.textContent === 'Clicks fixed: 3', 'the fixed text')
      await notReloaded()
    })

    test('overlay text is text: markup in an error message is not rendered', async () => {
      edit('src/greet.ts', /^/, 'import "./<img src=x onerror=alert(1)>"\n')
      await until(() => document.querySelector('nexxo-error-overlay') !== null, 'the overlay')
      assert.match((await overlayText(page)) ?? '', /<img src=x onerror=alert\(1\)>/)
      assert.equal(
        await page.evaluate(() => document.querySelector('nexxo-error-overlay')!.shadowRoot!.querySelector('img')),
        null,
      )
      edit('src/greet.ts', 'import "./<img src=x onerror=alert(1)>"\n', '')
      await until(() => document.querySelector('nexxo-error-overlay') === null, 'the overlay to go')
    })
  })

describe('nexxo dev startup', () => {
  test('a second start takes its dependencies from the cache, loading neither rolldown nor RocksDB', async () => {
    const running = await startDev(join(repo, 'examples/react-app'), ['--port', '0'])
    await stop(running)
    const again = await startDev(join(repo, 'examples/react-app'), ['--port', '0'])
    // What the process has mapped: the kept pre-bundle needs no engine and no build cache, and the
    // page's modules compile with oxc's own binding (some 20 MB of resident memory between them).
    const maps = process.platform === 'linux' ? readFileSync(`/proc/${again.child.pid}/maps`, 'utf8') : undefined
    await stop(again)
    assert.match(again.output(), /from the cache in \d+ ms/)
    if (maps !== undefined) {
      assert.doesNotMatch(maps, /@rolldown\/binding|rolldown-binding/)
      assert.doesNotMatch(maps, /node_modules\/rocksdb\//)
    }
  })

  test('a taken port: the next one is tried, and --strict-port refuses', async () => {
    const blocker = createServer()
    await new Promise<void>((done) => blocker.listen(0, 'localhost', done))
    const port = (blocker.address() as { port: number }).port
    try {
      const running = await startDev(join(repo, 'examples/react-app'), ['--port', String(port)])
      await stop(running)
      assert.match(running.output(), new RegExp(`port ${port} is in use, trying the next one`))
      assert.ok(!running.url.endsWith(`:${port}/`), running.url)
      await assert.rejects(
        startDev(join(repo, 'examples/react-app'), ['--port', String(port), '--strict-port']),
        /Port \d+ is in use/,
      )
    } finally {
      blocker.close()
    }
  })
})
