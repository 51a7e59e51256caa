// Writes the newest bench/results/*.json into README.md between the bench markers, so that no
// number in the README is typed by hand. Usage: node bench/update-readme.mjs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const here = new URL('.', import.meta.url).pathname
const readmePath = join(here, '..', 'README.md')
const latest = readdirSync(join(here, 'results'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(here, 'results', f), 'utf8')))
  .sort((a, b) => a.date.localeCompare(b.date))
  .at(-1)
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
const readme = readFileSync(readmePath, 'utf8')
const updated = readme.replace(
  /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
  `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
)
writeFileSync(readmePath, updated)
console.log(`README.md performance table from the run of ${latest.date}`)
