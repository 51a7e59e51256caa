// The suite's Markdown report and charts, from one run's JSON: the machine and the canary first,
// then nexxo against the fastest peer per case and metric, then every figure.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { median } from '../lib.mjs'
import { barChart, formatValue } from './svg.mjs'

const fmt = formatValue
const spread = (r) => (r.samples.length > 1 ? ` (${fmt(r.min, r.unit)}–${fmt(r.max, r.unit)})` : '')
const slug = (s) =>
  s
    .replace(/[^\w]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()

/**
 * nexxo's figure over the best peer's in the same case, metric and lane (lower is better for every
 * metric here): one row per nexxo tool that has a peer to compare with.
 */
export function headline(run) {
  const rows = []
  const groups = new Map()
  for (const r of run.records) {
    const key = `${r.case}\0${r.metric}\0${r.lane}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  for (const group of groups.values()) {
    const peers = group.filter((r) => !r.nexxo)
    if (peers.length === 0) continue
    const best = peers.reduce((a, b) => (b.median < a.median ? b : a))
    for (const ours of group.filter((r) => r.nexxo)) {
      rows.push({ case: ours.case, metric: ours.metric, lane: ours.lane, ours, best, ratio: ours.median / best.median })
    }
  }
  return rows
}

export function headlineTable(run) {
  return [
    '| case | metric | lane | nexxo | fastest peer | nexxo / peer |',
    '|---|---|---|---:|---|---:|',
    ...headline(run).map(
      (h) =>
        `| ${h.case} | ${h.metric} | ${h.lane} | ${h.ours.tool === 'nexxo' ? '' : `${h.ours.tool}: `}${fmt(h.ours.median, h.ours.unit)} | ${h.best.tool}: ${fmt(h.best.median, h.best.unit)} | ${Number(h.ratio.toFixed(2)) > 1 ? `**${h.ratio.toFixed(2)}×**` : `${h.ratio.toFixed(2)}×`} |`,
    ),
  ].join('\n')
}

export function machineLine(run) {
  const m = run.machine
  const start = median(run.canary.start)
  const end = median(run.canary.end)
  return `${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), Node ${m.node}, ${run.date.slice(0, 10)}, ${run.quick ? 'quick subset' : run.filtered ? 'a filtered subset' : 'full suite'} in ${run.minutes} min${run.resumed ? ' (stopped once and resumed)' : ''}, medians of ${run.runs} runs; load ${m.loadBefore.join(' ')} before, ${m.loadAfter.join(' ')} after; canary (esbuild, three10x) ${fmt(start, 'ms')} at the start, ${fmt(end, 'ms')} at the end (${(((end - start) / start) * 100).toFixed(0)}%).`
}

/** The generated React apps that have build figures in the run but no dev ones, by size. */
const otherReactSizes = (run) =>
  [...new Set(run.records.map((r) => /^react-(\d+)k$/.exec(r.case)?.[1]).filter(Boolean))]
    .map((k) => Number(k) * 1000)
    .filter((n) => !run.devSizes.includes(n))

/**
 * The report's file name: `<date>-<host>`, with `-quick` / `-filtered` for partial runs. A partial
 * run never replaces an earlier one of the day: it takes the next free `-2`, `-3`, … (`taken` says
 * whether a name is in use). A full run replaces the day's full run, which the README reads.
 */
export function reportName({ date, host, quick, filtered }, taken) {
  const base = `${date.slice(0, 10)}-${host}${quick ? '-quick' : ''}${filtered ? '-filtered' : ''}`
  if (!quick && !filtered) return base
  let name = base
  for (let n = 2; taken(name); n++) name = `${base}-${n}`
  return name
}

/** Writes <name>.md and charts/<name>-*.svg into `dir`. */
export function writeReport(run, dir, name) {
  const charts = join(dir, 'charts')
  mkdirSync(charts, { recursive: true })
  const lines = [
    `# Benchmark report: ${run.date.slice(0, 10)}`,
    '',
    machineLine(run),
    '',
    'Every figure is the median of the runs, with min–max in brackets; ratios are nexxo over the fastest peer in the same case, metric and lane (below 1 is nexxo ahead; bold is nexxo behind). Rerun: `npm run bench' +
      (run.quick ? ' -- --quick' : '') +
      '`.',
    '',
    '## nexxo / fastest peer',
    '',
    headlineTable(run),
    '',
    '## Versions',
    '',
    Object.entries(run.versions)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k} ${v}`)
      .join(' · '),
    '',
    '## Not in this run',
    '',
    ...Object.entries(run.absent).map(([tool, why]) => `- **${tool}**: ${why}`),
    ...Object.entries(run.failed ?? {}).map(([lane, why]) => `- **${lane}**: failed, ${why}`),
    ...(run.devSizes?.length
      ? [
          `- **The dev lane** ran on ${run.devSizes.map((n) => `react-${n / 1000}k`).join(' and ')} only${otherReactSizes(run).length > 0 ? `: the other React sizes have build figures here; \`npm run bench:dev -- --sizes ${otherReactSizes(run).join(',')} --rounds ${run.runs} --tool nexxo,vite,rsbuild\` times their dev servers` : ''}.`,
          ...(run.devWarmSizes && run.devWarmSizes.length < run.devSizes.length
            ? [
                `- **Dev warm start** was timed on ${run.devWarmSizes.map((n) => `react-${n / 1000}k`).join(' and ') || 'no app'} only; elsewhere the edits and the server RSS come from the cold-started server.`,
              ]
            : []),
        ]
      : []),
    '',
  ]
  const cases = [...new Set(run.records.map((r) => r.case))]
  for (const c of cases) {
    const ofCase = run.records.filter((r) => r.case === c)
    const metrics = [...new Set(ofCase.map((r) => r.metric))]
    const tools = [...new Set(ofCase.map((r) => `${r.lane}\0${r.tool}`))]
    lines.push(
      `## ${c}`,
      '',
      `| lane | tool | ${metrics.join(' | ')} |`,
      `|---|---|${metrics.map(() => '---:').join('|')}|`,
    )
    for (const key of tools) {
      const [lane, tool] = key.split('\0')
      const cells = metrics.map((m) => {
        const r = ofCase.find((x) => x.lane === lane && x.tool === tool && x.metric === m)
        return r ? `${fmt(r.median, r.unit)}${spread(r)}` : '—'
      })
      const nexxo = ofCase.some((x) => x.lane === lane && x.tool === tool && x.nexxo)
      lines.push(`| ${lane} | ${nexxo ? `**${tool}**` : tool} | ${cells.join(' | ')} |`)
    }
    lines.push('')
    for (const m of metrics) {
      const rs = ofCase.filter((r) => r.metric === m && r.samples.length > 0)
      if (rs.length < 2) continue
      const file = `${name}-${slug(c)}-${slug(m)}.svg`
      const rows = rs.map((r) => ({
        label: rs.some((o) => o.lane !== r.lane) ? `${r.tool} (${r.lane})` : r.tool,
        median: r.median,
        min: r.min,
        max: r.max,
        nexxo: r.nexxo,
      }))
      writeFileSync(join(charts, file), barChart({ title: `${c}: ${m}`, unit: rs[0].unit, rows }))
      lines.push(`![${c}: ${m}](charts/${file})`)
    }
    lines.push('')
  }
  writeFileSync(join(dir, `${name}.md`), `${lines.join('\n')}\n`)
}
