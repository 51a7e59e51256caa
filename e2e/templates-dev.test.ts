// create-vite's templates in `nexxo dev`, in Chromium: the page renders with its images, the counter
// counts, an edit of the component shows up (React keeps its state through Fast Refresh; the others
// reload, as they do under Vite without a framework plugin), and an edit of the CSS applies.

import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { loadConfig } from '../packages/nexxo/src/config/load.ts'
import { createDevServer } from '../packages/nexxo/src/dev/server.ts'
import { launchChromium, tempDir } from './helpers.js'
import { copyTemplate, DEV_TEMPLATES, templatesWorkDir } from './templates.js'

const COMPONENT: Record<(typeof DEV_TEMPLATES)[number], string> = {
  'vanilla-ts': 'src/counter.ts',
  'react-ts': 'src/App.tsx',
  'preact-ts': 'src/app.tsx',
  'lit-ts': 'src/my-element.ts',
  // Its vite.config.ts names @vitejs/plugin-vue, which nexxo dev runs as nexxo/vue.
  'vue-ts': 'src/components/HelloWorld.vue',
  // Its vite.config.ts names @sveltejs/vite-plugin-svelte, which nexxo runs as nexxo/svelte.
  'svelte-ts': 'src/lib/Counter.svelte',
  'solid-ts': 'src/App.tsx',
}
const STYLESHEET: Record<(typeof DEV_TEMPLATES)[number], string> = {
  'vanilla-ts': 'src/style.css',
  'react-ts': 'src/index.css',
  'preact-ts': 'src/index.css',
  // Linked from index.html, not imported: the page reloads to get it.
  'lit-ts': 'src/index.css',
  'vue-ts': 'src/style.css',
  'svelte-ts': 'src/app.css',
  'solid-ts': 'src/index.css',
}
/** Templates whose components keep their state through an edit (React's and Preact's Fast Refresh, Vue's HMR runtime). */
const KEEPS_STATE = new Set(['react-ts', 'preact-ts', 'vue-ts'])
/**
 * Templates whose edited component is swapped in place without a page reload: Svelte 5's own HMR
 * and solid-refresh re-run it, resetting its local state (their default under Vite too).
 */
const HOT_SWAPS = new Set(['react-ts', 'preact-ts', 'vue-ts', 'svelte-ts', 'solid-ts'])

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

  for (const name of DEV_TEMPLATES) {
    test(name, async () => {
      const dir = copyTemplate(name, work)
      // As `nexxo dev` starts: the template's vite.config.ts read for its plugins.
      const { plugins } = await loadConfig(dir, { command: 'serve', mode: 'development' })
      const server = await createDevServer({ root: dir, port: 0, host: '127.0.0.1', plugins })
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

        await page.evaluate('window.__beforeEdit = true')
        edit(join(dir, COMPONENT[name]), /Count is/, 'Clicks:')
        // React, Preact and Vue keep the component's state across the update; the others reload the page.
        await waitForText(page, KEEPS_STATE.has(name) ? /Clicks: 1/ : /Clicks: \d/)
        if (HOT_SWAPS.has(name)) assert.equal(await page.evaluate('window.__beforeEdit'), true, 'no page reload')
        if (name === 'vue-ts') {
          // A style block added changes the component (it may reload, as in Vite); an edit of that
          // block then updates its CSS alone: the count stays and the page does not reload.
          const component = join(dir, COMPONENT[name])
          writeFileSync(
            component,
            `${readFileSync(component, 'utf8')}\n<style scoped>\n.counter { color: rgb(4, 5, 6) }\n</style>\n`,
          )
          const counterColor = (rgb: string) =>
            page.waitForFunction(`getComputedStyle(document.querySelector('.counter')).color === '${rgb}'`, undefined, {
              timeout: 15_000,
            })
          await counterColor('rgb(4, 5, 6)')
          await page.locator('button.counter').click()
          await waitForText(page, /Clicks: [12]\b/)
          const count = /Clicks: (\d+)/.exec((await page.evaluate(ALL_TEXT)) as string)![1]
          await page.evaluate('window.__notReloaded = true')
          edit(component, 'rgb(4, 5, 6)', 'rgb(7, 8, 9)')
          await counterColor('rgb(7, 8, 9)')
          await waitForText(page, new RegExp(`Clicks: ${count}\\b`))
          assert.equal(await page.evaluate('window.__notReloaded'), true, 'no reload for a style edit')
        }
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
