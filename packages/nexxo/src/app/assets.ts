// Non-code imports, as Vite has them: `import logo from './logo.svg'` is the file's URL, the file
// emitted as `assets/<name>-<hash>.<ext>` or inlined as a data URL under the inline limit; `?url`,
// `?raw` (the text), `?inline` (always a data URL) and `?no-inline` (never one) choose explicitly.

import type { Plugin, PluginContext } from 'rolldown'

/** Vite's list (`KNOWN_ASSET_TYPES`): images, media, fonts and a few documents. */
const ASSET_EXTENSIONS = [
  'apng',
  'bmp',
  'png',
  'jpe?g',
  'jfif',
  'pjpeg',
  'pjp',
  'gif',
  'svg',
  'ico',
  'webp',
  'avif',
  'cur',
  'jxl',
  'mp4',
  'webm',
  'ogg',
  'mp3',
  'wav',
  'flac',
  'aac',
  'opus',
  'mov',
  'm4a',
  'vtt',
  'woff2?',
  'eot',
  'ttf',
  'otf',
  'webmanifest',
  'pdf',
  'txt',
]

export const ASSET_FILE = new RegExp(`\\.(?:${ASSET_EXTENSIONS.join('|')})$`, 'i')
const QUERY = /\?(url|raw|inline|no-inline)$/
/** An asset by extension (with or without a query), or any file with an asset query. */
const ASSET_ID = new RegExp(
  `\\.(?:${ASSET_EXTENSIONS.join('|')})(?:\\?(?:url|inline|no-inline))?$|\\?(?:url|raw|inline|no-inline)$`,
  'i',
)

const MIME: Record<string, string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  apng: 'image/apng',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  txt: 'text/plain',
  json: 'application/json',
  pdf: 'application/pdf',
}

export const mimeType = (path: string) =>
  MIME[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream'

export interface AssetOptions {
  /** The public base path the URLs start with (`base`), ending in `/`. */
  base: string
  /** Files smaller than this many bytes become data URLs; 0 turns inlining off. */
  inlineLimit: number
  /** A file's bytes by its id (an absolute path, or `/key` of a `files` build); undefined if missing. */
  read(id: string): Uint8Array | undefined
  /** A content hash in hex (the core's). */
  hash(bytes: Uint8Array): string
}

const toBase64 = (bytes: Uint8Array): string => {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

const NESTED_QUOTES = /"[^"']*'[^"]*"|'[^'"]*"[^']*'/

/**
 * A data URL as Vite writes one: SVG as URL-encoded text (shorter than base64, and what Vite's
 * output has) unless quoting or `<text>` make that unsafe; everything else base64.
 */
export function dataUrl(id: string, bytes: Uint8Array): string {
  const mime = mimeType(id)
  const text = mime === 'image/svg+xml' ? textOf(bytes) : undefined
  if (text === undefined || text.includes('<text') || text.includes('<foreignObject') || NESTED_QUOTES.test(text)) {
    return `data:${mime};base64,${toBase64(bytes)}`
  }
  const encoded = text
    .trim()
    .replaceAll(/>\s+</g, '><')
    .replaceAll('"', "'")
    .replaceAll('%', '%25')
    .replaceAll('#', '%23')
    .replaceAll('<', '%3c')
    .replaceAll('>', '%3e')
    .replaceAll(/\s+/g, '%20')
  return `data:image/svg+xml,${encoded}`
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** The text of a file, or undefined for binary content (invalid UTF-8 or NUL bytes). */
export function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * Emits files as hashed assets, once per output name, and inlines small ones. One per build: the
 * JS imports, CSS `url()`s and HTML references of a build share it, so a file used by all three
 * is written once.
 */
export class AssetEmitter {
  private emitted = new Map<string, string>()
  constructor(private readonly options: AssetOptions) {}

  reset(): void {
    this.emitted.clear()
  }

  read(id: string): Uint8Array | undefined {
    return this.options.read(id)
  }

  /** The URL of `bytes` (from `id`): a data URL under the limit (or when forced), else an emitted file. */
  url(ctx: Pick<PluginContext, 'emitFile'>, id: string, bytes: Uint8Array, inline?: boolean): string {
    if (inline ?? (this.options.inlineLimit > 0 && bytes.length < this.options.inlineLimit)) {
      return dataUrl(id, bytes)
    }
    const file = id.slice(id.lastIndexOf('/') + 1)
    const dot = file.lastIndexOf('.')
    const name = dot > 0 ? file.slice(0, dot) : file
    const ext = dot > 0 ? file.slice(dot) : ''
    const fileName = `assets/${name}-${this.options.hash(bytes).slice(0, 8)}${ext}`
    if (!this.emitted.has(fileName)) {
      ctx.emitFile({ type: 'asset', fileName, source: bytes, originalFileName: id })
      this.emitted.set(fileName, id)
    }
    return this.options.base + fileName
  }
}

const splitQuery = (id: string): [string, string | undefined] => {
  const m = QUERY.exec(id)
  return m ? [id.slice(0, m.index), m[1]] : [id, undefined]
}

export function assetsPlugin(assets: AssetEmitter): Plugin {
  return {
    name: 'nexxo:assets',
    buildStart() {
      assets.reset()
    },
    resolveId: {
      // Only ids with a query need help: the engine resolves plain paths itself.
      filter: { id: QUERY },
      async handler(source, importer, extra) {
        const [path, query] = splitQuery(source)
        const resolved = await this.resolve(path, importer, { ...extra, skipSelf: true })
        if (!resolved || resolved.external) return resolved
        return `${resolved.id}?${query}`
      },
    },
    load: {
      filter: { id: ASSET_ID },
      handler(id) {
        const [path, query] = splitQuery(id)
        // A stylesheet's `?inline` is its compiled text, which the CSS plugin gives (Vite's meaning).
        if (query === 'inline' && /\.css$/.test(path)) return null
        const bytes = assets.read(path)
        if (bytes === undefined) return null
        if (query === 'raw') {
          const text = textOf(bytes)
          if (text === undefined) {
            this.error(`'${path}' is binary; '?raw' gives text only (import it without '?raw' for its URL).`)
          }
          return { code: `export default ${JSON.stringify(text)}`, moduleType: 'js' }
        }
        const url = assets.url(this, path, bytes, query === 'inline' ? true : query === 'no-inline' ? false : undefined)
        return { code: `export default ${JSON.stringify(url)}`, moduleType: 'js', moduleSideEffects: false }
      },
    },
  }
}

const PUBLIC_ID = '\0nexxo:public:'

/**
 * `import url from '/icons.svg'` naming a file in `public/` (Vue's template compiler writes such
 * imports for absolute URLs in a template): the file's public URL, as Vite gives it. A file of
 * that name at the root wins, as in Vite.
 */
export function publicImportsPlugin(options: {
  root: string
  base: string
  isPublic(url: string): boolean
  read(id: string): Uint8Array | undefined
}): Plugin {
  return {
    name: 'nexxo:public-imports',
    resolveId: {
      filter: { id: /^\/[^/]/ },
      handler(source) {
        const path = source.replace(/[?#].*$/, '')
        if (!options.isPublic(path) || options.read(`${options.root}${path}`) !== undefined) return null
        return `${PUBLIC_ID}${path}`
      },
    },
    load: {
      filter: { id: /^\0nexxo:public:/ },
      handler(id) {
        const url = options.base + id.slice(PUBLIC_ID.length + 1)
        return { code: `export default ${JSON.stringify(url)}`, moduleType: 'js', moduleSideEffects: false }
      },
    },
  }
}

/**
 * Matched on the code with its comments and literals blanked (strip-literal, as Vite does), so a
 * pattern inside a comment or a string is never taken for one; the URL is read from the original
 * at the literal's offsets (group 1 keeps the quotes and the blanked length).
 */
const NEW_URL = /\bnew\s+URL\(\s*('[^']+'|"[^"]+"|`[^`]+`)\s*,\s*import\.meta\.url\s*\)/dg

interface LiteralUrl {
  start: number
  end: number
  url: string
  match: RegExpExecArray
}

/**
 * The literal URLs of `pattern` (a `d`-flagged regex whose group `group` is the quoted literal) in
 * code, with their ranges; only `./` and `../` ones when `relativeOnly`. strip-literal loads with
 * the first module that has such a URL: most builds have none, and it costs every build 7 ms.
 */
export async function literalUrlMatches(
  code: string,
  pattern: RegExp,
  group: number,
  relativeOnly = true,
): Promise<LiteralUrl[]> {
  const { stripLiteral } = await import('strip-literal')
  const found: LiteralUrl[] = []
  for (const m of stripLiteral(code).matchAll(pattern)) {
    const [from, to] = m.indices![group]!
    const url = code.slice(from + 1, to - 1)
    // A template literal with expressions names no one file.
    if (url.includes('${') || url.includes('\n') || (relativeOnly && !/^\.{1,2}\//.test(url))) continue
    found.push({ start: m.index, end: m.index + m[0].length, url, match: m })
  }
  return found
}

/**
 * `new URL('./x.png', import.meta.url)`: the file is emitted (or inlined) like an import of it and
 * the literal points at the result; a file that does not exist is a warning, left as is (Vite's
 * behaviour: it may be served by something else at run time).
 */
export function importMetaUrlPlugin(assets: AssetEmitter): Plugin {
  return {
    name: 'nexxo:import-meta-url',
    transform: {
      filter: { code: /new\s+URL\(\s*['"`]\.{1,2}\/[^'"`$\n]+['"`]\s*,\s*import\.meta\.url/ },
      async handler(code, id) {
        const replacements: [number, number, string][] = []
        for (const m of await literalUrlMatches(code, NEW_URL, 1)) {
          const resolved = await this.resolve(m.url, id)
          const bytes = resolved && !resolved.external ? assets.read(resolved.id) : undefined
          if (!resolved || bytes === undefined) {
            this.warn(`new URL('${m.url}', import.meta.url) in ${id}: no such file; left as is.`)
            continue
          }
          const url = assets.url(this, resolved.id, bytes)
          replacements.push([m.start, m.end, `new URL(${JSON.stringify(url)}, import.meta.url)`])
        }
        if (replacements.length === 0) return null
        let out = code
        for (const [start, end, text] of replacements.reverse()) out = out.slice(0, start) + text + out.slice(end)
        return { code: out }
      },
    },
  }
}
