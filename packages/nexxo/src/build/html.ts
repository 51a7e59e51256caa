// index.html as the entry of an app: its module scripts are the entries, and the built page points
// at the hashed outputs instead.

const SCRIPT = /<script\b([^>]*)>\s*<\/script>/gi
const attr = (attrs: string, name: string) =>
  new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i')
    .exec(attrs)
    ?.slice(1)
    .find((v) => v !== undefined)

const isLocal = (src: string) => !/^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(src) && !src.startsWith('data:')

/** Sources of the page's local `<script type="module" src>` tags, root-relative, in page order. */
export function htmlEntries(html: string): string[] {
  const out: string[] = []
  for (const m of html.matchAll(SCRIPT)) {
    const attrs = m[1] ?? ''
    const src = attr(attrs, 'src')
    if (attr(attrs, 'type') === 'module' && src && isLocal(src)) out.push(src.replace(/^\.?\//, ''))
  }
  return out
}

/** The page with each local module script's `src` replaced by `to(src)` (dev's bundled entries). */
export function pointEntryScripts(html: string, to: (src: string) => string): string {
  return html.replace(SCRIPT, (tag, attrs: string) => {
    const src = attr(attrs, 'src')
    if (!src || attr(attrs, 'type') !== 'module' || !isLocal(src)) return tag
    return `<script type="module" src="${escapeAttr(to(src))}"></script>`
  })
}

export interface HtmlEntryOutput {
  /** Root-relative source as written in the page (after `htmlEntries`). */
  entry: string
  js: string
  css: string[]
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;')

/** The page with each entry script pointing at its chunk and its stylesheets linked in `<head>`. */
export function rewriteHtml(html: string, outputs: HtmlEntryOutput[], base = '/'): string {
  const byEntry = new Map(outputs.map((o) => [o.entry, o]))
  const links: string[] = []
  const page = html.replace(SCRIPT, (tag, attrs: string) => {
    const src = attr(attrs, 'src')
    const out = src && attr(attrs, 'type') === 'module' ? byEntry.get(src.replace(/^\.?\//, '')) : undefined
    if (!out) return tag
    for (const css of out.css) links.push(`<link rel="stylesheet" crossorigin href="${escapeAttr(base + css)}">`)
    return `<script type="module" crossorigin src="${escapeAttr(base + out.js)}"></script>`
  })
  if (links.length === 0) return page
  const head = /<\/head>/i.exec(page)
  const insert = `  ${links.join('\n    ')}\n  `
  return head ? page.slice(0, head.index) + insert + page.slice(head.index) : insert + page
}
