// The report's arithmetic: nexxo against the fastest peer of the same case, metric and lane, and
// charts that stay well-formed whatever the labels hold.
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { headline, headlineTable, reportName, writeReport } from './report.mjs'
import { barChart } from './svg.mjs'

const rec = (tool, lane, nexxo, metric, samples) => {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    case: 'react-1k',
    tool,
    lane,
    nexxo,
    metric,
    unit: 'ms',
    samples,
    median: sorted[Math.floor(sorted.length / 2)],
    min: sorted[0],
    max: sorted.at(-1),
  }
}

const run = {
  date: '2026-11-22T00:00:00.000Z',
  quick: true,
  minutes: 3,
  runs: 3,
  machine: { cpu: 'cpu', cores: 2, memoryGiB: 4, node: 'v20', loadBefore: [1], loadAfter: [2] },
  canary: { start: [100, 110, 120], end: [130, 120, 125] },
  versions: { nexxo: '0.1.0' },
  absent: { 'Angular CLI': 'reason' },
  records: [
    rec('nexxo', 'native', true, 'build cold', [500, 520, 510]),
    rec('rolldown', 'native', false, 'build cold', [400, 420, 410]),
    rec('esbuild', 'native', false, 'build cold', [600, 610, 620]),
    // Another lane: compared only with its own peers, never with the native ones.
    rec('nexxo wasm', 'wasm', true, 'build cold', [2000, 2100, 2050]),
    rec('esbuild-wasm', 'wasm', false, 'build cold', [4100, 4000, 4200]),
    // No peer measured it: no ratio.
    rec('nexxo', 'native', true, 'build warm', [100, 110, 120]),
  ],
}

test('each nexxo figure is divided by the fastest peer in its own case, metric and lane', () => {
  const rows = headline(run)
  assert.deepEqual(
    rows.map((h) => [h.ours.tool, h.best.tool, +h.ratio.toFixed(3)]),
    [
      ['nexxo', 'rolldown', +(510 / 410).toFixed(3)],
      ['nexxo wasm', 'esbuild-wasm', +(2050 / 4100).toFixed(3)],
    ],
  )
  const table = headlineTable(run)
  assert.match(table, /\*\*1\.24×\*\*/, 'behind: bold')
  assert.match(table, /\| 0\.50× \|/, 'ahead: plain')
})

test('the report names the canary drift and writes one chart per metric with two or more tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nexxo-report-'))
  try {
    writeReport(run, dir, 'r')
    const md = readFileSync(join(dir, 'r.md'), 'utf8')
    assert.match(md, /canary \(esbuild, three10x\) 110 ms at the start, 125 ms at the end \(14%\)/)
    assert.match(md, /\*\*Angular CLI\*\*: reason/)
    assert.deepEqual(readdirSync(join(dir, 'charts')), ['r-react-1k-build-cold.svg'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a lane that failed and the dev sizes left out are named under "Not in this run"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nexxo-report-'))
  try {
    writeReport(
      { ...run, failed: { 'dev-bench.ts': 'exited with 1.' }, devSizes: [1000, 10000], devWarmSizes: [1000] },
      dir,
      'r',
    )
    const md = readFileSync(join(dir, 'r.md'), 'utf8')
    const missing = md.slice(md.indexOf('## Not in this run'), md.indexOf('## react-1k'))
    assert.match(missing, /\*\*dev-bench\.ts\*\*: failed, exited with 1\./)
    assert.match(missing, /dev lane\*\* ran on react-1k and react-10k only/)
    assert.match(missing, /Dev warm start\*\* was timed on react-1k only/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('chart labels are escaped, and whiskers span min to max', () => {
  const svg = barChart({
    title: 'a <b> & "c"',
    unit: 'ms',
    rows: [
      { label: '<script>', median: 50, min: 25, max: 100, nexxo: true },
      { label: 'peer', median: 100, min: 100, max: 100, nexxo: false },
    ],
  })
  assert.ok(!svg.includes('<script>') && svg.includes('&lt;script&gt;'))
  assert.match(svg, /a &lt;b&gt; &amp; &quot;c&quot;/)
  // The largest max is the full plot width (420 px from x = 120, the narrowest label column): 25 ms
  // is a quarter of it.
  assert.match(svg, /<line x1="225\.0" x2="540\.0"/)
})

test('a partial run takes the next free name of the day; a full run keeps its own', () => {
  const taken = new Set(['2026-12-07-vm-filtered', '2026-12-07-vm-filtered-2', '2026-12-07-vm'])
  const at = { date: '2026-12-07T10:00:00.000Z', host: 'vm' }
  assert.equal(
    reportName({ ...at, filtered: true }, (n) => taken.has(n)),
    '2026-12-07-vm-filtered-3',
  )
  assert.equal(
    reportName({ ...at, quick: true }, (n) => taken.has(n)),
    '2026-12-07-vm-quick',
  )
  assert.equal(
    reportName(at, (n) => taken.has(n)),
    '2026-12-07-vm',
  )
})
