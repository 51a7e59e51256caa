// npm run bench — every case, every tool, one session, one report.
//
//   builds   each case built by nexxo and each peer (fresh process per build, minified, source maps,
//            written to disk), tools interleaved in a shuffled order each round after one untimed
//            warm-up round: wall clock cold (caches removed) and warm (the tool's own persistent
//            cache kept, where it has one), CPU seconds and peak RSS of the process tree, output
//            bytes raw and gzipped.
//   dev      `nexxo dev` beside Vite 8 and Rsbuild in Chromium on react-1k (bench/dev-bench.ts):
//            cold and warm start, HMR of a leaf and of the root component, server RSS.
//   wasm     the wasm lane in Chromium (bench/browser-bench.mjs) and the edge lane in workerd
//            (bench/edge-bench.ts), each run by its own script and folded in.
//   remote   react-10k (react-1k in --quick) on a second checkout with an empty local cache, a
//            Turborepo remote cache on 127.0.0.1 holding the first's build, against a cold build
//            (bench/remote-bench.ts).
//   canary   esbuild on three10x, at the start and at the end: how much the machine drifted.
//
// Usage: npm run bench -- [--quick] [--case a,b] [--tool x,y] [--runs 5] [--skip dev,wasm,edge,remote] [--resume]
// Each finished case and lane is kept in bench/apps/suite/_suite-partial.json; --resume picks a
// run that stopped (killed, machine rebooted) up from there, with the same arguments.
// Writes bench/results/<date>-<host>[-quick][-filtered].json, .md and charts/; then
// `npm run bench:readme` updates the README between its markers.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { describeMachine, load, median, shuffle } from './lib.mjs'
import { appsDir, CASES, peersDir, prepare } from './suite/cases.mjs'
import { failureSummary, measure, outputBytes } from './suite/measure.mjs'
import { reportName, writeReport } from './suite/report.mjs'
import { ABSENT, TOOLS } from './suite/tools.mjs'

const here = new URL('.', import.meta.url).pathname
const repo = join(here, '..')
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    case: { type: 'string' },
    tool: { type: 'string' },
    runs: { type: 'string' },
    skip: { type: 'string', default: '' },
    resume: { type: 'boolean', default: false },
  },
})

/**
 * The quick subset, under 15 minutes on two cores: the smallest case in every lane, and every tool
 * but the two slowest, webpack (alone a third of it) and Turbopack (`next build`, about 20 s a
 * react-1k build); the full suite has both everywhere.
 */
const SLOWEST = ['webpack + swc-loader', 'turbopack (next build)']
const QUICK = {
  cases: ['react-1k'],
  tools: Object.keys(TOOLS).filter((t) => !SLOWEST.includes(t)),
  devSizes: '1000',
  devWarmSizes: '1000',
  edits: 5,
  browserProjects: 'memory-500',
  remoteSizes: '1000',
}
/**
 * The dev lane runs react-1k. A react-10k dev start takes a minute and a half per tool (Chromium
 * fetching 20,000 modules on two cores), so three tools at five rounds would add about 40 minutes
 * to a two-hour suite: the larger apps are `npm run bench:dev`'s, as the report says.
 */
const FULL = {
  cases: Object.keys(CASES),
  tools: Object.keys(TOOLS),
  devSizes: '1000',
  devWarmSizes: '1000',
  edits: 20,
  browserProjects: 'memory-500,react-1k',
  remoteSizes: '10000',
}
const plan = values.quick ? QUICK : FULL
const list = (value, all, what) => {
  if (!value) return all
  const picked = value.split(',').map((s) => s.trim())
  const unknown = picked.filter((p) => !Object.keys(what).includes(p))
  if (unknown.length > 0)
    throw new Error(`unknown ${unknown.join(', ')}: expected one of ${Object.keys(what).join(', ')}`)
  return picked
}
const cases = list(values.case, plan.cases, CASES)
const tools = list(values.tool, plan.tools, TOOLS)
const runs = Number(values.runs ?? 5)
if (!(runs >= 1)) throw new Error('--runs must be a positive number')
const skip = new Set(values.skip.split(',').filter(Boolean))

/** The peers' own install (bench/peers), made or refreshed when its lockfile is newer. */
function installPeers() {
  const lock = join(peersDir, 'package-lock.json')
  const installed = join(peersDir, 'node_modules/.package-lock.json')
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return
  console.log('installing the peers (bench/peers/package.json) ...')
  // `npm install`, not `npm ci`, as in scripts/setup.mjs: npm 11 against this registry leaves other
  // platforms' optional packages out of the lock, which `npm ci` refuses; the lock still pins.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: peersDir, stdio: 'inherit' })
  if (r.status !== 0) throw new Error('npm install in bench/peers failed')
}

const version = (name) => {
  for (const base of [join(peersDir, 'node_modules'), join(repo, 'node_modules')]) {
    const file = join(base, name, 'package.json')
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version
  }
  return undefined
}

installPeers()
const machine = describeMachine()
const versions = {
  nexxo: JSON.parse(readFileSync(join(repo, 'packages/nexxo/package.json'), 'utf8')).version,
  vite: version('vite'),
  '@vitejs/plugin-react': version('@vitejs/plugin-react'),
  '@vitejs/plugin-vue': version('@vitejs/plugin-vue'),
  vue: version('vue'),
  rolldown: version('rolldown'),
  esbuild: version('esbuild'),
  '@rsbuild/core': version('@rsbuild/core'),
  '@rsbuild/plugin-react': version('@rsbuild/plugin-react'),
  webpack: version('webpack'),
  'swc-loader': version('swc-loader'),
  '@swc/core': version('@swc/core'),
  'esbuild-wasm': version('esbuild-wasm'),
  '@rolldown/browser': version('@rolldown/browser'),
  'next (Turbopack)': version('next'),
  three: version('three-108'),
}

const outDir = join(appsDir, '_out')
const cacheRoot = join(appsDir, '_cache')

/** One build of `tool` on the prepared case; `warm` keeps the tool's cache from the build before. */
async function build(tool, caseName, app, warm) {
  const t = TOOLS[tool]
  const cacheDir = t.cache ? join(cacheRoot, `${caseName}-${tool.replace(/\W+/g, '_')}`) : undefined
  if (cacheDir && !warm) rmSync(cacheDir, { recursive: true, force: true })
  rmSync(outDir, { recursive: true, force: true })
  const job = { app, entry: CASES[caseName].entry, out: outDir, ...(cacheDir ? { cacheDir } : {}) }
  const result = await measure(t.command(job), { cwd: app, env: { NO_COLOR: '1' } })
  return { ...result, bytes: await outputBytes(outDir) }
}

/** The canary: esbuild on three10x, `runs` times; the same figure at the start and at the end. */
async function canary() {
  const app = join(appsDir, 'three10x')
  if (!existsSync(join(app, CASES.three10x.entry))) prepare('three10x')
  const times = []
  for (let i = 0; i < runs; i++) times.push((await build('esbuild', 'three10x', app, false)).ms)
  return times
}

const partialFile = join(appsDir, '_suite-partial.json')
const signature = JSON.stringify({ quick: values.quick, cases, tools, runs, skip: [...skip] })
const partial = values.resume && existsSync(partialFile) ? JSON.parse(readFileSync(partialFile, 'utf8')) : undefined
if (values.resume && partial?.signature !== signature)
  throw new Error(`--resume: no stopped run with these arguments in ${partialFile}`)
const started = partial?.started ?? Date.now()
/** Case and lane names already measured, with the records they gave, kept after each one. */
const done = new Set(partial?.done ?? [])
const records = partial?.records ?? []
/** Lanes that failed: the run goes on without them and the report says why they are missing. */
const failed = partial?.failed ?? {}
const checkpoint = (step) => {
  done.add(step)
  mkdirSync(appsDir, { recursive: true })
  writeFileSync(partialFile, JSON.stringify({ signature, started, canaryStart, done: [...done], records, failed }))
}
const record = (caseName, tool, metric, unit, samples) =>
  records.push({
    case: caseName,
    tool,
    lane: TOOLS[tool].lane,
    nexxo: TOOLS[tool].nexxo === true,
    metric,
    unit,
    samples,
  })

const canaryStart = partial?.canaryStart ?? (await canary())
console.log(`canary (esbuild, three10x): ${median(canaryStart).toFixed(0)} ms`)

// One untimed round before the first case reads every tool's own files into the page cache; each
// case's sources are written by prepare() just before it is built, so they are in memory already.
// A resumed run has warmed up before it stopped; one round of react-10k is ten minutes.
let warmedUp = cases.some((c) => done.has(c))
for (const caseName of cases) {
  if (done.has(caseName)) continue
  const app = prepare(caseName)
  const caseTools = tools.filter((t) => !CASES[caseName].tools || CASES[caseName].tools.includes(t))
  const samples = Object.fromEntries(
    caseTools.map((t) => [t, { cold: [], warm: [], cpu: [], rss: [], bytes: undefined }]),
  )
  /** Tools still building this case: one that fails is named in the report and left out of it. */
  const building = new Set(caseTools)
  for (let round = warmedUp ? 1 : 0; round <= runs; round++) {
    for (const tool of shuffle([...building])) {
      const s = samples[tool]
      let cold
      let warm
      try {
        cold = await build(tool, caseName, app, false)
        warm = TOOLS[tool].cache ? await build(tool, caseName, app, true) : undefined
        if (warm && TOOLS[tool].warmHit && !TOOLS[tool].warmHit(warm.stdout)) {
          throw new Error(`the warm build was not served from the cache:\n${warm.stdout}`)
        }
      } catch (error) {
        failed[`${tool} on ${caseName}`] = failureSummary(error.message)
        console.error(`${tool} failed on ${caseName}: the report goes on without it\n${error.message}`)
        building.delete(tool)
        continue
      }
      if (round === 0) continue
      s.cold.push(cold.ms)
      s.cpu.push(cold.cpuS)
      s.rss.push(cold.rssMb)
      if (warm) s.warm.push(warm.ms)
      s.bytes ??= cold.bytes
    }
    process.stdout.write(round === 0 ? `${caseName}: warm-up done ` : round === 1 ? `${caseName}: .` : '.')
  }
  warmedUp = true
  console.log()
  for (const tool of building) {
    const s = samples[tool]
    record(caseName, tool, 'build cold', 'ms', s.cold)
    if (s.warm.length > 0) record(caseName, tool, 'build warm', 'ms', s.warm)
    record(caseName, tool, 'CPU (cold)', 's', s.cpu)
    record(caseName, tool, 'peak RSS (cold)', 'MB', s.rss)
    record(caseName, tool, 'output', 'kB', [s.bytes.raw / 1000])
    record(caseName, tool, 'output gzip', 'kB', [s.bytes.gzip / 1000])
  }
  checkpoint(caseName)
}

/** Runs one of the lane scripts with `--out`, and returns what it wrote. */
function lane(script, args) {
  const file = join(appsDir, `_${script.replace(/\W+/g, '_')}.json`)
  rmSync(file, { force: true })
  const viaTsx = script.endsWith('.ts') ? ['--import', 'tsx'] : []
  const r = spawnSync(process.execPath, [...viaTsx, join(here, script), ...args, '--out', file], {
    cwd: repo,
    stdio: 'inherit',
  })
  if (r.status !== 0) {
    // Hours of build figures are not thrown away for one lane: the report names what failed.
    failed[script] = `exited with ${r.status ?? r.signal}; its output is in the run's log.`
    console.error(`${script} failed: the report goes on without it`)
    return undefined
  }
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** The suite's tools that have a dev server, by dev-bench's names for them. */
const DEV_NAMES = { nexxo: 'nexxo', 'vite 8': 'vite', rsbuild: 'rsbuild' }
const devTools = tools.map((t) => DEV_NAMES[t]).filter(Boolean)
if (!skip.has('dev') && devTools.length > 0 && !done.has('dev')) {
  const dev = lane('dev-bench.ts', [
    '--sizes',
    plan.devSizes,
    '--rounds',
    String(runs),
    '--edits',
    String(plan.edits),
    '--tool',
    devTools.join(','),
    '--warm-sizes',
    plan.devWarmSizes,
  ])
  for (const [n, byTool] of Object.entries(dev?.raw ?? {})) {
    const caseName = `react-${Number(n) / 1000}k`
    for (const [name, rows] of Object.entries(byTool)) {
      const tool = Object.keys(DEV_NAMES).find((t) => DEV_NAMES[t] === name)
      if (rows.length === 0) continue
      // Per round: the median of its edits; the figure is the median of those, min-max across rounds.
      const metrics = [
        ['dev cold start', 'ms', (r) => r.cold],
        ['dev warm start', 'ms', (r) => r.warm],
        ['HMR leaf', 'ms', (r) => median(r.leaf)],
        ['HMR root', 'ms', (r) => median(r.root)],
        ['dev server RSS', 'MB', (r) => r.rssMb],
      ]
      for (const [metric, unit, of] of metrics) {
        const samples = rows.map(of)
        // Warm starts are timed only on --warm-sizes; JSON drops the others' undefined.
        if (samples.every((x) => typeof x === 'number')) record(caseName, tool, metric, unit, samples)
      }
    }
  }
  checkpoint('dev')
}

if (!skip.has('wasm') && !done.has('wasm')) {
  const browser = lane('browser-bench.mjs', ['--runs', String(runs), '--project', plan.browserProjects])
  for (const r of browser?.records ?? []) records.push(r)
  checkpoint('wasm')
}
if (!skip.has('edge') && !done.has('edge')) {
  const edge = lane('edge-bench.ts', ['--rounds', String(runs), '--runtime', 'workerd'])
  for (const r of edge?.records ?? []) records.push(r)
  checkpoint('edge')
}

if (!skip.has('remote') && !done.has('remote')) {
  const remote = lane('remote-bench.ts', ['--sizes', plan.remoteSizes, '--runs', String(runs)])
  for (const r of remote?.records ?? []) records.push(r)
  checkpoint('remote')
}

const canaryEnd = await canary()
machine.loadAfter = load()
const run = {
  date: new Date().toISOString(),
  quick: values.quick,
  resumed: partial !== undefined,
  // Cases, tools or lanes left out by the command line: not the full suite, whatever else it is.
  filtered: Boolean(values.case || values.tool || values.skip),
  minutes: +((Date.now() - started) / 60_000).toFixed(1),
  machine,
  versions,
  runs,
  devSizes: skip.has('dev') ? [] : plan.devSizes.split(',').map(Number),
  devWarmSizes: skip.has('dev') ? [] : plan.devWarmSizes.split(',').map(Number),
  failed,
  canary: { tool: 'esbuild', case: 'three10x', start: canaryStart, end: canaryEnd },
  absent: {
    ...ABSENT,
    ...Object.fromEntries(
      cases.filter((c) => CASES[c].toolsWhy).map((c) => [`other tools on ${c}`, CASES[c].toolsWhy]),
    ),
    ...Object.fromEntries(
      Object.keys(TOOLS)
        .filter((t) => !tools.includes(t))
        .map((t) => [t, values.quick && !values.tool ? 'left out of the quick subset.' : 'left out by --tool.']),
    ),
  },
  records: records.map((r) => ({
    ...r,
    median: median(r.samples),
    min: Math.min(...r.samples),
    max: Math.max(...r.samples),
  })),
}
const name = reportName({ date: run.date, host: machine.host, quick: values.quick, filtered: run.filtered }, (n) =>
  existsSync(join(here, 'results', `${n}.json`)),
)
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', `${name}.json`), `${JSON.stringify(run, null, 2)}\n`)
writeReport(run, join(here, 'results'), name)
rmSync(partialFile, { force: true })
console.log(`wrote bench/results/${name}.json and .md (${run.minutes} min)`)
