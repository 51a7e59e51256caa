// The playground end to end in headless Chromium, built by `nexxo build` and served by
// `nexxo preview` (plain, then --isolated): React and react-dom/client come from a registry on
// 127.0.0.1 and render in the sandboxed preview; an edit rebuilds and the preview follows; the page
// runs no long task of its own (script or rendering) while builds run; an error shows its frame and
// jumps the editor to its line; a reload restores the project from the URL and is served from
// IndexedDB without one request.

import assert from 'node:assert/strict'
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { cliPath, launchChromium, repo, tempDir } from './helpers.js'
import { packInstalled, TestRegistry } from './registry-server.js'

const work = tempDir('playground')
let registry: TestRegistry
after(async () => {
  await registry?.close()
  rmSync(work, { recursive: true, force: true })
})

before(async () => {
  execFileSync(process.execPath, [join(repo, 'playground/build.mjs')], { stdio: 'ignore' })
  registry = await TestRegistry.start()
  for (const name of [
    'react',
    'react-dom',
    'scheduler',
    ...['vue', '@vue/runtime-dom', '@vue/runtime-core', '@vue/reactivity', '@vue/shared'],
    ...['svelte', 'esm-env', 'clsx', 'devalue'],
    ...['solid-js', 'seroval', 'seroval-plugins'],
    'preact',
    ...['lit', 'lit-html', 'lit-element', '@lit/reactive-element', '@lit-labs/ssr-dom-shim'],
  ])
    registry.publish(packInstalled(join(repo, 'node_modules', name)))
})

/** `nexxo preview` on a free port; resolves with its URL once it listens. */
function preview(isolated: boolean): Promise<{ url: string; child: ChildProcess }> {
  const args = [cliPath, 'preview', join(repo, 'playground/dist'), '--port', '0', ...(isolated ? ['--isolated'] : [])]
  const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' } })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0]
      if (url) resolve({ url, child })
    })
    child.on('exit', (code) => reject(new Error(`nexxo preview exited with ${code}: ${out}`)))
  })
}

interface PlaygroundState {
  builds: number
  last?: { ok: boolean; engine: string; hits: number; packages: string[]; codes: string[] }
  buildWindows: [number, number][]
  longTasks: { start: number; duration: number }[]
  longFrames: { start: number; duration: number; blocking: number; scripts: string[] }[]
  longFramesObserved: boolean
}
/**
 * Long tasks that started while a build was running, split by whether the page's own work (its
 * scripts or its rendering) was in them, as the Long Animation Frames API reports. On two shared
 * cores the renderer also runs tasks no page can schedule (garbage collection, IPC) that the
 * machine's load can stretch past 50 ms; those are reported, not failed.
 */
function longTasksDuringBuilds(s: PlaygroundState) {
  const during = s.longTasks.filter((t) => s.buildWindows.some(([from, to]) => t.start >= from && t.start < to))
  const inFrame = (t: { start: number }) =>
    s.longFrames.some((f) => t.start >= f.start && t.start < f.start + f.duration)
  return {
    page: during.filter(inFrame).map((t) => Math.round(t.duration)),
    other: during.filter((t) => !inFrame(t)).map((t) => Math.round(t.duration)),
  }
}
const state = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __playground: PlaygroundState }).__playground)

/** Waits until more than `count` builds finished, then returns the state. */
async function afterBuild(page: Page, count: number): Promise<PlaygroundState> {
  await page.waitForFunction(
    (n) => (globalThis as unknown as { __playground?: PlaygroundState }).__playground!.builds > n,
    count,
    { timeout: 60_000 },
  )
  return state(page)
}

async function replaceFile(page: Page, path: string, text: string) {
  await page.locator('#file-list button', { hasText: path }).first().click()
  await page.locator('.cm-content').click()
  await page.keyboard.press('Control+A')
  await page.keyboard.insertText(text)
}

const heading = (page: Page) => page.frameLocator('#preview').locator('h1')

/** What each framework's starter shows, and a package its build must have installed. */
const STARTERS = [
  { framework: 'vue', heading: 'Hello from Vue!', package: /^vue@3\./ },
  { framework: 'svelte', heading: 'Hello from Svelte!', package: /^svelte@5\./ },
  { framework: 'solid', heading: 'Hello from Solid!', package: /^solid-js@1\./ },
  { framework: 'preact', heading: 'Hello from Preact!', package: /^preact@10\./ },
  { framework: 'lit', heading: 'Hello from Lit!', package: /^lit@3\./ },
] as const

for (const [label, isolated, engine] of [
  ['plain page', false, 'esbuild-wasm'],
  ['cross-origin isolated page', true, '@rolldown/browser'],
] as const) {
  describe(`playground on a ${label}`, () => {
    test(`renders React from the registry with ${engine}, rebuilds on edit, jumps to errors, reloads from IndexedDB`, async () => {
      const served = await preview(isolated)
      const browser = await launchChromium(join(work, `profile-${isolated ? 'isolated' : 'plain'}`))
      try {
        const page = await browser.newPage()
        const pageErrors: string[] = []
        page.on('pageerror', (e) => pageErrors.push(e.message))
        await page.goto(`${served.url}?registry=${encodeURIComponent(registry.url)}`)

        const first = await afterBuild(page, 0)
        assert.equal(first.last?.ok, true, (await page.textContent('#errors')) ?? '')
        assert.match(first.last!.engine, new RegExp(`^${engine}@`))
        assert.deepEqual(first.last!.packages.sort(), ['react-dom@19.2.0', 'react@19.2.0', 'scheduler@0.27.0'])
        assert.equal(await heading(page).textContent(), 'Hello from Nexxo!')
        // Gzip sizes fill in after the table shows, a slice per task.
        await page.waitForFunction(() => {
          const cells = Array.from(document.querySelectorAll('#output-list td:nth-child(3)'))
          return cells.length > 0 && cells.every((td) => /\d B$|kB$/.test(td.textContent ?? ''))
        })
        await page.frameLocator('#preview').locator('button').click()
        assert.equal(await page.frameLocator('#preview').locator('button').textContent(), 'clicked 1 time')
        assert.match((await page.textContent('#status')) ?? '', isolated ? /cross-origin isolated/ : /not isolated/)

        await replaceFile(
          page,
          'src/greeting.ts',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a TypeScript file with a template literal
          'export const greeting = (name: string): string => `Hi from ${name}, edited!`\n',
        )
        await page.waitForFunction(() => {
          const frame = document.querySelector<HTMLIFrameElement>('#preview')
          return frame?.srcdoc.includes('edited!')
        })
        await heading(page).filter({ hasText: 'Hi from Nexxo, edited!' }).waitFor()

        // An error: its frame shows, and a click puts the cursor on its line in its file.
        const builds = (await state(page)).builds
        await page.locator('#file-list button', { hasText: 'src/App.tsx' }).first().click()
        await replaceFile(page, 'src/greeting.ts', 'export const greeting = (name: string): string =>\n  `x` +\n')
        const failed = await afterBuild(page, builds)
        assert.equal(failed.last?.ok, false)
        const diagnostic = page.locator('#errors .diagnostic').first()
        assert.match((await diagnostic.textContent()) ?? '', /src\/greeting\.ts:\d+:\d+/)
        assert.match((await diagnostic.locator('pre').textContent()) ?? '', /\^/)
        await page.locator('#file-list button', { hasText: 'src/App.tsx' }).first().click()
        await diagnostic.click()
        assert.match((await page.locator('#file-list button.active').textContent()) ?? '', /src\/greeting\.ts/)
        assert.ok(await page.locator('.cm-activeLine').count(), 'the cursor is on a line of the file')

        const fixed = (await state(page)).builds
        await replaceFile(
          page,
          'src/greeting.ts',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a TypeScript file with a template literal
          'export const greeting = (name: string): string => `Hi again, ${name}`\n',
        )
        const ok = await afterBuild(page, fixed)
        assert.equal(ok.last?.ok, true)
        await heading(page).filter({ hasText: 'Hi again, Nexxo' }).waitFor()
        // Builds run in the worker: the page itself never had a task over 50 ms while they ran.
        assert.ok(ok.longFramesObserved, 'Chromium reports long animation frames')
        const blocked = longTasksDuringBuilds(ok)
        if (blocked.other.length) console.log(`long tasks without page work during builds: ${blocked.other} ms`)
        assert.deepEqual(
          blocked.page,
          [],
          `long tasks during builds: ${blocked.page} (all: ${JSON.stringify(ok, null, 1)})`,
        )

        // The URL carries the project; a reload rebuilds it from IndexedDB without asking the registry.
        await page.waitForFunction(() => location.hash.startsWith('#p='))
        const requests = registry.requests.length
        await page.reload()
        const reloaded = await afterBuild(page, 0)
        assert.equal(reloaded.last?.ok, true)
        assert.equal(reloaded.last?.hits, 1, 'the build came from the IndexedDB cache')
        assert.deepEqual(reloaded.last?.packages.sort(), [
          'react-dom@19.2.0 (cached)',
          'react@19.2.0 (cached)',
          'scheduler@0.27.0 (cached)',
        ])
        assert.equal(registry.requests.length, requests, 'no registry request after the reload')
        assert.equal(await heading(page).textContent(), 'Hi again, Nexxo')

        assert.deepEqual(pageErrors, [])
        await page.screenshot({
          path: join(repo, 'e2e/artifacts', `playground-${isolated ? 'isolated' : 'plain'}.png`),
        })
      } finally {
        await browser.close()
        served.child.kill()
      }
    })

    test(`the framework picker: Vue, Svelte, Solid, Preact and Lit starters build in the worker (${engine}) and run`, async () => {
      const served = await preview(isolated)
      const browser = await launchChromium(join(work, `profile-frameworks-${isolated ? 'isolated' : 'plain'}`))
      try {
        const page = await browser.newPage()
        const pageErrors: string[] = []
        page.on('pageerror', (e) => pageErrors.push(e.message))
        await page.goto(`${served.url}?registry=${encodeURIComponent(registry.url)}`)
        await afterBuild(page, 0)
        for (const starter of STARTERS) {
          const before = (await state(page)).builds
          await page.selectOption('#framework', starter.framework)
          const built = await afterBuild(page, before)
          assert.equal(built.last?.ok, true, `${starter.framework}: ${await page.textContent('#errors')}`)
          assert.ok(
            built.last!.packages.some((p) => starter.package.test(p)),
            `${starter.framework}: ${built.last!.packages}`,
          )
          await heading(page).filter({ hasText: starter.heading }).waitFor()
          // Chromium can drop the first input sent to a just-committed cross-process frame (the
          // event never reaches the page: seen about one run in three). A click that left the
          // count at 0 is sent again; a second increment would still fail the check.
          const button = page.frameLocator('#preview').locator('button')
          for (let attempt = 0; attempt < 3; attempt++) {
            await button.click()
            const counted = await button
              .filter({ hasText: 'clicked 1 time' })
              .waitFor({ timeout: 3_000 })
              .then(() => true)
              .catch(() => false)
            if (counted || !/clicked 0 times/.test((await button.textContent()) ?? '')) break
          }
          const shown = await button.textContent()
          assert.equal(
            shown?.trim(),
            'clicked 1 time',
            `${starter.framework} (console: ${await page.textContent('#console')})`,
          )
        }

        // A template error in a Vue component: located in the .vue file, at its line.
        await page.selectOption('#framework', 'vue')
        await heading(page).filter({ hasText: 'Hello from Vue!' }).waitFor()
        const builds = (await state(page)).builds
        await replaceFile(page, 'src/components/Greeting.vue', '<template>\n  <h1>{{ name </h1>\n</template>\n')
        const failed = await afterBuild(page, builds)
        assert.equal(failed.last?.ok, false)
        const diagnostic = page.locator('#errors .diagnostic').first()
        assert.match((await diagnostic.textContent()) ?? '', /src\/components\/Greeting\.vue:2:\d+/)
        // Compiling was the worker's work (on the page, nexxo/vue has no compiler to load: the builds
        // above would have failed with MISSING_PACKAGE), and no long task of the page's own ran
        // while this build did. (Earlier builds overlap the previews' first renders, the page's.)
        const blocked = longTasksDuringBuilds({ ...failed, buildWindows: failed.buildWindows.slice(-1) })
        assert.deepEqual(blocked.page, [], `long tasks during builds: ${blocked.page}`)
        assert.deepEqual(pageErrors, [])
        await page.screenshot({
          path: join(repo, 'e2e/artifacts', `playground-frameworks-${isolated ? 'isolated' : 'plain'}.png`),
        })
      } finally {
        await browser.close()
        served.child.kill()
      }
    })
  })
}
