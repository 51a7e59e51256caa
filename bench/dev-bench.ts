// npm run bench:dev — `nexxo dev` beside Vite 8 (+ @vitejs/plugin-react), and Rsbuild with `--tool`
// (installed in bench/peers by `npm run bench`), on the generated React
// apps, in one session, tools alternating in shuffled order each round. Per tool, app and round:
//   cold    server process start (caches removed: node_modules/.nexxo, node_modules/.vite) to every
//           component rendered in Chromium (a fresh browser context: no HTTP cache);
//   warm    the same with the caches the cold start left (only for --warm-sizes, all by default;
//           for other sizes the edits and RSS below come from the cold-started server);
//   hmr     20 edits of a leaf component and 20 of the root component, each from the file write to
//           the edited element in the DOM, timed in the page (MutationObserver, wall clock);
//   rss     peak resident memory of the server's process tree (VmHWM, summed), after the edits.
// Usage: node --import tsx bench/dev-bench.ts [--sizes 1000,10000] [--rounds 3] [--edits 20] [--tool nexxo,vite,rsbuild]
//        [--warm-sizes 1000] [--framework react|vue] [--out file] (instead of bench/results/<date>-dev.json)
// --framework vue: the same tree in single-file components (gen-vue-app.mjs): nexxo with nexxo/vue,
// Vite with @vitejs/plugin-vue (each from the app's own config file); edits change a template.

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.mjs'
import { freePort } from '../e2e/workerd-support.js'
import { generateReactApp } from './gen-react-app.mjs'
import { generateVueApp } from './gen-vue-app.mjs'
import { describeMachine, load, median, percentile, shuffle } from './lib.mjs'
import { treePeakRssMb } from './suite/measure.mjs'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' },
    rounds: { type: 'string' },
    edits: { type: 'string' },
    tool: { type: 'string' },
    out: { type: 'string' },
    'warm-sizes': { type: 'string' },
    framework: { type: 'string' },
  },
})
const framework = (values.framework ?? 'react') as 'react' | 'vue'
if (framework !== 'react' && framework !== 'vue') throw new Error(`--framework: react or vue, not ${framework}`)
/** The app's generator, its files to edit (a leaf and the root) and the edit that marks one. */
const APP = {
  react: {
    generate: generateReactApp,
    file: (i: number) => `src/components/c${i}.jsx`,
    mark: (code: string, m: string) => code.replace('<div className="c"', `<div data-hmr="${m}" className="c"`),
  },
  vue: {
    generate: generateVueApp,
    file: (i: number) => `src/components/C${i}.vue`,
    mark: (code: string, m: string) => code.replace('<div class="c"', `<div data-hmr="${m}" class="c"`),
  },
}[framework]
const sizes = (values.sizes ?? '1000,10000').split(',').map(Number)
const warmSizes = new Set(values['warm-sizes']?.split(',').map(Number) ?? sizes)
const rounds = Number(values.rounds ?? 3)
const edits = Number(values.edits ?? 20)
const tools = (values.tool ?? 'nexxo,vite').split(',') as Tool[]
type Tool = 'nexxo' | 'vite' | 'rsbuild'

const repo = new URL('..', import.meta.url).pathname

function startServer(tool: Tool, app: string, port: number): ChildProcess {
  const args = {
    nexxo: [join(repo, 'packages/nexxo/bin/nexxo.js'), 'dev', app, '--port', String(port), '--strict-port'],
    vite: [join(repo, 'bench/runners/vite-dev.mjs'), app, String(port)],
    // Installed by `npm run bench` (bench/peers), not by the repository's own install.
    rsbuild: [join(repo, 'bench/peers/rsbuild-dev.mjs'), app, String(port)],
  }[tool]
  return spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
}

const stop = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null) return done()
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      done()
    })
    child.kill('SIGTERM')
  })

/** Start to every component rendered; the page stays open for the edits. */
async function start(tool: Tool, app: string, n: number, browser: Browser) {
  const port = await freePort()
  const started = performance.now()
  const child = startServer(tool, app, port)
  let output = ''
  child.stdout!.on('data', (d) => {
    output += d
  })
  child.stderr!.on('data', (d) => {
    output += d
  })
  const url = `http://localhost:${port}/`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${tool} exited:\n${output}`)
    try {
      if ((await fetch(url)).ok) break
    } catch {}
    await new Promise((r) => setTimeout(r, 10))
  }
  const context = await browser.newContext()
  const page = await context.newPage()
  // Not 'load': with 10,000 modules that takes longer than goto's timeout; the wait below is the measure.
  await page.goto(url, { waitUntil: 'commit' })
  await page.waitForFunction((count) => document.querySelectorAll('.c').length === count, n, { timeout: 300_000 })
  const ms = performance.now() - started
  const close = async () => {
    await context.close()
    await stop(child)
  }
  return { child, page, ms, close }
}

/** Edits `file` so that its component's div carries data-hmr=<k>; ms from the write to that attribute in the DOM. */
async function timeEdits(page: Page, file: string, count: number): Promise<number[]> {
  const original = readFileSync(file, 'utf8')
  const times: number[] = []
  try {
    for (let k = 0; k < count; k++) {
      const marker = `e${k}-${Date.now()}`
      const seen = page.evaluate(
        (m) =>
          // No named functions in here: tsx would wrap them in a helper the page does not have.
          new Promise<number>((done) => {
            new MutationObserver((_, observer) => {
              if (document.querySelector(`[data-hmr="${m}"]`)) {
                observer.disconnect()
                done(performance.timeOrigin + performance.now())
              }
            }).observe(document.body, { subtree: true, childList: true, attributes: true })
          }),
        marker,
      )
      // The observer is in place before the write.
      await page.evaluate(() => 0)
      const written = performance.timeOrigin + performance.now()
      writeFileSync(file, APP.mark(original, marker))
      const at = await Promise.race([
        seen,
        new Promise<number>((_, fail) =>
          setTimeout(() => fail(new Error(`edit ${k} of ${file} never arrived`)), 20_000),
        ),
      ])
      times.push(at - written)
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    writeFileSync(file, original)
  }
  return times
}

interface Sample {
  cold: number
  warm: number | undefined
  leaf: number[]
  root: number[]
  rssMb: number
}

const machine = describeMachine()
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
const results: Record<string, Record<Tool, Sample[]>> = {}
try {
  for (const n of sizes) {
    const app = join(repo, `bench/apps/dev-${framework}-${n}`)
    if (!existsSync(join(app, 'index.html'))) APP.generate(n, app)
    results[n] = { nexxo: [], vite: [], rsbuild: [] }
    for (let round = 0; round < rounds; round++) {
      for (const tool of shuffle([...tools])) {
        console.log(`${framework}-${n} round ${round + 1}/${rounds} ${tool}`)
        rmSync(join(app, 'node_modules'), { recursive: true, force: true })
        mkdirSync(join(app, 'node_modules'), { recursive: true })
        const cold = await start(tool, app, n, browser)
        let warm: Awaited<ReturnType<typeof start>> | undefined
        if (warmSizes.has(n)) {
          await cold.close()
          warm = await start(tool, app, n, browser)
        }
        const server = warm ?? cold
        const leaf = await timeEdits(server.page, join(app, APP.file(n - 1)), edits)
        const root = await timeEdits(server.page, join(app, APP.file(0)), edits)
        const rssMb = treePeakRssMb(server.child.pid!)
        await server.close()
        results[n]![tool].push({ cold: cold.ms, warm: warm?.ms, leaf, root, rssMb })
      }
    }
  }
} finally {
  await browser.close()
}
machine.loadAfter = load()

const versions = {
  nexxo: JSON.parse(readFileSync(join(repo, 'packages/nexxo/package.json'), 'utf8')).version as string,
  vite: JSON.parse(readFileSync(join(repo, 'node_modules/vite/package.json'), 'utf8')).version as string,
  pluginReact: JSON.parse(readFileSync(join(repo, 'node_modules/@vitejs/plugin-react/package.json'), 'utf8'))
    .version as string,
  pluginVue: JSON.parse(readFileSync(join(repo, 'node_modules/@vitejs/plugin-vue/package.json'), 'utf8'))
    .version as string,
}
const round1 = (x: number) => Math.round(x * 10) / 10
const summary: Record<string, Record<string, unknown>> = {}
console.log(
  `\nnexxo dev vs Vite ${versions.vite}, ${rounds} rounds, ${edits} edits each, ${machine.cpu} × ${machine.cores}, load ${machine.loadBefore[0]} → ${machine.loadAfter[0]}`,
)
console.log('| app | tool | cold start | warm start | HMR leaf p50 / p95 | HMR root p50 / p95 | peak RSS |')
console.log('|---|---|---:|---:|---:|---:|---:|')
for (const n of sizes) {
  summary[n] = {}
  for (const tool of tools) {
    const samples = results[n]![tool]
    const leaf = samples.flatMap((s) => s.leaf)
    const root = samples.flatMap((s) => s.root)
    const row = {
      coldMs: round1(median(samples.map((s) => s.cold))),
      warmMs: warmSizes.has(n) ? round1(median(samples.map((s) => s.warm ?? Number.NaN))) : undefined,
      leafP50: round1(median(leaf)),
      leafP95: round1(percentile(leaf, 95)),
      rootP50: round1(median(root)),
      rootP95: round1(percentile(root, 95)),
      rssMb: round1(median(samples.map((s) => s.rssMb))),
    }
    summary[n]![tool] = row
    console.log(
      `| ${framework}-${n} | ${tool} | ${row.coldMs} ms | ${row.warmMs === undefined ? '—' : `${row.warmMs} ms`} | ${row.leafP50} / ${row.leafP95} ms | ${row.rootP50} / ${row.rootP95} ms | ${row.rssMb} MB |`,
    )
  }
}
mkdirSync(join(repo, 'bench/results'), { recursive: true })
const suffix = framework === 'react' ? '' : `-${framework}`
const file = values.out ?? join(repo, `bench/results/${new Date().toISOString().slice(0, 10)}-dev${suffix}.json`)
writeFileSync(
  file,
  `${JSON.stringify({ machine, versions, framework, rounds, edits, summary, raw: results }, null, 2)}\n`,
)
console.log(file)
