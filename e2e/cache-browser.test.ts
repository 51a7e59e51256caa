// Nexxo's browser cache stores in real headless Chromium: IndexedDB (idb-keyval) and the Cache API
// keep entries across a reload, a flipped byte is a miss that deletes the entry, and the size bound
// evicts the least recently used.

import assert from 'node:assert/strict'
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { cli, launchChromium, repo, serve, tempDir } from './helpers.js'

const work = tempDir('cache-browser')
after(() => rmSync(work, { recursive: true, force: true }))

test('IndexedDB and Cache API stores in Chromium: persist across reload, integrity, LRU bound', async () => {
  const out = join(work, 'page')
  const r = cli(['build', join(repo, 'e2e/fixtures/cache-page'), '--out-dir', out])
  assert.equal(r.status, 0, r.stderr)
  copyFileSync(join(repo, 'wasm/nexxo_core.wasm'), join(out, 'nexxo_core.wasm'))
  const { url, server } = await serve(out)
  const browser = await launchChromium(join(work, 'profile'))
  try {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const ready = () => page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
    const step = (name: string, store: string) =>
      page.evaluate(
        ([n, s]) =>
          (globalThis as unknown as { runCacheStep(a: string, b: string): Promise<unknown> }).runCacheStep(n!, s!),
        [name, store],
      )
    await page.goto(url)
    await ready()
    const usage = await page.evaluate(() => (globalThis as unknown as { USAGE_PREFIX: string }).USAGE_PREFIX)
    for (const store of ['indexeddb', 'cacheapi']) {
      assert.deepEqual(await step('write', store), [`nexxo:v1:persist`, `${usage}nexxo:v1:persist`].sort(), store)
    }
    await page.reload()
    await ready()
    for (const store of ['indexeddb', 'cacheapi']) {
      assert.deepEqual(
        await step('read', store),
        {
          persisted: 'written before the reload',
          afterFlip: null,
          deleted: true,
          // 3 x 436 sealed bytes > 1000: evicted down to 800, oldest first.
          survivors: ['c'],
          corrupt: 1,
          left: [],
        },
        store,
      )
    }
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    server.close()
  }
})
