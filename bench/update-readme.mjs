// Writes the newest bench/results/*.json into README.md between the bench markers, so that no
// number in the README is typed by hand. Usage: node bench/update-readme.mjs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const here = new URL('.', import.meta.url).pathname
const readmePath = join(here, '..', 'README.md')
// Build runs (`npm run bench`) and cache runs (`npm run bench:cache`, files ending in -cache.json).
const newest = (cache) =>
  readdirSync(join(here, 'results'))
    .filter((f) => f.endsWith('.json') && f.endsWith('-cache.json') === cache)
    .map((f) => JSON.parse(readFileSync(join(here, 'results', f), 'utf8')))
    .sort((a, b) => a.date.localeCompare(b.date))
    .at(-1)
const latest = newest(false)
if (!latest) throw new Error('no results in bench/results: run npm run bench first')

const m = latest.machine
const table = [
  `Measured on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), Node ${m.node}, ${latest.date.slice(0, 10)}; load ${m.loadBefore.join(' ')} before, ${m.loadAfter.join(' ')} after:`,
  '',
  '| app | tool | median | min–max | vs rolldown direct |',
  '|---|---|---:|---:|---:|',
  ...latest.results.map(
    (r) =>
      `| ${r.app} | ${r.tool} | ${r.medianMs.toFixed(0)} ms | ${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms | ${r.vsRolldown.toFixed(2)}× |`,
  ),
].join('\n')
let updated = readFileSync(readmePath, 'utf8').replace(
  /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
  `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
)
const cache = newest(true)
if (cache) {
  const c = cache.machine
  const cacheTable = [
    `Measured on ${c.cpu} (${c.cores} cores), Node ${c.node}, ${cache.date.slice(0, 10)}, medians of ${cache.runs} runs; load ${c.loadBefore.join(' ')} before, ${c.loadAfter.join(' ')} after:`,
    '',
    ...cache.table,
  ].join('\n')
  updated = updated.replace(
    /<!-- bench-cache:start -->[\s\S]*<!-- bench-cache:end -->/,
    `<!-- bench-cache:start -->\n${cacheTable}\n<!-- bench-cache:end -->`,
  )
}
writeFileSync(readmePath, updated)
console.log(`README.md performance table from the run of ${latest.date}`)
