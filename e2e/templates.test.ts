// create-vite's templates, projects nobody here wrote, built by nexxo and by Vite 8 and compared in
// Chromium: the same text, every image loaded, the same computed styles on every element, and a
// working counter. The templates come from the pinned `create-vite` package (a root devDependency).

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { cli, launchChromium, repo, serve, tempDir } from './helpers.js'
import { copyTemplate, PLUGIN_TEMPLATES, TEMPLATES, templatesWorkDir } from './templates.js'

interface PageFacts {
  text: string
  images: { src: string; loaded: boolean; width: number }[]
  styles: { path: string; style: Record<string, string> }[]
}

const STYLE_PROPS = [
  'display',
  'position',
  'color',
  'background-color',
  'font-family',
  'font-size',
  'font-weight',
  'line-height',
  'margin-top',
  'margin-left',
  'padding-top',
  'padding-left',
  'width',
  'height',
  'border-top-width',
  'border-radius',
  'text-align',
]

/**
 * What a user would see of the page, shadow roots included (Lit renders into one). A string, not
 * a function: tsx's `__name` helpers would be evaluated in the page, where they do not exist.
 */
const FACTS_SCRIPT = `(() => {
  const props = ${JSON.stringify(STYLE_PROPS)}
  const elements = []
  const texts = []
  const walk = (root, prefix) => {
    let i = 0
    for (const el of root.querySelectorAll('*')) {
      const path = prefix + el.tagName.toLowerCase() + '[' + i++ + ']'
      elements.push({ el, path })
      if (el.shadowRoot) {
        texts.push(el.shadowRoot.textContent || '')
        walk(el.shadowRoot, path + '>')
      }
    }
  }
  walk(document, '')
  texts.unshift(document.body.innerText)
  // Hashes differ between the tools; the file name and the kind of URL must not.
  const images = elements.map(({ el }) => el).filter((el) => el instanceof HTMLImageElement).map((img) => ({
    src: img.currentSrc.startsWith('data:') ? img.currentSrc.slice(0, 30) : (img.currentSrc.split('/').pop() || '').replace(/-[\\w-]{8}\\./, '.'),
    loaded: img.complete && img.naturalWidth > 0,
    width: img.naturalWidth,
  }))
  const skip = ['script', 'style', 'link', 'meta', 'title', 'head']
  const styles = elements.filter(({ el }) => !skip.includes(el.tagName.toLowerCase())).map(({ el, path }) => {
    const computed = getComputedStyle(el)
    const style = {}
    for (const p of props) style[p] = computed.getPropertyValue(p)
    return { path, style }
  })
  return { text: texts.join(' ').replace(/\\s+/g, ' ').trim(), images, styles }
})()`

export const pageFacts = (page: Page): Promise<PageFacts> => page.evaluate(FACTS_SCRIPT) as Promise<PageFacts>

const COUNT_IS_1 = `/count is 1/i.test([document.body.innerText, ...[...document.querySelectorAll('*')].map((e) => (e.shadowRoot ? e.shadowRoot.textContent : ''))].join(' '))`

async function open(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('requestfailed', (r) => errors.push(`failed: ${r.url()}`))
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()}: ${r.url()}`)
  })
  await page.goto(url, { waitUntil: 'networkidle' })
  await page.locator('button.counter, .counter, button').first().waitFor()
  return { page, errors }
}

describe('create-vite templates: nexxo build vs vite build', () => {
  const work = templatesWorkDir('templates')
  let context: BrowserContext
  let profile: string
  before(async () => {
    profile = tempDir('templates-chromium')
    context = await launchChromium(profile)
  })
  after(async () => {
    await context?.close()
    rmSync(profile, { recursive: true, force: true })
    rmSync(work, { recursive: true, force: true })
  })

  for (const name of [...TEMPLATES, ...PLUGIN_TEMPLATES]) {
    test(name, async () => {
      const dir = copyTemplate(name, work)
      const nexxo = cli(['build', dir, '--out-dir', 'dist-nexxo', '--no-cache'])
      assert.equal(nexxo.status, 0, nexxo.stderr + nexxo.stdout)
      const vite = spawnSync(
        process.execPath,
        [join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', 'dist-vite'],
        {
          cwd: dir,
          encoding: 'utf8',
        },
      )
      assert.equal(vite.status, 0, vite.stderr)
      // public/ is copied as is, beside the page.
      for (const file of readdirSync(join(dir, 'public'))) {
        assert.deepEqual(readFileSync(join(dir, 'dist-nexxo', file)), readFileSync(join(dir, 'public', file)), file)
      }
      const facts: PageFacts[] = []
      for (const out of ['dist-vite', 'dist-nexxo']) {
        const server = await serve(join(dir, out))
        try {
          const { page, errors } = await open(context, server.url)
          const before = await pageFacts(page)
          await page.screenshot({ path: join(repo, 'e2e/artifacts', `template-${name}-${out}.png`) })
          await page.locator('button.counter, .counter, button').first().click()
          await page.waitForFunction(COUNT_IS_1)
          assert.deepEqual(errors, [], `${out}: the page loads without errors`)
          facts.push(before)
          await page.close()
        } finally {
          await server.close()
        }
      }
      const [viteFacts, nexxoFacts] = facts as [PageFacts, PageFacts]
      assert.match(nexxoFacts.text, /count is 0/i)
      assert.equal(nexxoFacts.text, viteFacts.text)
      assert.ok(nexxoFacts.images.length > 0)
      for (const img of nexxoFacts.images) assert.ok(img.loaded, `image ${img.src} loaded`)
      assert.deepEqual(nexxoFacts.images, viteFacts.images)
      assert.deepEqual(nexxoFacts.styles, viteFacts.styles)
    })
  }
})
