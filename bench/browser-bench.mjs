// `npm run bench:browser`: in-memory builds in headless Chromium (Debian's), side by side on one
// machine: nexxo/browser with each engine it offers (esbuild-wasm on a plain page, @rolldown/browser
// on a cross-origin isolated one), the same engines called directly in a worker, and native nexxo
// in Node. Projects: memory-500 (a generated TypeScript tree) and react-1k (a generated React app
// with react and react-dom in the files). Cold = first build after a fresh page load (new browser
// context: worker start and wasm compile included); warm = later builds, cache off. Medians.
// Options: --runs N (cold page loads per cell, default 5), --warm N (warm builds per load, default 5),
// --out file (write there, with the suite's records, instead of bench/results/<date>-browser.json),
// --project memory-500,react-1k (which projects; default both)
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { rolldown } from 'rolldown'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.mjs'
import { generateReactApp } from './gen-react-app.mjs'
import { generateTsProject } from './gen-ts-project.mjs'
import { describeMachine, load, median } from './lib.mjs'

const { values } = parseArgs({
  options: { runs: { type: 'string' }, warm: { type: 'string' }, out: { type: 'string' }, project: { type: 'string' } },
})
const RUNS = Number(values.runs ?? 5)
const WARM = Number(values.warm ?? 5)
const root = new URL('..', import.meta.url).pathname
const require = createRequire(import.meta.url)
const out = join(root, 'bench/results/raw/browser-page')
const machine = describeMachine()

// ---- the page: bench/browser/{page,direct-worker}.ts bundled, nexxo's worker under /nexxo/ ----
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
for (const [name, file] of [
  ['page', 'bench/browser/page.ts'],
  ['direct-worker', 'bench/browser/direct-worker.ts'],
]) {
  const build = await rolldown({
    input: { [name]: join(root, file) },
    platform: 'browser',
    logLevel: 'warn',
    resolve: { conditionNames: ['browser', 'import', 'default'] },
  })
  await build.write({
    dir: out,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: `${name}-[name]-[hash].js`,
  })
  await build.close()
}
const rolldownBrowser = dirname(require.resolve('@rolldown/browser/package.json'))
cpSync(join(root, 'packages/nexxo/dist/browser/wasi-worker-browser.mjs'), join(out, 'wasi-worker-browser.mjs'))
for (const file of [
  require.resolve('esbuild-wasm/esbuild.wasm'),
  join(rolldownBrowser, 'dist/rolldown-binding.wasm32-wasi.wasm'),
]) {
  cpSync(file, join(out, file.slice(file.lastIndexOf('/') + 1)))
}
cpSync(join(root, 'packages/nexxo/dist/browser'), join(out, 'nexxo'), { recursive: true })
writeFileSync(
  join(out, 'index.html'),
  '<!doctype html><title>loading</title><script type="module" src="/page.js"></script>',
)

// ---- the projects ----
const BUNDLEABLE = /\.(m?js|cjs|json)$/
function packageFiles(name) {
  const dir = join(root, 'node_modules', name)
  const files = {}
  const walk = (d) => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry)
      if (statSync(p).isDirectory()) walk(p)
      else if (BUNDLEABLE.test(p)) files[`node_modules/${name}/${relative(dir, p)}`] = readFileSync(p, 'utf8')
    }
  }
  walk(dir)
  return files
}
const reactDir = mkdtempSync(join(tmpdir(), 'nexxo-bench-react-'))
generateReactApp(1000, reactDir)
const reactFiles = {}
const readTree = (dir, prefix) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) readTree(p, `${prefix}${name}/`)
    else reactFiles[`${prefix}${name}`] = readFileSync(p, 'utf8')
  }
}
readTree(join(reactDir, 'src'), 'src/')
rmSync(reactDir, { recursive: true, force: true })
Object.assign(reactFiles, packageFiles('react'), packageFiles('react-dom'), packageFiles('scheduler'))
const allProjects = {
  'memory-500': { files: generateTsProject(500), entry: 'src/m0.ts' },
  'react-1k': { files: reactFiles, entry: 'src/main.jsx' },
}
const projects = Object.fromEntries(
  Object.entries(allProjects).filter(([name]) => !values.project || values.project.split(',').includes(name)),
)
if (Object.keys(projects).length === 0) throw new Error(`--project: expected some of ${Object.keys(allProjects)}`)
// The peers get resolution for free: every import's target, from the core's resolver.
const { loadNativeCoreOnce } = await import('../packages/nexxo/dist/build/backend.js')
const core = loadNativeCoreOnce()
for (const p of Object.values(projects)) {
  p.resolutions = {}
  for (const m of core.projectFromFiles(p.files, [p.entry]).modules) {
    for (const imp of m.imports) if (imp.resolved) p.resolutions[`${m.id}\0${imp.specifier}`] = imp.resolved
  }
}

// ---- a static server: plain, or cross-origin isolated ----
const { serveStatic } = await import('../packages/nexxo/dist/serve/static.js')
const servers = { plain: await serveStatic(out), isolated: await serveStatic(out, { isolated: true }) }
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })

const cells = [
  { label: 'nexxo/browser · esbuild-wasm', tool: 'nexxo', engine: 'esbuild', page: 'plain' },
  { label: 'esbuild-wasm direct', tool: 'direct', engine: 'esbuild', page: 'plain' },
  { label: 'nexxo/browser · @rolldown/browser', tool: 'nexxo', engine: 'rolldown', page: 'isolated' },
  { label: '@rolldown/browser direct', tool: 'direct', engine: 'rolldown', page: 'isolated' },
  { label: 'native nexxo · rolldown (Node)', tool: 'native', engine: 'rolldown' },
  { label: 'native nexxo · esbuild (Node)', tool: 'native', engine: 'esbuild' },
]

async function inChromium(cell, project) {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(servers[cell.page].url)
    await page.waitForFunction(() => document.title === 'ready')
    return await page.evaluate((job) => globalThis.runJob(job), {
      ...project,
      tool: cell.tool,
      engine: cell.engine,
      warmRuns: WARM,
    })
  } finally {
    await context.close()
  }
}

function inNode(cell, projectFile) {
  const stdout = execFileSync(
    process.execPath,
    [join(root, 'bench/runners/files-native.mjs'), cell.engine, projectFile, String(WARM)],
    {
      encoding: 'utf8',
    },
  )
  return JSON.parse(stdout.trim().split('\n').pop())
}

const results = []
const tmp = mkdtempSync(join(tmpdir(), 'nexxo-bench-browser-'))
for (const [name, project] of Object.entries(projects)) {
  const projectFile = join(tmp, `${name}.json`)
  writeFileSync(projectFile, JSON.stringify(project))
  for (let run = 0; run < RUNS; run++) {
    // Interleaved: every tool sees the same stretch of machine noise.
    for (const cell of cells) {
      const r = cell.tool === 'native' ? inNode(cell, projectFile) : await inChromium(cell, project)
      results.push({ project: name, label: cell.label, run, cold: r.cold, warm: median(r.warm), bytes: r.bytes })
      process.stdout.write('.')
    }
  }
}
console.log()
rmSync(tmp, { recursive: true, force: true })
await browser.close()
await Promise.all(Object.values(servers).map((s) => s.close()))
machine.loadAfter = load()

// ---- the report: medians, and ratios against esbuild-wasm called directly ----
const rows = []
for (const name of Object.keys(projects)) {
  const of = (label) => results.filter((r) => r.project === name && r.label === label)
  const base = of('esbuild-wasm direct')
  const baseCold = median(base.map((r) => r.cold))
  const baseWarm = median(base.map((r) => r.warm))
  for (const cell of cells) {
    const rs = of(cell.label)
    const cold = median(rs.map((r) => r.cold))
    const warm = median(rs.map((r) => r.warm))
    rows.push({
      project: name,
      tool: cell.label,
      cold,
      warm,
      coldVsEsbuildWasm: cold / baseCold,
      warmVsEsbuildWasm: warm / baseWarm,
      bytes: rs[0].bytes,
    })
  }
}
const fmt = (n) => `${Math.round(n)} ms`
const x = (n) => `${n.toFixed(2)}×`
console.log('\n| project | tool | cold | warm | cold vs esbuild-wasm direct | warm vs esbuild-wasm direct | output |')
console.log('|---|---|---:|---:|---:|---:|---:|')
for (const r of rows) {
  console.log(
    `| ${r.project} | ${r.tool} | ${fmt(r.cold)} | ${fmt(r.warm)} | ${x(r.coldVsEsbuildWasm)} | ${x(r.warmVsEsbuildWasm)} | ${(r.bytes / 1024).toFixed(0)} kB |`,
  )
}
const chromiumVersion = execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], {
  encoding: 'utf8',
}).trim()
const file = values.out ?? join(root, 'bench/results', `${new Date().toISOString().slice(0, 10)}-browser.json`)
// The suite's shape (bench/suite.mjs): one record per project, tool and metric, with every run's figure.
const records = []
for (const name of Object.keys(projects)) {
  for (const cell of cells) {
    const rs = results.filter((r) => r.project === name && r.label === cell.label)
    const lane = cell.tool === 'native' ? 'files in Node' : 'wasm in Chromium'
    const base = { case: `${name} (in memory)`, tool: cell.label, lane, nexxo: cell.tool !== 'direct', unit: 'ms' }
    records.push({ ...base, metric: 'build cold', samples: rs.map((r) => r.cold) })
    records.push({ ...base, metric: 'build warm', samples: rs.map((r) => r.warm) })
  }
}
writeFileSync(
  file,
  `${JSON.stringify({ machine, chromium: chromiumVersion, runs: RUNS, warmRuns: WARM, rows, results, records }, null, 2)}\n`,
)
console.log(
  `\n${relative(root, file)} · ${chromiumVersion} · ${RUNS} cold loads per cell, ${WARM} warm builds each · load ${machine.loadBefore.join(' ')} → ${machine.loadAfter.join(' ')}`,
)
