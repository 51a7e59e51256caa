// Production builds of generated React apps, side by side in one session:
//   nexxo (native backend), nexxo (wasm backend), rolldown called directly, esbuild called directly.
// Every tool runs as a fresh process per build (cold, as a CI build is), tools interleave in a
// shuffled order each round, and the report gives medians with min-max and ratios against rolldown
// measured in the same rounds. Usage: npm run bench -- [--sizes 1000,10000] [--runs 5]
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateReactApp } from './gen-react-app.mjs'
import { describeMachine, load, median, shuffle } from './lib.mjs'

const here = new URL('.', import.meta.url).pathname
const repo = join(here, '..')
const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '1000,10000' }, runs: { type: 'string', default: '5' } },
})
const sizes = values.sizes.split(',').map(Number)
const runs = Number(values.runs)
const nexxo = join(repo, 'packages/nexxo/bin/nexxo.js')

// nexxo's cold runs get an empty cache directory every time (they pay for writing it); the warm row
// rebuilds an unchanged project against a cache that the untimed first round filled.
const coldCache = join(here, 'apps', 'cache-cold')
const nexxoBuild = (app, out, ...flags) => [
  process.execPath,
  nexxo,
  'build',
  app,
  '--minify',
  '--out-dir',
  out,
  ...flags,
]
const tools = {
  'nexxo native': (app, out) => {
    rmSync(coldCache, { recursive: true, force: true })
    return nexxoBuild(app, out, '--backend', 'native', '--cache-dir', coldCache)
  },
  'nexxo native, unchanged (cache hit)': (app, out) =>
    nexxoBuild(app, out, '--backend', 'native', '--cache-dir', `${app}-warm-cache`),
  'nexxo wasm': (app, out) => nexxoBuild(app, out, '--backend', 'wasm', '--no-cache'),
  'rolldown direct': (app, out) => [process.execPath, join(here, 'runners/rolldown.mjs'), app, out],
  'esbuild direct': (app, out) => [process.execPath, join(here, 'runners/esbuild.mjs'), app, out],
}

const machine = describeMachine()

const results = []
for (const n of sizes) {
  const app = join(here, 'apps', `react-${n}`)
  generateReactApp(n, app)
  rmSync(`${app}-warm-cache`, { recursive: true, force: true })
  const times = Object.fromEntries(Object.keys(tools).map((t) => [t, []]))
  // One untimed round warms the file system cache for every tool alike.
  for (let round = 0; round <= runs; round++) {
    for (const tool of shuffle(Object.keys(tools))) {
      const out = join(here, 'apps', `out-${n}`)
      rmSync(out, { recursive: true, force: true })
      const [cmd, ...args] = tools[tool](app, out)
      const start = process.hrtime.bigint()
      const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8' })
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (r.status !== 0) throw new Error(`${tool} failed on react-${n}:\n${r.stderr}${r.stdout}`)
      if (round > 0) times[tool].push(ms)
    }
    process.stdout.write(round === 0 ? `react-${n}: warm-up done ` : '.')
  }
  console.log()
  const base = median(times['rolldown direct'])
  for (const [tool, xs] of Object.entries(times)) {
    results.push({
      app: `react-${n}`,
      tool,
      medianMs: median(xs),
      minMs: Math.min(...xs),
      maxMs: Math.max(...xs),
      runs: xs.length,
      vsRolldown: median(xs) / base,
    })
  }
}
machine.loadAfter = load()

const lines = [
  `| app | tool | median | min–max | vs rolldown direct |`,
  `|---|---|---:|---:|---:|`,
  ...results.map(
    (r) =>
      `| ${r.app} | ${r.tool} | ${r.medianMs.toFixed(0)} ms | ${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms | ${r.vsRolldown.toFixed(2)}× |`,
  ),
]
console.log(`\n${lines.join('\n')}\n`)
console.log(
  `Each figure: median of ${runs} cold builds (fresh process, wall clock, minified, written to disk); load ${machine.loadBefore.join(' ')} -> ${machine.loadAfter.join(' ')}.`,
)
mkdirSync(join(here, 'results'), { recursive: true })
const file = join(here, 'results', `${new Date().toISOString().slice(0, 10)}-${machine.host}.json`)
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, runs, results }, null, 2)}\n`)
console.log(`wrote ${file}`)
