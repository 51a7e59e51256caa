// The build cache, side by side in one session: cold build, rebuild with nothing changed, and
// rebuild with one leaf module edited, for nexxo and for peers without a persistent cache (rolldown
// called directly, Vite 8), on generated React apps on disk (native) and an in-memory TypeScript
// project (wasm lane). Fresh process per build on disk; interleaved, shuffled rounds; medians.
// Usage: npm run bench:cache -- [--sizes 1000,10000] [--memory 500] [--runs 5]
import { spawnSync } from 'node:child_process'
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateReactApp } from './gen-react-app.mjs'
import { describeMachine, load, median, shuffle } from './lib.mjs'

const here = new URL('.', import.meta.url).pathname
const repo = join(here, '..')
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    memory: { type: 'string', default: '500' },
    runs: { type: 'string', default: '5' },
  },
})
const runs = Number(values.runs)
const nexxo = join(repo, 'packages/nexxo/bin/nexxo.js')

function timed(cmd, args) {
  const start = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`)
  return Number(process.hrtime.bigint() - start) / 1e6
}

const machine = describeMachine()

const results = []
const record = (app, tool, scenario, xs) =>
  results.push({
    app,
    tool,
    scenario,
    medianMs: median(xs),
    minMs: Math.min(...xs),
    maxMs: Math.max(...xs),
    runs: xs.length,
  })

for (const n of values.sizes.split(',').filter(Boolean).map(Number)) {
  const app = join(here, 'apps', `react-${n}`)
  generateReactApp(n, app)
  const out = join(here, 'apps', `out-${n}`)
  const cacheDir = join(here, 'apps', `cache-${n}`)
  const leaf = join(app, `src/components/c${n - 1}.helper.js`)
  const original = readFileSync(leaf, 'utf8')
  let edits = 0
  // The peers' runners (shared with the suite) write source maps too.
  const job = JSON.stringify({ app, entry: 'src/main.jsx', out })
  const nexxoBuild = () =>
    timed(process.execPath, [nexxo, 'build', app, '--minify', '--sourcemap', '--out-dir', out, '--cache-dir', cacheDir])
  const cases = {
    'nexxo/cold': () => {
      rmSync(cacheDir, { recursive: true, force: true })
      return nexxoBuild()
    },
    'nexxo/unchanged': () => {
      nexxoBuild() // untimed: the cache now holds this exact project
      return nexxoBuild()
    },
    'nexxo/one leaf edited': () => {
      nexxoBuild()
      appendFileSync(leaf, `console.log('edit ${++edits}')\n`)
      return nexxoBuild()
    },
    'rolldown direct/cold': () => timed(process.execPath, [join(here, 'runners/rolldown.mjs'), 'native', job]),
    'vite 8/cold': () => timed(process.execPath, [join(here, 'runners/vite.mjs'), job]),
  }
  const times = Object.fromEntries(Object.keys(cases).map((c) => [c, []]))
  for (let round = 0; round <= runs; round++) {
    for (const c of shuffle(Object.keys(cases))) {
      writeFileSync(leaf, original)
      const ms = cases[c]()
      if (round > 0) times[c].push(ms) // round 0 warms the file system cache for everyone alike
    }
    process.stdout.write(round === 0 ? `react-${n}: warm-up done ` : '.')
  }
  writeFileSync(leaf, original)
  console.log()
  for (const [c, xs] of Object.entries(times)) {
    const [tool, scenario] = c.split('/')
    record(`react-${n}`, tool, scenario, xs)
  }
}

for (const n of values.memory.split(',').filter(Boolean).map(Number)) {
  const times = {
    nexxo: { cold: [], unchanged: [], oneEdit: [] },
    'rolldown-browser': { cold: [], unchanged: [], oneEdit: [] },
  }
  for (let round = 0; round <= runs; round++) {
    for (const tool of shuffle(Object.keys(times))) {
      const r = spawnSync(process.execPath, [join(here, 'runners/memory-wasm.mjs'), tool, String(n)], {
        cwd: repo,
        encoding: 'utf8',
      })
      if (r.status !== 0) throw new Error(`${tool} failed:\n${r.stderr}`)
      const t = JSON.parse(r.stdout.trim().split('\n').pop())
      if (round > 0) for (const k of Object.keys(t)) times[tool][k].push(t[k])
    }
    process.stdout.write(round === 0 ? `memory-${n}: warm-up done ` : '.')
  }
  console.log()
  const names = { cold: 'cold', unchanged: 'unchanged', oneEdit: 'one leaf edited' }
  for (const [tool, byScenario] of Object.entries(times)) {
    for (const [k, xs] of Object.entries(byScenario)) {
      record(
        `memory-${n} (wasm, in-process)`,
        tool === 'nexxo' ? 'nexxo wasm' : '@rolldown/browser direct',
        names[k],
        xs,
      )
    }
  }
}
machine.loadAfter = load()

const cold = (app, tool) => results.find((r) => r.app === app && r.tool === tool && r.scenario === 'cold')?.medianMs
const lines = ['| app | tool | scenario | median | min–max | vs own cold |', '|---|---|---|---:|---:|---:|']
for (const r of results) {
  const base = cold(r.app, r.tool)
  lines.push(
    `| ${r.app} | ${r.tool} | ${r.scenario} | ${r.medianMs.toFixed(0)} ms | ${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms | ${base ? `${((100 * r.medianMs) / base).toFixed(0)}%` : ''} |`,
  )
}
console.log(`\n${lines.join('\n')}\n`)
console.log(
  `Medians of ${runs} runs (wall clock, minified). On disk: a fresh process per build, written to disk. In memory: one process per round (cold includes engine load and wasm compile). Load ${machine.loadBefore.join(' ')} -> ${machine.loadAfter.join(' ')}.`,
)
mkdirSync(join(here, 'results'), { recursive: true })
const file = join(here, 'results', `${new Date().toISOString().slice(0, 10)}-${machine.host}-cache.json`)
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), machine, runs, results, table: lines }, null, 2)}\n`,
)
console.log(`wrote ${file}`)
