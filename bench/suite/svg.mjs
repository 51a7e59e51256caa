// A horizontal bar chart as a standalone SVG: one bar per tool at its median, a whisker from min to
// max, nexxo's bars in their own colour. No dependencies, so that a report renders anywhere.

const escapeXml = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

/** A figure as the report and the charts print it: three significant digits, seconds past 1000 ms. */
export const formatValue = (value, unit) =>
  unit === 'ms' && value >= 1000
    ? `${(value / 1000).toFixed(2)} s`
    : `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${unit}`

/** rows: { label, median, min, max, nexxo }; the scale starts at zero and ends past the largest max. */
export function barChart({ title, unit, rows }) {
  // Wide enough for the longest label at about 7 px a character.
  const labelWidth = Math.max(120, ...rows.map((r) => String(r.label).length * 7 + 16))
  const plotWidth = 420
  const valueWidth = 110
  const barHeight = 18
  const gap = 8
  const top = 34
  const width = labelWidth + plotWidth + valueWidth
  const height = top + rows.length * (barHeight + gap) + 10
  const largest = Math.max(...rows.map((r) => r.max), 1e-9)
  const x = (v) => labelWidth + (v / largest) * plotWidth
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="600">${escapeXml(title)}</text>`,
  ]
  rows.forEach((r, i) => {
    const y = top + i * (barHeight + gap)
    const mid = y + barHeight / 2
    parts.push(
      `<text x="${labelWidth - 8}" y="${mid + 4}" text-anchor="end"${r.nexxo ? ' font-weight="600"' : ''}>${escapeXml(r.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${Math.max(1, x(r.median) - labelWidth).toFixed(1)}" height="${barHeight}" fill="${r.nexxo ? '#6d28d9' : '#9ca3af'}"/>`,
      `<line x1="${x(r.min).toFixed(1)}" x2="${x(r.max).toFixed(1)}" y1="${mid}" y2="${mid}" stroke="#111" stroke-width="1.5"/>`,
      `<line x1="${x(r.min).toFixed(1)}" x2="${x(r.min).toFixed(1)}" y1="${y + 4}" y2="${y + barHeight - 4}" stroke="#111" stroke-width="1.5"/>`,
      `<line x1="${x(r.max).toFixed(1)}" x2="${x(r.max).toFixed(1)}" y1="${y + 4}" y2="${y + barHeight - 4}" stroke="#111" stroke-width="1.5"/>`,
      `<text x="${labelWidth + plotWidth + 8}" y="${mid + 4}">${escapeXml(formatValue(r.median, unit))}</text>`,
    )
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
