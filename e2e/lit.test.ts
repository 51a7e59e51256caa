// Lit in Chromium, built by nexxo in both decorator modes: TypeScript's legacy decorators
// (tsconfig's experimentalDecorators with useDefineForClassFields: false, as create-vite's lit-ts)
// and standard decorators (no tsconfig flag: `accessor` fields, as Lit documents them), each with
// its styles imported as `?inline` CSS text for `unsafeCSS`.

import assert from 'node:assert/strict'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { BrowserContext } from 'playwright-core'
import { cli, launchChromium, repo, serve, tempDir } from './helpers.js'

const element = (standard: boolean) => `import { LitElement, html, unsafeCSS } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import styles from './counter.css?inline'

@customElement('x-counter')
export class XCounter extends LitElement {
  static styles = unsafeCSS(styles)
  @property({ type: Number }) ${standard ? 'accessor ' : ''}count = 0
  render() {
    return html\`<button @click=\${() => this.count++}>count is \${this.count}</button>\`
  }
}
`

const files = (standard: boolean): Record<string, string> => ({
  'index.html':
    '<!doctype html>\n<html><head><script type="module" src="/src/counter.ts"></script></head><body><x-counter></x-counter></body></html>\n',
  'src/counter.ts': element(standard),
  // Nesting: lowered by lightningcss before it reaches the string.
  'src/counter.css': ':host { display: block } button { color: rgb(1, 2, 3); & { padding: 3px } }\n',
  ...(standard
    ? {}
    : {
        'tsconfig.json':
          '{ "compilerOptions": { "experimentalDecorators": true, "useDefineForClassFields": false } }\n',
      }),
})

describe('Lit built by nexxo: both decorator modes, ?inline CSS for unsafeCSS', () => {
  let context: BrowserContext
  let profile: string
  const dirs: string[] = []
  before(async () => {
    profile = tempDir('lit-chromium')
    context = await launchChromium(profile)
  })
  after(async () => {
    await context?.close()
    rmSync(profile, { recursive: true, force: true })
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  for (const standard of [false, true]) {
    test(
      standard ? 'standard decorators (accessor fields)' : 'legacy decorators (experimentalDecorators)',
      async () => {
        // Inside the repository, so that `lit` resolves from its node_modules.
        const dir = join(repo, 'e2e/artifacts', `lit-${standard ? 'standard' : 'legacy'}-${process.pid}`)
        dirs.push(dir)
        for (const [name, text] of Object.entries(files(standard))) {
          mkdirSync(dirname(join(dir, name)), { recursive: true })
          writeFileSync(join(dir, name), text)
        }
        const r = cli(['build', dir, '--no-cache'])
        assert.equal(r.status, 0, r.stderr + r.stdout)
        const server = await serve(join(dir, 'dist'))
        const page = await context.newPage()
        try {
          const errors: string[] = []
          page.on('pageerror', (e) => errors.push(e.message))
          await page.goto(server.url, { waitUntil: 'networkidle' })
          const text = () => page.evaluate(`document.querySelector('x-counter').shadowRoot.textContent`)
          assert.match(String(await text()), /count is 0/)
          await page.locator('x-counter button').click()
          await page.waitForFunction(`/count is 1/.test(document.querySelector('x-counter').shadowRoot.textContent)`)
          const style = (await page.evaluate(
            `(() => { const s = getComputedStyle(document.querySelector('x-counter').shadowRoot.querySelector('button')); return [s.color, s.paddingTop] })()`,
          )) as string[]
          assert.deepEqual(style, ['rgb(1, 2, 3)', '3px'])
          assert.deepEqual(errors, [])
        } finally {
          await page.close()
          await server.close()
        }
      },
    )
  }
})
