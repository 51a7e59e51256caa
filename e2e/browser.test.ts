// The built React example renders and reacts in real headless Chromium (Debian's, via playwright-core).

import assert from 'node:assert/strict'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { cli, launchChromium, repo, serve, tempDir } from './helpers.js'

const work = tempDir('browser')
after(() => rmSync(work, { recursive: true, force: true }))

for (const backend of ['native', 'wasm']) {
  test(`the react-app built by the ${backend} backend renders and counts clicks`, async () => {
    const out = join(work, backend)
    const r = cli(['build', join(repo, 'examples/react-app'), '--backend', backend, '--minify', '--out-dir', out])
    assert.equal(r.status, 0, r.stderr)
    const { url, server } = await serve(out)
    const browser = await launchChromium(join(work, `profile-${backend}`))
    try {
      const page = await browser.newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      // Chromium asks for /favicon.ico on its own; any other failed request is a broken page.
      page.on('response', (res) => {
        if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) errors.push(`${res.status()} ${res.url()}`)
      })
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text())
      })
      await page.goto(url)
      await page.waitForSelector('h1')
      assert.equal(await page.textContent('h1'), 'Hello from Nexxo!')
      assert.equal(await page.textContent('#counter'), 'Clicks: 0')
      await page.click('#counter')
      await page.click('#counter')
      assert.equal(await page.textContent('#counter'), 'Clicks: 2')
      // The stylesheet from the CSS import applied.
      assert.equal(await page.$eval('.app', (el) => getComputedStyle(el).maxWidth), '640px')
      assert.deepEqual(errors, [])
      const artifacts = join(repo, 'e2e/artifacts')
      mkdirSync(artifacts, { recursive: true })
      await page.screenshot({ path: join(artifacts, `react-app-${backend}.png`) })
    } finally {
      await browser.close()
      server.close()
    }
  })
}
