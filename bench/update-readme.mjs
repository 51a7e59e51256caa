// Writes the newest suite report (bench/results/<date>-<host>.json from `npm run bench`) into
// README.md between the bench markers, so that no number in the README's performance section is
// typed by hand. A full run wins over a newer quick one. Usage: npm run bench:readme
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { headlineTable, machineLine } from './suite/report.mjs'
import { formatValue } from './suite/svg.mjs'

const here = new URL('.', import.meta.url).pathname
const readmePath = join(here, '..', 'README.md')
/** Full runs first, then quick ones, then runs filtered by the command line. */
const rank = (run) => (run.filtered ? 2 : run.quick ? 1 : 0)
const runs = readdirSync(join(here, 'results'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, run: JSON.parse(readFileSync(join(here, 'results', f), 'utf8')) }))
  .filter(({ run }) => Array.isArray(run.records) && run.canary)
  .sort((a, b) => rank(a.run) - rank(b.run) || b.run.date.localeCompare(a.run.date))
const newest = runs[0]
if (!newest) throw new Error('no suite results in bench/results: run npm run bench first')

const report = newest.file.replace(/\.json$/, '.md')
const block = [
  machineLine(newest.run),
  '',
  headlineTable(newest.run),
  '',
  `Every figure, with charts: [bench/results/${report}](bench/results/${report}).`,
].join('\n')
/** README with `text` between the `<!-- name:start -->` and `<!-- name:end -->` markers. */
const between = (readme, name, text) => {
  const markers = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`)
  if (!markers.test(readme)) throw new Error(`README.md has no ${name} markers`)
  return readme.replace(markers, `<!-- ${name}:start -->\n${text}\n<!-- ${name}:end -->`)
}
let readme = between(readFileSync(readmePath, 'utf8'), 'bench', block)

/** The newest of a bench script's own results (bench/results/*<suffix>), by the date inside. */
const newestOf = (suffix) =>
  readdirSync(join(here, 'results'))
    .filter((f) => f.endsWith(suffix))
    .map((f) => JSON.parse(readFileSync(join(here, 'results', f), 'utf8')))
    .sort((a, b) => a.date.localeCompare(b.date))
    .at(-1)

// The build cache's own bench (`npm run bench:cache`, files ending in -cache.json): one edited file.
const cache = newestOf('-cache.json')
if (cache) {
  const c = cache.machine
  const line = `Measured on ${c.cpu} (${c.cores} cores), Node ${c.node}, ${cache.date.slice(0, 10)}, medians of ${cache.runs} runs; load ${c.loadBefore.join(' ')} before, ${c.loadAfter.join(' ')} after:`
  readme = between(readme, 'bench-cache', [line, '', ...cache.table].join('\n'))
}
// The dev servers' own bench (`npm run bench:dev`, files ending in -dev.json; React, its sizes).
const dev = readdirSync(join(here, 'results'))
  .filter((f) => f.endsWith('-dev.json'))
  .sort()
  .map((f) => ({ date: f.slice(0, 10), run: JSON.parse(readFileSync(join(here, 'results', f), 'utf8')) }))
  .at(-1)
if (dev) readme = between(readme, 'bench-dev', devTable(dev.date, dev.run).join('\n'))
// The remote cache's own bench (`npm run bench:remote`, files ending in -remote.json).
const remote = newestOf('-remote.json')
if (remote) {
  const m = remote.machine
  const line = `Measured on ${m.cpu} (${m.cores} cores), Node ${m.node}, ${remote.date.slice(0, 10)}, medians of ${remote.runs} rounds; load ${m.loadBefore.join(' ')} before, ${m.loadAfter.join(' ')} after. Rerun: \`npm run bench:remote -- --sizes ${remote.rows.map((r) => r.app.slice('react-'.length)).join(',')} --runs ${remote.runs}\`.`
  readme = between(readme, 'bench-remote', [line, '', ...remote.table].join('\n'))
}
writeFileSync(readmePath, readme)
console.log(`README.md performance section from ${newest.file}`)

/** The dev bench's medians as the README's table, with the command that gives them. */
function devTable(date, { machine: m, versions: v, rounds, edits, summary }) {
  const sizes = Object.keys(summary)
  const tools = [...new Set(sizes.flatMap((n) => Object.keys(summary[n])))]
  const ms = (x) => (x === undefined || x === null ? '—' : formatValue(x, 'ms'))
  const name = { nexxo: 'nexxo', vite: `vite ${v.vite}`, rsbuild: 'rsbuild' }
  return [
    `Measured on ${m.cpu} (${m.cores} cores), Node ${m.node}, ${date}, medians of ${rounds} rounds of ${edits} edits each; load ${m.loadBefore.join(' ')} before, ${m.loadAfter.join(' ')} after. Rerun: \`npm run bench:dev -- --sizes ${sizes.join(',')} --rounds ${rounds} --tool ${tools.join(',')}\`.`,
    '',
    '| app | tool | cold start | warm start | HMR leaf p50 / p95 | HMR root p50 / p95 | server RSS |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...sizes.flatMap((n) =>
      tools
        .filter((t) => summary[n][t])
        .map((t) => {
          const r = summary[n][t]
          return `| react-${n / 1000}k | ${name[t] ?? t} | ${ms(r.coldMs)} | ${ms(r.warmMs)} | ${ms(r.leafP50)} / ${ms(r.leafP95)} | ${ms(r.rootP50)} / ${ms(r.rootP95)} | ${formatValue(r.rssMb, 'MB')} |`
        }),
    ),
  ]
}
