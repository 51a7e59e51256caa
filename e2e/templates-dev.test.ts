// create-vite's templates in `nexxo dev`, in Chromium: the page renders with its images, the counter
// counts, an edit of the component shows up (React keeps its state through Fast Refresh; the others
// reload, as they do under Vite without a framework plugin), and an edit of the CSS applies.

import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { createDevServer } from '../packages/nexxo/src/dev/server.ts'
import { launchChromium, tempDir } from './helpers.js'
import { copyTemplate, TEMPLATES, templatesWorkDir } from './templates.js'

const COMPONENT: Record<(typeof TEMPLATES)[number], string> = {
  'vanilla-ts': 'src/counter.ts',
  'react-ts': 'src/App.tsx',
  'preact-ts': 'src/app.tsx',
  'lit-ts': 'src/my-element.ts',
}
const STYLESHEET: Record<(typeof TEMPLATES)[number], string> = {
  'vanilla-ts': 'src/style.css',
  'react-ts': 'src/index.css',
  'preact-ts': 'src/index.css',
  // Linked from index.html, not imported: the page reloads to get it.
  'lit-ts': 'src/index.css',
}

const ALL_TEXT = `[document.body.innerText, ...[...document.querySelectorAll('*')].map((e) => (e.shadowRoot ? e.shadowRoot.textContent : ''))].join(' ')`
const IMAGES_LOADED = `(() => { const out = []; const walk = (r) => { for (const e of r.querySelectorAll('*')) { if (e.tagName === 'IMG') out.push(e.complete && e.naturalWidth > 0); if (e.shadowRoot) walk(e.shadowRoot) } }; walk(document); return out })()`

const waitForText = (page: Page, pattern: RegExp) =>
  page.waitForFunction(`new RegExp(${JSON.stringify(pattern.source)}, 'i').test(${ALL_TEXT})`, undefined, {
    timeout: 15_000,
  })

const edit = (file: string, from: string | RegExp, to: string) => {
  const text = readFileSync(file, 'utf8')
  const next = text.replace(from, to)
  assert.notEqual(next, text, `${file}: the edit must change something`)
  writeFileSync(file, next)
}

describe('create-vite templates in nexxo dev: render, count, HMR of the component and its CSS', () => {
  const work = templatesWorkDir('templates-dev')
  let context: BrowserContext
  let profile: string
  before(async () => {
    profile = tempDir('templates-dev-chromium')
    context = await launchChromium(profile)
  })
  after(async () => {
    await context?.close()
    rmSync(profile, { recursive: true, force: true })
    rmSync(work, { recursive: true, force: true })
  })

  for (const name of TEMPLATES) {
    test(name, async () => {
      const dir = copyTemplate(name, work)
      const server = await createDevServer({ root: dir, port: 0, host: '127.0.0.1' })
      const page = await context.newPage()
      try {
        const errors: string[] = []
        page.on('pageerror', (e) => errors.push(e.message))
        page.on('response', (r) => {
          if (r.status() >= 400) errors.push(`${r.status()}: ${r.url()}`)
        })
        await page.goto(server.url, { waitUntil: 'networkidle' })
        await waitForText(page, /count is 0/)
        const images = (await page.evaluate(IMAGES_LOADED)) as boolean[]
        assert.ok(images.length > 0 && images.every(Boolean), `every image loads: ${images}`)
        await page.locator('button.counter, .counter, button').first().click()
        await waitForText(page, /count is 1/)

        edit(join(dir, COMPONENT[name]), /Count is/, 'Clicks:')
        // React keeps the component's state across the update; the others reload the page.
        await waitForText(page, name === 'react-ts' ? /Clicks: 1/ : /Clicks: \d/)

        writeFileSync(
          join(dir, STYLESHEET[name]),
          `${readFileSync(join(dir, STYLESHEET[name]), 'utf8')}\nh1 { color: rgb(1, 2, 3) !important }\n`,
        )
        await page.waitForFunction(
          `getComputedStyle(document.querySelector('h1')).color === 'rgb(1, 2, 3)'`,
          undefined,
          {
            timeout: 15_000,
          },
        )
        assert.deepEqual(errors, [])
      } finally {
        await page.close()
        await server.close()
      }
    })
  }
})
