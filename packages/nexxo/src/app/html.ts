// HTML pages as entries, as Vite has them: a page is one entry module that imports its module
// scripts (inline ones become virtual modules) and its stylesheets, and its `<img>`, icons and media
// go through the asset pipeline. The page is emitted with a marker where the built script and
// stylesheet tags go; `finishPages` fills it in from the outputs, so a page served from the cache
// is finished the same way.

import type { Plugin } from 'rolldown'
import type { OutputFile } from '../engines/types.js'
import type { AssetEmitter } from './assets.js'

export const HTML_FILE = /\.html$/
const PROXY = /\?html-proxy&index=(\d+)\.js$/
const MARKER = '<!--nexxo:entry-->'
/** A page without module scripts: its entry chunk holds only what its stylesheets left (nothing). */
const STYLES_ONLY = '<!--nexxo:styles-only-->'
/** Where a tag the build replaces was; its line goes with it when nothing else is on it. */
const REMOVED = '<!--nexxo:removed-->'

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi
const LINK = /<link\b([^>]*?)\/?>/gi
const MEDIA = /<(img|source|video|audio|track|input)\b([^>]*?)\/?>/gi
const COMMENT = /<!--[\s\S]*?-->/g

const attrPattern = (name: string) => new RegExp(`(\\s${name}\\s*=\\s*)(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i')
export const attr = (attrs: string, name: string): string | undefined =>
  attrPattern(name)
    .exec(attrs)
    ?.slice(2)
    .find((v) => v !== undefined)
const setAttr = (attrs: string, name: string, value: string) =>
  attrs.replace(
    attrPattern(name),
    (_m, lead: string) => `${lead}"${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`,
  )

/** A URL the page's own files answer: not remote, not a data URL, not a fragment. */
export const isLocalUrl = (url: string) => url !== '' && !/^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(url)

export interface PageOptions {
  root: string
  base: string
  assets: AssetEmitter
  readText(id: string): string | undefined
  isPublic(url: string): boolean
  /** Vite's `transformIndexHtml` of the configured plugins, in order. */
  transformHtml?: (html: string, path: string) => Promise<string>
}

const dirOf = (id: string) => id.slice(0, id.lastIndexOf('/'))

/** An import specifier for a URL in a page at `htmlId`: root-relative URLs are from the project root. */
function specifierFor(url: string, htmlId: string, root: string): string {
  const path = url.replace(/[?#].*$/, '')
  if (path.startsWith('/')) return `${root}${path}`
  return `${dirOf(htmlId)}/${path.replace(/^\.\//, '')}`
}

/**
 * The page plugin. `entries` are the absolute ids of the HTML files being built; everything else
 * about them is read when the engine loads them.
 */
export function pagesPlugin(options: PageOptions): Plugin {
  const inline = new Map<string, string>()
  return {
    name: 'nexxo:html',
    resolveId: {
      filter: { id: PROXY },
      handler(source) {
        return inline.has(source) ? source : null
      },
    },
    load: {
      filter: { id: /\.html$|\?html-proxy&index=\d+\.js$/ },
      async handler(id) {
        if (PROXY.test(id)) {
          const code = inline.get(id)
          return code === undefined ? null : { code, moduleType: 'js' }
        }
        let html = options.readText(id)
        if (html === undefined) return null
        if (options.transformHtml) html = await options.transformHtml(html, id)
        const imports: string[] = []
        // Tags inside comments are not the page's: keep them, untouched, out of the scan.
        const comments: string[] = []
        let page = html.replace(COMMENT, (c) => `<!--nexxo:comment:${comments.push(c) - 1}-->`)
        let index = 0
        page = page.replace(SCRIPT, (tag, attrs: string, body: string) => {
          if (attr(attrs, 'type') !== 'module') return tag
          const src = attr(attrs, 'src')
          if (src === undefined) {
            const proxy = `${id}?html-proxy&index=${index++}.js`
            inline.set(proxy, body)
            imports.push(proxy)
            return REMOVED
          }
          if (!isLocalUrl(src)) return tag
          imports.push(specifierFor(src, id, options.root))
          return REMOVED
        })
        const urls: { url: string }[] = []
        page = page.replace(LINK, (tag, attrs: string) => {
          const rel = (attr(attrs, 'rel') ?? '').toLowerCase().split(/\s+/)
          const href = attr(attrs, 'href')
          if (href === undefined || !isLocalUrl(href)) return tag
          if (rel.includes('stylesheet')) {
            if (href.startsWith('/') && options.isPublic(href)) return tag
            imports.push(specifierFor(href, id, options.root))
            return REMOVED
          }
          if (rel.some((r) => r === 'icon' || r === 'apple-touch-icon' || r === 'manifest' || r === 'preload')) {
            return assetTag(tag, attrs, 'href', urls)
          }
          return tag
        })
        page = page.replace(MEDIA, (tag, _name: string, attrs: string) => {
          const withSrc = assetTag(tag, attrs, 'src', urls)
          return attr(attrs, 'poster') === undefined ? withSrc : assetTag(withSrc, attrs, 'poster', urls)
        })
        const built = new Map<string, string>()
        for (const { url } of urls) {
          if (built.has(url)) continue
          const path = url.replace(/[?#].*$/, '')
          if (path.startsWith('/') && options.isPublic(path)) {
            built.set(url, url)
            continue
          }
          const file = specifierFor(url, id, options.root)
          const bytes = options.assets.read(file)
          if (bytes === undefined) {
            this.warn(`${relative(options.root, id)} refers to ${url}: no such file; left as is.`)
            built.set(url, url)
            continue
          }
          built.set(url, options.assets.url(this, file, bytes, false) + url.slice(path.length))
        }
        page = page.replace(/nexxo:url:(\d+):/g, (_m, n: string) => built.get(urls[Number(n)]!.url)!)
        page = page.replace(/<!--nexxo:comment:(\d+)-->/g, (_m, n: string) => comments[Number(n)]!)
        page = page.replace(/\n[ \t]*<!--nexxo:removed-->(?=[ \t]*(?:\r?\n|$))/g, '').replaceAll(REMOVED, '')
        // Inline scripts were counted in `index`; scripts with `src` in the imports.
        if (index === 0 && !imports.some((s) => !/\.css(?:\?|$)/.test(s))) page = `${STYLES_ONLY}${page}`
        const head = /([ \t]*)<\/head>/i.exec(page)
        // On a line of its own when `</head>` has one (indented one step further), else inline.
        const ownLine = head && (head.index === 0 || page[head.index - 1] === '\n')
        page = !head
          ? `${MARKER}\n${page}`
          : ownLine
            ? `${page.slice(0, head.index)}${head[1]}  ${MARKER}\n${page.slice(head.index)}`
            : `${page.slice(0, head.index)}${MARKER}${page.slice(head.index)}`
        this.emitFile({ type: 'asset', fileName: relative(options.root, id), source: page, originalFileName: id })
        return { code: imports.map((s) => `import ${JSON.stringify(s)};`).join('\n'), moduleType: 'js' }
      },
    },
  }
}

/** Replaces an attribute's local URL with a placeholder that the built URL fills in later. */
function assetTag(tag: string, attrs: string, name: string, urls: { url: string }[]): string {
  const value = attr(attrs, name)
  if (value === undefined || !isLocalUrl(value)) return tag
  const n = urls.push({ url: value }) - 1
  return tag.replace(attrs, setAttr(attrs, name, `nexxo:url:${n}:`))
}

const relative = (root: string, id: string) => (id.startsWith(`${root}/`) ? id.slice(root.length + 1) : id)

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;')

/** The chunks `entry` imports statically, transitively, in breadth-first order. */
function staticImports(entry: OutputFile, outputs: OutputFile[]): string[] {
  const byName = new Map(outputs.map((o) => [o.fileName, o]))
  const seen = new Set([entry.fileName])
  const order: string[] = []
  for (let queue = [entry]; queue.length > 0; ) {
    const next: OutputFile[] = []
    for (const chunk of queue) {
      for (const file of chunk.imports ?? []) {
        if (seen.has(file)) continue
        seen.add(file)
        order.push(file)
        const imported = byName.get(file)
        if (imported) next.push(imported)
      }
    }
    queue = next
  }
  return order
}

/**
 * Fills each emitted page's marker with its entry chunk and stylesheet (matched by the page's id),
 * as Vite writes them: `<script type="module" crossorigin>` and `<link rel="stylesheet" crossorigin>`.
 */
export function finishPages(outputs: OutputFile[], root: string, base: string): OutputFile[] {
  // A page without scripts still is an entry to the engine, whose chunk is then empty: as Vite's
  // pure-CSS chunks, it is neither written nor linked.
  const stylesOnly = new Set<string>()
  for (const o of outputs) {
    if (o.type === 'asset' && typeof o.code === 'string' && o.code.startsWith(STYLES_ONLY))
      stylesOnly.add(`${root}/${o.fileName}`)
  }
  const dropped = new Set(
    outputs.filter(
      (o) => o.type === 'chunk' && o.isEntry && stylesOnly.has(o.facadeModuleId ?? '') && !o.imports?.length,
    ),
  )
  return outputs.flatMap((out) => {
    if (dropped.has(out)) return []
    if (out.type !== 'asset' || !out.fileName.endsWith('.html') || typeof out.code !== 'string') return [out]
    if (!out.code.includes(MARKER)) return [out]
    const id = `${root}/${out.fileName}`
    const entry = outputs.find((o) => o.type === 'chunk' && o.isEntry && o.facadeModuleId === id)
    const js = entry && !dropped.has(entry) ? entry : undefined
    const code = stylesOnly.has(id) ? out.code.slice(STYLES_ONLY.length) : out.code
    const css = outputs.filter((o) => o.type === 'asset' && o.fileName.endsWith('.css') && o.originalFileName === id)
    const tags = [
      ...(js ? [`<script type="module" crossorigin src="${escapeAttr(base + js.fileName)}"></script>`] : []),
      // As Vite does: the entry's static imports, transitively, fetched in parallel with it.
      ...(js ? staticImports(js, outputs) : []).map(
        (file) => `<link rel="modulepreload" crossorigin href="${escapeAttr(base + file)}">`,
      ),
      ...css.map((c) => `<link rel="stylesheet" crossorigin href="${escapeAttr(base + c.fileName)}">`),
    ]
    const at = code.indexOf(MARKER)
    const indent = /[ \t]*$/.exec(code.slice(code.lastIndexOf('\n', at) + 1, at))![0]
    return [{ ...out, code: code.replace(MARKER, tags.join(`\n${indent}`)) }]
  })
}
