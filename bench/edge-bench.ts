// npm run bench:edge — nexxo/edge (examples/edge-worker, built by nexxo) in workerd, Deno and Bun
// on loopback, with a registry of ours on 127.0.0.1 (react, react-dom, scheduler packed from
// node_modules). Per runtime and round, in a fresh process:
//   cold     the first POST /build of a 5-file project after the process answers /health
//            (wasm compile and engine start included), and spawn-to-that-answer;
//   warm     uncached builds of the 5-file project (one byte changed each time): p50, p95;
//   cached   the same request repeated (a whole-response cache hit): p50, p95;
//   npm      GET /npm/react-dom@19.2.0/client cold (first request: registry, install, build) and
//            cached (p50).
// The peer: esbuild-wasm called directly by a hand-written handler in the same runtime
// (bench/edge/direct-handler.ts: no cache, no checks), cold and warm, in the same rounds.
// Each figure is the median over rounds; rounds interleave the runtimes and tools. Usage:
//   node --import tsx bench/edge-bench.ts [--rounds 5] [--runtime workerd,deno,bun] [--out file]
// (--out: write there, with the suite's records, instead of bench/results/<date>-edge.json)

import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { EDGE_RUNTIMES, type EdgeRuntime, startRuntime } from '../e2e/edge-runtimes.js'
import { repo, tempDir } from '../e2e/helpers.js'
import { packInstalled, TestRegistry } from '../e2e/registry-server.js'
import { describeMachine, load, median, percentile } from './lib.mjs'

const { values } = parseArgs({
  options: { rounds: { type: 'string' }, runtime: { type: 'string' }, out: { type: 'string' } },
})
const rounds = Number(values.rounds ?? 5)
const runtimes = (values.runtime?.split(',') ?? [...EDGE_RUNTIMES]) as EdgeRuntime[]
const WARM = 20
const CACHED = 50
const NPM_CACHED = 20

const work = tempDir('edge-bench')

const project = (n: number) => ({
  entry: 'src/main.ts',
  files: {
    'src/main.ts': `import { greet } from './greet'\nimport { sum } from './math'\nimport { Store } from './store'\nimport { format } from './format'\nconst s = new Store()\ns.add(sum([1, 2, 3]))\nconsole.log(format(greet('edge'), s.total)) // ${n}\n`,
    'src/greet.ts': "export const greet = (name: string): string => 'hello ' + name\n",
    'src/math.ts': 'export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)\n',
    'src/store.ts':
      'export class Store {\n  private items: number[] = []\n  add(n: number) { this.items.push(n) }\n  get total() { return this.items.length }\n}\n',
    'src/format.ts': "export const format = (text: string, n: number) => text + ' (' + n + ')'\n",
  },
})

async function timed(request: () => Promise<Response>): Promise<number> {
  const started = performance.now()
  const response = await request()
  await response.arrayBuffer()
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return performance.now() - started
}

const post = (origin: string, body: unknown) => () =>
  fetch(`${origin}/build`, { method: 'POST', headers: { accept: 'text/javascript' }, body: JSON.stringify(body) })

interface DirectRound {
  coldFirstBuild: number
  warm: number[]
}

async function directRound(runtime: EdgeRuntime, index: number): Promise<DirectRound> {
  const running = await startRuntime(runtime, 'http://127.0.0.1:9/', join(work, `direct-${runtime}-${index}`), {
    dist: join(repo, 'bench/edge/dist'),
    wasm: ['esbuild.wasm'],
  })
  try {
    const coldFirstBuild = await timed(post(running.origin, project(-1)))
    const warm: number[] = []
    for (let i = 0; i < WARM; i++) warm.push(await timed(post(running.origin, project(i))))
    return { coldFirstBuild, warm }
  } finally {
    running.stop()
  }
}

interface Round {
  coldFirstBuild: number
  coldSpawnToBuild: number
  warm: number[]
  cached: number[]
  npmCold: number
  npmCached: number[]
}

async function round(runtime: EdgeRuntime, registryUrl: string, index: number): Promise<Round> {
  const spawned = performance.now()
  const running = await startRuntime(runtime, registryUrl, join(work, `${runtime}-${index}`))
  try {
    const { origin } = running
    const coldFirstBuild = await timed(post(origin, project(-1)))
    const coldSpawnToBuild = performance.now() - spawned
    const warm: number[] = []
    for (let i = 0; i < WARM; i++) warm.push(await timed(post(origin, project(i))))
    const cached: number[] = []
    for (let i = 0; i < CACHED; i++) cached.push(await timed(post(origin, project(0))))
    const npmUrl = `${origin}/npm/react-dom@19.2.0/client`
    const npmCold = await timed(() => fetch(npmUrl))
    const npmCached: number[] = []
    for (let i = 0; i < NPM_CACHED; i++) npmCached.push(await timed(() => fetch(npmUrl)))
    return { coldFirstBuild, coldSpawnToBuild, warm, cached, npmCold, npmCached }
  } finally {
    running.stop()
  }
}

execFileSync(process.execPath, [join(repo, 'examples/edge-worker/build.mjs')], { stdio: 'inherit' })
execFileSync(process.execPath, [join(repo, 'bench/edge/build-direct.mjs')], { stdio: 'inherit' })
const registry = await TestRegistry.start()
for (const name of ['react', 'react-dom', 'scheduler'])
  registry.publish(packInstalled(join(repo, 'node_modules', name)))
const machine = describeMachine()
const results: Record<string, Round[]> = Object.fromEntries(runtimes.map((r) => [r, []]))
const direct: Record<string, DirectRound[]> = Object.fromEntries(runtimes.map((r) => [r, []]))
try {
  for (let r = 0; r < rounds; r++) {
    for (const runtime of runtimes) {
      mkdirSync(join(work, `${runtime}-${r}`), { recursive: true })
      mkdirSync(join(work, `direct-${runtime}-${r}`), { recursive: true })
      // Alternate which tool goes first, so neither always meets the warmer machine.
      const pair = [
        async () => results[runtime]!.push(await round(runtime, registry.url, r)),
        async () => direct[runtime]!.push(await directRound(runtime, r)),
      ]
      for (const run of r % 2 ? pair.reverse() : pair) await run()
      process.stderr.write(`round ${r + 1}/${rounds} ${runtime}\n`)
    }
  }
} finally {
  await registry.close()
  rmSync(work, { recursive: true, force: true })
}
machine.loadAfter = load()

const versions = {
  workerd: JSON.parse(readFileSync(join(repo, 'node_modules/workerd/package.json'), 'utf8')).version,
  deno: JSON.parse(readFileSync(join(repo, 'node_modules/deno/package.json'), 'utf8')).version,
  bun: JSON.parse(readFileSync(join(repo, 'node_modules/bun/package.json'), 'utf8')).version,
}
const summary = Object.fromEntries(
  Object.entries(results).map(([runtime, rs]) => [
    runtime,
    {
      version: versions[runtime as EdgeRuntime],
      coldFirstBuildMs: median(rs.map((r) => r.coldFirstBuild)),
      coldSpawnToBuildMs: median(rs.map((r) => r.coldSpawnToBuild)),
      warmP50Ms: median(rs.map((r) => percentile(r.warm, 50))),
      warmP95Ms: median(rs.map((r) => percentile(r.warm, 95))),
      cachedP50Ms: median(rs.map((r) => percentile(r.cached, 50))),
      cachedP95Ms: median(rs.map((r) => percentile(r.cached, 95))),
      npmColdMs: median(rs.map((r) => r.npmCold)),
      npmCachedP50Ms: median(rs.map((r) => percentile(r.npmCached, 50))),
      directColdFirstBuildMs: median(direct[runtime]!.map((r) => r.coldFirstBuild)),
      directWarmP50Ms: median(direct[runtime]!.map((r) => percentile(r.warm, 50))),
    },
  ]),
)
const date = new Date().toISOString().slice(0, 10)
mkdirSync(join(repo, 'bench/results'), { recursive: true })
const out = values.out ?? join(repo, `bench/results/${date}-edge.json`)
// The suite's shape (bench/suite.mjs): one record per runtime, tool and metric, a figure per round.
const records = Object.entries(results).flatMap(([runtime, rs]) => {
  const lane = `edge (${runtime})`
  const nexxo = { case: '5-file project (edge)', tool: 'nexxo/edge', lane, nexxo: true, unit: 'ms' }
  const peer = { ...nexxo, tool: 'esbuild-wasm handler', nexxo: false }
  const peerRounds = direct[runtime]!
  return [
    { ...nexxo, metric: 'build cold', samples: rs.map((r) => r.coldFirstBuild) },
    { ...peer, metric: 'build cold', samples: peerRounds.map((r) => r.coldFirstBuild) },
    { ...nexxo, metric: 'build warm', samples: rs.map((r) => percentile(r.warm, 50)) },
    { ...peer, metric: 'build warm', samples: peerRounds.map((r) => percentile(r.warm, 50)) },
    { ...nexxo, metric: 'cached repeat', samples: rs.map((r) => percentile(r.cached, 50)) },
  ]
})
writeFileSync(
  out,
  `${JSON.stringify({ date, rounds, machine, summary, raw: { nexxo: results, direct }, records }, null, 1)}\n`,
)

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1))
console.log(
  `\nnexxo/edge, ${rounds} rounds, ${machine.cpu} × ${machine.cores}, load ${machine.loadBefore[0]} → ${machine.loadAfter[0]}`,
)
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`
console.log(
  '| runtime | cold: first build (direct esbuild-wasm, ratio) | cold: spawn → built | warm 5-file p50 (direct, ratio) / p95 | cached p50 / p95 | react-dom cold | react-dom cached p50 |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|')
for (const [runtime, s] of Object.entries(summary)) {
  const cold = `${ms(s.coldFirstBuildMs)} (${ms(s.directColdFirstBuildMs)}, ${x(s.coldFirstBuildMs, s.directColdFirstBuildMs)})`
  const warm = `${ms(s.warmP50Ms)} (${ms(s.directWarmP50Ms)}, ${x(s.warmP50Ms, s.directWarmP50Ms)}) / ${ms(s.warmP95Ms)}`
  console.log(
    `| ${runtime} ${s.version} | ${cold} | ${ms(s.coldSpawnToBuildMs)} | ${warm} | ${ms(s.cachedP50Ms)} / ${ms(s.cachedP95Ms)} | ${ms(s.npmColdMs)} | ${ms(s.npmCachedP50Ms)} |`,
  )
}
console.log(`\n${out}`)
