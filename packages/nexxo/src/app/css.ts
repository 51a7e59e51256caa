// CSS through lightningcss: each stylesheet is compiled for the targets (nesting and prefixes
// lowered), its `@import`s become imports of the graph (so a stylesheet imported twice is included
// once, in evaluation order), its `url()`s are emitted as assets, and `*.module.css` files get
// hashed class names with the class map as the module's exports. Each entry then gets one
// stylesheet with the CSS of everything it reaches, in the order the browser would apply it.

import type { TransformResult } from 'lightningcss'
import type { Plugin, PluginContext } from 'rolldown'
import type { AssetEmitter } from './assets.js'
import type { CssEngine, CssLoader } from './css-engine.js'
import type { StyleMap } from './css-maps.js'

/** The source-map helpers (and @jridgewell's remapping) load with the first stylesheet: 10 ms saved for apps with none. */
let maps: Promise<typeof import('./css-maps.js')> | undefined
const cssMaps = () => {
  maps ??= import('./css-maps.js')
  return maps
}

export interface CssOptions {
  engine: CssLoader
  /** The project root: file names in class-name hashes and messages are relative to it. */
  root: string
  targets: Record<string, number>
  minify: boolean
  /** Whether stylesheets carry source maps (`build.sourcemap`). */
  sourcemap: boolean
  assets: AssetEmitter
  /** Whether `/x` names a file in `public/` (left as is); other root-relative URLs are project files. */
  isPublic(url: string): boolean
}

const CSS_FILE = /\.css$/
const MODULE_FILE = /\.module\.css$/
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
const RESERVED = new Set(['default', 'class', 'function', 'var', 'let', 'const', 'import', 'export', 'new', 'delete'])
const encoder = new TextEncoder()
const decoder = new TextDecoder()

interface LightningError {
  message: string
  fileName?: string
  loc?: { line: number; column: number }
}

const relativeTo = (root: string, id: string) => (id.startsWith(`${root}/`) ? id.slice(root.length + 1) : id)

/** `./a.css`, `../a.css`, `/a.css` (root-relative) and bare package paths: what the engine resolves. */
const isExternalUrl = (url: string) => /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(url)

/** One stylesheet compiled: its CSS, and its map when the build has source maps. */
export interface CompiledStyle {
  css: string
  map?: StyleMap
}

export interface CssPlugin {
  plugin: Plugin
  /** Compiled CSS by module id, for the modules the build transformed. */
  styles: Map<string, CompiledStyle>
}

const INLINE_ID = /\.css\?inline$/

export function cssPlugin(options: CssOptions): CssPlugin {
  const styles = new Map<string, CompiledStyle>()
  let engine: CssEngine | undefined

  /** One stylesheet compiled: its CSS with `url()`s settled, the `@import`s it had, its result. */
  async function compile(ctx: PluginContext, code: string, id: string) {
    engine ??= await options.engine()
    const { parseMap, prependLines, replacePlaceholders } = await cssMaps()
    const filename = relativeTo(options.root, id)
    const isModule = MODULE_FILE.test(id)
    let result: TransformResult
    try {
      result = engine.transform({
        filename,
        code: encoder.encode(code),
        cssModules: isModule ? { pattern: '_[local]_[hash]' } : false,
        analyzeDependencies: true,
        targets: options.targets,
        minify: false,
        sourceMap: options.sourcemap,
      })
    } catch (e) {
      const err = e as LightningError
      const loc = err.loc ? { line: err.loc.line, column: Math.max(0, err.loc.column - 1) } : undefined
      return ctx.error({ message: `${filename}: ${err.message}`, id, ...(loc ? { loc } : {}) })
    }
    for (const w of result.warnings) ctx.warn(`${filename}:${w.loc.line}:${w.loc.column}: ${w.message}`)
    const map = options.sourcemap && result.map ? parseMap(result.map) : undefined
    const imports: string[] = []
    const remote: string[] = []
    const urls = new Map<string, string>()
    for (const dep of result.dependencies ?? []) {
      if (dep.type === 'import') {
        // A remote stylesheet stays a stylesheet import; the browser fetches it.
        if (isExternalUrl(dep.url)) remote.push(`@import ${JSON.stringify(dep.url)};`)
        else imports.push(dep.url)
      } else if (dep.type === 'url') {
        urls.set(dep.placeholder, await urlFor(ctx, id, filename, dep.url, options))
      }
    }
    let css = replacePlaceholders(decoder.decode(result.code), urls, map)
    if (remote.length > 0) {
      css = `${remote.join('\n')}\n${css}`
      if (map) prependLines(map, remote.length)
    }
    return { style: { css, ...(map ? { map } : {}) }, imports, result, isModule }
  }

  /** `?inline`: the stylesheet and everything it `@import`s as one string, never injected (Vite's). */
  async function inline(ctx: PluginContext, id: string, seen: Set<string>): Promise<string> {
    const bytes = options.assets.read(id)
    if (bytes === undefined) return ctx.error({ message: `${relativeTo(options.root, id)}: no such file`, id })
    const {
      style: { css },
      imports,
    } = await compile(ctx, decoder.decode(bytes), id)
    const parts: string[] = []
    for (const url of imports) {
      const resolved = await ctx.resolve(url.startsWith('.') || url.startsWith('/') ? url : `./${url}`, id)
      if (!resolved || resolved.external) {
        return ctx.error({ message: `Could not resolve '${url}' from ${relativeTo(options.root, id)}`, id })
      }
      if (seen.has(resolved.id)) continue
      seen.add(resolved.id)
      parts.push(await inline(ctx, resolved.id, seen))
    }
    parts.push(css)
    return parts.join('\n')
  }

  const plugin: Plugin = {
    name: 'nexxo:css',
    buildStart() {
      styles.clear()
    },
    load: {
      filter: { id: INLINE_ID },
      async handler(id) {
        const file = id.slice(0, -'?inline'.length)
        let css = await inline(this, file, new Set([file]))
        if (options.minify) {
          const minified = (engine ?? (await options.engine())).transform({
            filename: relativeTo(options.root, file),
            code: encoder.encode(css),
            minify: true,
            targets: options.targets,
          })
          css = decoder.decode(minified.code)
        }
        return { code: `export default ${JSON.stringify(css)}`, moduleType: 'js', moduleSideEffects: false }
      },
    },
    // The filter keeps rolldown from calling into JS for every other module: that crossing, not
    // the work, is what a plugin costs a native bundler.
    transform: {
      filter: { id: CSS_FILE },
      async handler(code, id) {
        const { style, imports, result, isModule } = await compile(this, code, id)
        styles.set(id, style)
        const lines = imports.map((url) => `import ${JSON.stringify(url)};`)
        if (isModule) lines.push(...moduleExports(result, lines))
        else lines.push('export {}')
        return { code: lines.join('\n'), moduleType: 'js', moduleSideEffects: true }
      },
    },
  }
  return { plugin, styles }
}

/** The URL a `url()` ends up with: an emitted or inlined asset, or the original for what is not a project file. */
async function urlFor(
  ctx: PluginContext,
  importer: string,
  filename: string,
  url: string,
  options: CssOptions,
): Promise<string> {
  if (isExternalUrl(url) || url.startsWith('data:')) return url
  const [path, suffix] = splitSuffix(url)
  if (path.startsWith('/') && options.isPublic(path)) return url
  const relative = path.startsWith('/') ? `${options.root}${path}` : path
  const resolved = await ctx.resolve(
    relative.startsWith('.') || relative.startsWith('/') ? relative : `./${relative}`,
    importer,
  )
  const bytes = resolved && !resolved.external ? options.assets.read(resolved.id) : undefined
  if (!resolved || bytes === undefined) {
    ctx.warn(`url(${url}) in ${filename}: no such file; left as is.`)
    return url
  }
  return options.assets.url(ctx, resolved.id, bytes) + suffix
}

/** `font.woff2?v=1#iefix` -> [`font.woff2`, `?v=1#iefix`]: the suffix survives, the path resolves. */
const splitSuffix = (url: string): [string, string] => {
  const at = url.search(/[?#]/)
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at)]
}

/**
 * The class map of a CSS module: the default export, and each valid identifier as a named one.
 * `composes: x from './other.module.css'` imports the other module (through `specifier`, which the
 * dev server uses to point at its JS form) and appends its class.
 */
export function moduleExports(
  result: TransformResult,
  importLines: string[],
  specifier: (spec: string) => string = (spec) => spec,
): string[] {
  const out: string[] = []
  const deps = new Map<string, string>()
  const entries: [string, string][] = []
  for (const [name, exp] of Object.entries(result.exports ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const parts = [JSON.stringify(exp.name)]
    for (const c of exp.composes) {
      if (c.type === 'dependency') {
        let local = deps.get(c.specifier)
        if (!local) {
          local = `__composes${deps.size}`
          deps.set(c.specifier, local)
          importLines.push(`import ${local} from ${JSON.stringify(specifier(c.specifier))};`)
        }
        parts.push(`${local}[${JSON.stringify(c.name)}]`)
      } else {
        parts.push(JSON.stringify(c.name))
      }
    }
    entries.push([name, parts.join(' + " " + ')])
  }
  entries.forEach(([name, value], i) => {
    out.push(`const __class${i} = ${value};`)
    if (IDENTIFIER.test(name) && !RESERVED.has(name)) out.push(`export { __class${i} as ${name} };`)
  })
  out.push(`export default { ${entries.map(([name], i) => `${JSON.stringify(name)}: __class${i}`).join(', ')} };`)
  return out
}

export interface EntryStylesOptions {
  engine: CssLoader
  minify: boolean
  targets: Record<string, number>
  /** Project root, as `CssOptions.root`: the maps' sources are relative to it. */
  root: string
  /**
   * With source maps, the stylesheet is named here (`assetFileNames`, a content hash) rather than
   * by the engine, whose name is not known until the chunks render: the stylesheet has to name its
   * map file, and both must be in the engine's output to be cached with it.
   */
  sourcemap?: { assetFileNames: string; hash(bytes: Uint8Array): string }
}

/**
 * Each entry's stylesheet: the CSS of every module the entry reaches, depth-first over static and
 * then dynamic imports (the order the browser would apply `<link>`s in). The CSS of lazily loaded
 * modules is included rather than lost: no runtime here injects stylesheets for lazy chunks yet.
 * Runs in `buildEnd`, not `generateBundle`: the mere presence of a `generateBundle` hook made
 * rolldown hand the whole bundle to JS, 5% of a react-10k build.
 */
export function entryStylesPlugin(entries: string[], css: CssPlugin, options: EntryStylesOptions): Plugin {
  const named = new Set<string>()
  return {
    name: 'nexxo:css-entries',
    buildStart() {
      named.clear()
    },
    async buildEnd(error) {
      const { styles } = css
      if (error || styles.size === 0) return
      const { chainMaps, concatMaps, mapFile } = await cssMaps()
      for (const entry of entries) {
        const facade = (await this.resolve(entry))?.id
        if (!facade) continue
        const parts: CompiledStyle[] = []
        const seen = new Set<string>([facade])
        // Each module's info is asked for once: every call crosses into rolldown and copies its lists.
        const depsOf = (id: string) => {
          const info = this.getModuleInfo(id)
          return info ? [...info.importedIds, ...info.dynamicallyImportedIds] : []
        }
        const stack: { id: string; deps: string[]; next: number }[] = [{ id: facade, deps: depsOf(facade), next: 0 }]
        while (stack.length > 0) {
          const top = stack[stack.length - 1]!
          if (top.next < top.deps.length) {
            const dep = top.deps[top.next++]!
            if (!seen.has(dep)) {
              seen.add(dep)
              stack.push({ id: dep, deps: depsOf(dep), next: 0 })
            }
          } else {
            stack.pop()
            const style = styles.get(top.id)
            if (style !== undefined) parts.push(style)
          }
        }
        if (parts.length === 0) continue
        let source = parts.map((p) => p.css).join('\n')
        let map = options.sourcemap ? concatMaps(parts) : undefined
        if (options.minify) {
          const result = (await options.engine()).transform({
            filename: BUNDLE_FILE,
            code: encoder.encode(source),
            minify: true,
            targets: options.targets,
            sourceMap: map !== undefined,
          })
          source = decoder.decode(result.code)
          if (map && result.map) map = chainMaps(result.map, BUNDLE_FILE, map)
        }
        const name = `${entry.slice(entry.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '')}.css`
        if (!options.sourcemap || !map) {
          this.emitFile({ type: 'asset', name, source, originalFileName: facade })
          continue
        }
        const fileName = assetFileName(
          options.sourcemap.assetFileNames,
          name,
          options.sourcemap.hash(encoder.encode(source)),
        )
        // Two entries with the same name and the same CSS share one file, as the engine's naming would.
        if (named.has(fileName)) continue
        named.add(fileName)
        const base = fileName.slice(fileName.lastIndexOf('/') + 1)
        this.emitFile({
          type: 'asset',
          fileName,
          source: `${source}\n/*# sourceMappingURL=${base}.map */`,
          originalFileName: facade,
        })
        this.emitFile({ type: 'asset', fileName: `${fileName}.map`, source: mapFile(map, fileName, options.root) })
      }
    },
  }
}

/** The name lightningcss gives the joined stylesheet it minifies; only the chained map sees it. */
const BUNDLE_FILE = 'bundle.css'

/** `assetFileNames` (`assets/[name]-[hash][extname]`) filled in as rolldown would for a stylesheet. */
const assetFileName = (pattern: string, name: string, hash: string) =>
  pattern
    .replaceAll('[name]', name.replace(/\.css$/, ''))
    .replaceAll(/\[hash(?::(\d+))?\]/g, (_, n: string | undefined) => hash.slice(0, n ? Number(n) : 8))
    .replaceAll('[extname]', '.css')
    .replaceAll('[ext]', 'css')
