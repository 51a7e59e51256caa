// The preview: the bundle runs in a sandboxed iframe (scripts only, an opaque origin: it cannot
// reach the playground's storage or DOM) and reports errors and console output by postMessage.

import type { BuildResult } from 'nexxo/browser'

export interface PreviewMessage {
  source: 'nexxo-preview'
  run: number
  type: 'log' | 'error' | 'ready'
  text: string
}

/** `</script` inside code would close the inline script early. */
const inline = (code: string) => code.replace(/<\/(script)/gi, '<\\/$1')

const bridge = (run: number) => `
const send = (type, text) => parent.postMessage({ source: 'nexxo-preview', run: ${run}, type, text: String(text) }, '*')
addEventListener('error', (e) => send('error', e.message))
addEventListener('unhandledrejection', (e) => send('error', e.reason && e.reason.message || e.reason))
for (const level of ['log', 'info', 'warn', 'error']) {
  const original = console[level]
  console[level] = (...args) => { send(level === 'error' ? 'error' : 'log', args.map(String).join(' ')); original(...args) }
}
addEventListener('load', () => setTimeout(() => send('ready', ''), 0))
`

/** The iframe document for a build, or a reason it cannot be previewed. */
export function previewDocument(
  result: BuildResult,
  format: string,
  run: number,
): { html: string; note?: string } | { error: string } {
  if (format === 'cjs') return { error: 'The preview runs esm and iife bundles; cjs output needs a CommonJS host.' }
  const entry = result.outputs.find((o) => o.type === 'chunk' && o.isEntry)
  if (!entry) return { error: 'The build has no entry chunk to run.' }
  const css = result.outputs
    .filter((o) => o.fileName.endsWith('.css'))
    .map((o) => (typeof o.code === 'string' ? o.code : new TextDecoder().decode(o.code)))
    .join('\n')
  const chunks = result.outputs.filter((o) => o.type === 'chunk').length
  const type = format === 'esm' ? 'module' : 'text/javascript'
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>${css.replace(/<\/(style)/gi, '<\\/$1')}</style>
<script>${bridge(run)}</script></head><body><div id="root"></div>
<script type="${type}">${inline(entry.code as string)}</script></body></html>`
  return chunks > 1
    ? { html, note: `The preview runs the entry chunk; ${chunks - 1} split chunk(s) are not loaded in it.` }
    : { html }
}
