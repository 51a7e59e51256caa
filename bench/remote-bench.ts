// npm run bench:remote — the remote cache tier (issue 21's lane): on generated React apps, a build
// on "machine B" (another checkout of the project, at another path, with newer files, no local
// cache and no dist/) while a Turborepo remote cache server (turborepo-remote-cache, file storage,
// on 127.0.0.1) holds machine A's build, against a cold build of the same checkout (an empty
// local cache, no remote). Both through the CLI, a fresh process each; rounds alternate the two in shuffled order;
// medians. The server's loopback is no network: the figure is the floor a LAN or CI cache adds to.
// Usage: node --import tsx bench/remote-bench.ts [--sizes 10000] [--runs 5] [--out file]

import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startRemoteCache } from '../packages/nexxo/src/cache/test-remote-server.js'
import { generateReactApp } from './gen-react-app.mjs'
import { describeMachine, load, median, shuffle } from './lib.mjs'

const { values } = parseArgs({
  options: { sizes: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' } },
})
const sizes = (values.sizes ?? '10000').split(',').map(Number)
const runs = Number(values.runs ?? 5)
const repo = new URL('..', import.meta.url).pathname
const nexxo = join(repo, 'packages/nexxo/bin/nexxo.js')
const token = 'bench-token'
const env = { ...process.env, NO_COLOR: '1', NEXXO_REMOTE_CACHE_TOKEN: token, NEXXO_REMOTE_CACHE_TEAM: 'bench' }

/** ms of `nexxo build dir ...extra`, and its summary line (which says hit or miss). */
function build(dir: string, extra: string[] = []): { ms: number; line: string } {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [nexxo, 'build', dir, ...extra], { encoding: 'utf8', env })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`nexxo build ${dir} failed:\n${r.stderr}${r.stdout}`)
  return { ms, line: r.stdout.trim().split('\n').at(-1) ?? '' }
}

/** A checkout of `source` at `dir` with no cache and no output: newly copied, so its mtimes are new. */
function checkout(source: string, dir: string) {
  rmSync(dir, { recursive: true, force: true })
  cpSync(source, dir, {
    recursive: true,
    filter: (src) => !/\/(node_modules|dist)(\/|$)/.test(src.slice(source.length)),
  })
}

const machine = describeMachine()
const rows: { app: string; coldMs: number; remoteMs: number; ratio: number; cold: number[]; remote: number[] }[] = []
for (const n of sizes) {
  const base = join(repo, `bench/apps/remote-react-${n}`)
  const source = join(base, 'source')
  generateReactApp(n, source)
  const storage = join(base, 'artifacts')
  rmSync(storage, { recursive: true, force: true })
  mkdirSync(storage, { recursive: true })
  const server = await startRemoteCache(storage, token)
  try {
    const remote = ['--remote-cache', server.url]
    // Machine A (CI) builds and uploads.
    const a = join(base, 'machine-a')
    checkout(source, a)
    const uploaded = build(a, remote)
    if (!uploaded.line.includes('cache miss')) throw new Error(`machine A: ${uploaded.line}`)
    const cold: number[] = []
    const warm: number[] = []
    for (let round = 0; round < runs; round++) {
      for (const kind of shuffle(['cold', 'remote'])) {
        const b = join(base, 'machine-b')
        checkout(source, b)
        const r = kind === 'cold' ? build(b) : build(b, [...remote, '--remote-cache-read-only'])
        const expected = kind === 'cold' ? 'cache miss' : 'cache hit'
        if (!r.line.includes(expected)) throw new Error(`machine B, ${kind}: ${r.line}`)
        ;(kind === 'cold' ? cold : warm).push(r.ms)
        console.log(`react-${n} ${kind} round ${round + 1}: ${Math.round(r.ms)} ms`)
      }
    }
    const coldMs = Math.round(median(cold))
    const remoteMs = Math.round(median(warm))
    rows.push({ app: `react-${n}`, coldMs, remoteMs, ratio: remoteMs / coldMs, cold, remote: warm })
  } finally {
    await server.stop()
  }
}

machine.loadAfter = load()
console.log(
  `\n${machine.cpu}, ${machine.cores} cores, load ${machine.loadBefore.join(' ')} -> ${machine.loadAfter.join(' ')}`,
)
const table = [
  '| app | cold build (empty cache, no remote) | machine B, remote warm | min–max | ratio |',
  '|---|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.app} | ${r.coldMs} ms | ${r.remoteMs} ms | ${Math.round(Math.min(...r.remote))}–${Math.round(Math.max(...r.remote))} ms | ${r.ratio.toFixed(2)}× |`,
  ),
]
console.log(table.join('\n'))
const out = values.out ?? join(repo, `bench/results/${new Date().toISOString().slice(0, 10)}-remote.json`)
// The suite's shape (bench/suite.mjs): one record per app and metric, a figure per round.
const records = rows.flatMap((r) => {
  const common = {
    case: `${r.app.replace('000', 'k')} (remote)`,
    tool: 'nexxo',
    lane: 'remote cache',
    nexxo: true,
    unit: 'ms',
  }
  return [
    { ...common, metric: 'cold build, empty cache', samples: r.cold },
    { ...common, metric: 'build, remote warm', samples: r.remote },
  ]
})
const date = new Date().toISOString()
writeFileSync(out, `${JSON.stringify({ date, machine, runs, rows, table, records }, null, 2)}\n`)
console.log(`wrote ${out}`)
