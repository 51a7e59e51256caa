// One module as the dev server sends it: TypeScript and JSX compiled by oxc, or swc where oxc cannot
// load (with React Fast Refresh registrations in .jsx/.tsx), then every import specifier rewritten
// from the core's scan offsets: relative ones to root URLs with the version query that busts the
// browser's module map, bare ones to the pre-bundled dependency chunks. CSS becomes a module that
// injects and hot-swaps a <style>.

import type { Core, HotInfo, ScanResult } from '../core/core.js'
import { lineColumn, utf16Index } from '../core/offsets.js'
import type { SwcModule } from '../engines/swc.js'
import { codeFrame, NexxoError } from '../errors.js'
import { printableId } from '../plugin/hooks.js'
import type { DevError } from './protocol.js'

export const CLIENT_PATH = '/@nexxo/client'
export const DEPS_PREFIX = '/@deps/'

export interface ModuleLinks {
  /** The root-relative URL path of a relative or root-absolute import, or null if nothing is there. */
  resolve(specifier: string, importer: string): string | null
  /** The URL of a bare import's pre-bundled chunk, or null when it was not pre-bundled. */
  dependency(specifier: string): string | null
  /** The current version of a module, for its `?v=` query. */
  version(path: string): number
  /**
   * What the plugins' `resolveId` said about a specifier of this module: the URL path of its
   * target, false to leave it as written (external), undefined when no plugin answered.
   */
  planned?(specifier: string): string | false | undefined
}

export interface DevModule {
  code: string
  /** Root-relative URL paths of the modules this one imports (statically or dynamically). */
  deps: string[]
  /** Bare imports that no pre-bundled chunk serves yet. */
  missingDeps: string[]
  hot: Pick<HotInfo, 'selfAccepting' | 'acceptedDeps'>
}

const LANG: Record<string, { syntax: 'typescript' | 'ecmascript'; jsx: boolean }> = {
  '.ts': { syntax: 'typescript', jsx: false },
  '.mts': { syntax: 'typescript', jsx: false },
  '.tsx': { syntax: 'typescript', jsx: true },
  '.jsx': { syntax: 'ecmascript', jsx: true },
  '.js': { syntax: 'ecmascript', jsx: false },
  '.mjs': { syntax: 'ecmascript', jsx: false },
}

const extension = (path: string) => /\.[^./]+$/.exec(path)?.[0] ?? ''
export const isScriptModule = (path: string): boolean => extension(path) in LANG

/**
 * Sources that a plugin compiles to JavaScript (Vite's `knownJsSrcRE`): read as text and handed to
 * the plugins' `transform`, never served as an asset.
 */
export const isPluginSource = (path: string): boolean => /\.(?:vue|svelte|astro|mdx|marko|imba)$/.test(path)

/** Where modules live that a plugin's `resolveId` made up (Vite's `/@id/`): only plugins load them. */
export const VIRTUAL_PREFIX = '/@id/'

/** The URL path of a plugin's id: `\0` spelled as Vite does, anything a URL path cannot hold escaped. */
export const virtualUrl = (id: string): string =>
  VIRTUAL_PREFIX + encodeURI(printableId(id)).replaceAll('?', '%3F').replaceAll('#', '%23')

/**
 * The name a module of code with no script extension (a virtual id, a `.vue` file after its
 * plugin) is compiled under: JavaScript, unless the id names a script language.
 */
export const compileName = (path: string, moduleType?: string): string => {
  const bare = path.split('?')[0]!
  if (moduleType && `.${moduleType}` in LANG) return `${bare}.${moduleType}`
  return extension(bare) in LANG ? bare : `${bare}.js`
}
export const isCss = (path: string): boolean => extension(path) === '.css'

/**
 * Where a page imports a module's `version` from. Scripts are served as they are; anything else
 * (CSS, an image, `x.txt?raw`) asks for its JS form with `import`, after the query it was imported
 * with: a module import must never get a non-JS response.
 */
export const moduleUrl = (path: string, version: number, query = ''): string =>
  isScriptModule(path) && query === ''
    ? `${path}?v=${version}`
    : `${path}?${query === '' ? '' : `${query}&`}import&v=${version}`

/** The import queries Vite has, which the dev server answers with a JS module (dev/assets.ts). */
const IMPORT_QUERY = /\?(raw|url|inline|no-inline|worker|sharedworker)$/

/** swc's syntax errors are text (miette's report): the message, and the line and caret of the span. */
export function swcError(error: unknown, file: string, source: string): DevError {
  const text = String(error instanceof Error ? error.message : error)
  const message = /^\s*x (.+)$/m.exec(text)?.[1]?.trim() ?? text.split('\n')[0]!.trim()
  const lines = text.split('\n')
  const caret = lines.findIndex((l) => /^\s*:\s*\^/.test(l))
  let line: number | undefined
  let column: number | undefined
  if (caret > 0) {
    const numbered = /^\s*(\d+) \| /.exec(lines[caret - 1]!)
    if (numbered) {
      line = Number(numbered[1])
      column = lines[caret]!.indexOf('^') - numbered[0].length + 1
    }
  }
  return {
    message,
    file,
    ...(line !== undefined && column !== undefined
      ? { line, column, frame: codeFrame(source, line, Math.max(1, column)) }
      : {}),
  }
}

/** TypeScript and JSX to JavaScript, with Fast Refresh registrations when `refresh`; throws located errors. */
export type Compile = (source: string, path: string, refresh: boolean) => string

/** What the project's tsconfig.json says about compiling it (app/tsconfig.ts reads it). */
export interface CompileSettings {
  /** `jsxImportSource`: `preact` compiles JSX against `preact/jsx-dev-runtime`. Default react. */
  jsxImportSource?: string
  /** `experimentalDecorators`: TypeScript's legacy decorators. */
  legacyDecorators?: boolean
  /** `useDefineForClassFields: false`: class fields are assignments in the constructor (Lit needs it). */
  assignClassFields?: boolean
}

/** npm `oxc-transform`, the transformer rolldown is built on, in a binding of its own: about 0.05 ms for a component. */
export interface OxcTransform {
  transformSync(
    filename: string,
    source: string,
    options: object,
  ): { code: string; map?: object | null; errors: { message: string; labels: { start: number }[] }[] }
}

/** Source maps ride inline: one request per module, and the browser's devtools show the source. */
const inlineMap = (map: object) =>
  `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`

export function oxcCompiler(oxc: OxcTransform, settings: CompileSettings = {}): Compile {
  const { jsxImportSource, legacyDecorators, assignClassFields } = settings
  return (source, path, refresh) => {
    const lang = LANG[extension(path)]!
    const result = oxc.transformSync(path, source, {
      lang: lang.syntax === 'typescript' ? (lang.jsx ? 'tsx' : 'ts') : lang.jsx ? 'jsx' : 'js',
      sourcemap: true,
      // Class fields are lowered only below es2022, and assignments need them lowered.
      target: assignClassFields ? 'es2021' : 'es2022',
      ...(legacyDecorators ? { decorator: { legacy: true } } : {}),
      ...(assignClassFields
        ? { assumptions: { setPublicClassFields: true }, typescript: { removeClassFieldsWithoutInitializer: true } }
        : {}),
      ...(lang.jsx
        ? {
            jsx: {
              runtime: 'automatic',
              development: true,
              refresh: refresh ? {} : false,
              ...(jsxImportSource ? { importSource: jsxImportSource } : {}),
            },
          }
        : {}),
    })
    const [error] = result.errors
    if (error) {
      // oxc reports UTF-8 byte offsets, as the core does.
      const at = error.labels[0]?.start
      const where = at === undefined ? undefined : lineColumn(source, utf16Index(source, at))
      throw NexxoError.single('PARSE_ERROR', error.message, {
        file: path.slice(1),
        ...(where ? { ...where, frame: codeFrame(source, where.line, where.column) } : {}),
      })
    }
    return result.code + (result.map ? inlineMap(result.map) : '')
  }
}

/** @swc/wasm-web, where native rolldown cannot load: the same output shape, some 100 times slower. */
export function swcCompiler(swc: SwcModule): Compile {
  return (source, path, refresh) => {
    const lang = LANG[extension(path)]!
    try {
      return swc.transformSync(source, {
        filename: path,
        sourceMaps: 'inline',
        jsc: {
          parser:
            lang.syntax === 'typescript'
              ? { syntax: 'typescript', tsx: lang.jsx }
              : { syntax: 'ecmascript', jsx: lang.jsx },
          target: 'es2022',
          transform: lang.jsx ? { react: { runtime: 'automatic', development: true, refresh } } : {},
        },
      }).code
    } catch (e) {
      throw new NexxoError('PARSE_ERROR', [{ code: 'PARSE_ERROR', ...swcError(e, path.slice(1), source) }])
    }
  }
}

/** prefresh's helpers: `flush` applies the updates a refreshed Preact module queued. */
export const PREFRESH_UTILS = '@prefresh/utils'

/** Which Fast Refresh a module is compiled for: React's (react-refresh) or Preact's (prefresh). */
export type Refresh = false | 'react' | 'preact'

/**
 * Preact's Fast Refresh, as @prefresh/vite wraps a module: registrations and hook signatures go to
 * prefresh's runtime (`self.__PREFRESH__`), and the module accepts itself by flushing prefresh's
 * queued updates (a failure reloads). Headers on the first line, as withRefresh's.
 */
function withPrefresh(code: string, path: string): string {
  const header =
    'const __prevReg = self.$RefreshReg$, __prevSig = self.$RefreshSig$; ' +
    `self.$RefreshReg$ = (type, id) => self.__PREFRESH__.register(type, ${JSON.stringify(path)} + ' ' + id); ` +
    "self.$RefreshSig$ = () => { let status = 'begin', saved; return (type, key, forceReset, getCustomHooks) => { " +
    'if (!saved) saved = type; status = self.__PREFRESH__.sign(type || saved, key, forceReset, getCustomHooks, status); return type } }; '
  const footer =
    `\nself.$RefreshReg$ = __prevReg; self.$RefreshSig$ = __prevSig;\n` +
    `import { flush as __prefreshFlush } from ${JSON.stringify(PREFRESH_UTILS)};\n` +
    "import.meta.hot.accept(() => { try { __prefreshFlush() } catch (e) { console.error('[nexxo] Preact refresh failed; reloading', e); location.reload() } });\n"
  const map = SOURCE_MAP.exec(code)
  const body = map ? code.slice(0, map.index) : code
  return header + body + footer + (map ? map[0] : '')
}

/**
 * Wraps a module that registered components: its own $RefreshReg$, and an accept that refreshes.
 * Headers stay on the first line so that the source map's lines still match.
 */
function withRefresh(code: string, path: string): string {
  const header =
    'const __prevReg = window.$RefreshReg$, __prevSig = window.$RefreshSig$; ' +
    `window.$RefreshReg$ = (type, id) => window.__nexxo_refresh.register(type, ${JSON.stringify(path)} + ' ' + id); ` +
    'window.$RefreshSig$ = window.__nexxo_refresh.createSignatureFunctionForTransform; '
  const footer =
    `\nwindow.$RefreshReg$ = __prevReg; window.$RefreshSig$ = __prevSig;\n` +
    `import { refreshUpdate as __refresh } from ${JSON.stringify(CLIENT_PATH)};\n` +
    `import.meta.hot.accept((next) => __refresh(import.meta.hot, next));\n`
  const map = SOURCE_MAP.exec(code)
  const body = map ? code.slice(0, map.index) : code
  return header + body + footer + (map ? map[0] : '')
}

/** The inline source map comment the compilers end a module with. */
export const SOURCE_MAP = /\n\/\/# sourceMappingURL=\S+\s*$/

/** Rewrites the specifiers the core found, from the end so that earlier offsets stay valid. */
function rewriteImports(
  code: string,
  scan: ScanResult,
  path: string,
  links: ModuleLinks,
): { code: string; deps: string[]; missingDeps: string[]; unresolved: string[]; hot: HotInfo } {
  const deps = new Set<string>()
  const missing = new Set<string>()
  const unresolved: string[] = []
  let out = code
  for (const record of [...scan.imports].reverse()) {
    if (record.typeOnly || record.kind === 'require' || record.kind === 'jsx-runtime') continue
    const { specifier } = record
    // The server's own modules (the client, pre-bundled chunks) are already URLs.
    if (specifier === CLIENT_PATH || specifier.startsWith(DEPS_PREFIX)) continue
    let url: string | null
    const planned = links.planned?.(specifier)
    if (planned === false) continue
    if (planned !== undefined) {
      deps.add(planned)
      url = moduleUrl(planned, links.version(planned))
    } else if (specifier.startsWith('.') || specifier.startsWith('/')) {
      const query = IMPORT_QUERY.exec(specifier)
      const target = links.resolve(query ? specifier.slice(0, query.index) : specifier, path)
      // Walking backwards: unshift keeps them in source order.
      if (!target) unresolved.unshift(specifier)
      if (!target) continue
      deps.add(target)
      url = moduleUrl(target, links.version(target), query?.[1])
    } else if (/^(https?:|data:)/.test(specifier)) {
      continue
    } else {
      url = links.dependency(specifier)
      if (!url) {
        missing.add(specifier)
        continue
      }
    }
    const start = utf16Index(code, record.start)
    const end = utf16Index(code, record.end)
    out = out.slice(0, start) + url + out.slice(end)
  }
  return { code: out, deps: [...deps], missingDeps: [...missing], unresolved, hot: scan.hot }
}

/** An import that resolves to nothing, located at its specifier in the module's own source. */
function unresolvedError(source: string, path: string, specifier: string): NexxoError {
  const message = `Could not resolve '${specifier}' from ${path.slice(1)}`
  const at = Math.max(0, ...["'", '"', '`'].map((q) => source.indexOf(q + specifier + q)).filter((i) => i >= 0))
  const { line, column } = lineColumn(source, at + 1)
  return NexxoError.single('UNRESOLVED_IMPORT', message, {
    file: path.slice(1),
    line,
    column,
    frame: codeFrame(source, line, column),
  })
}

/**
 * A script compiled for the browser and scanned once. Linking it (its imports pointed at URLs) is a
 * separate step: the server may ask plugins about the imports in between, from this scan, and link
 * again after new dependencies are pre-bundled, without compiling twice.
 */
export interface CompiledScript {
  source: string
  path: string
  /** The Fast Refresh compiled in: the linked module must be recompiled if that changes. */
  refresh: Refresh
  /** The compiler's output, Fast Refresh wrapper included. */
  code: string
  /** Whether the module reads `import.meta.env` (then linking sets it first). */
  usesEnv: boolean
  registersComponents: boolean
  scan: ScanResult
}

export function compileScript(
  core: Core,
  compile: Compile,
  source: string,
  path: string,
  refresh: Refresh,
): CompiledScript {
  const compiled = compile(source, path, refresh !== false)
  const registersComponents = refresh !== false && compiled.includes('$RefreshReg$(')
  const code = !registersComponents
    ? compiled
    : refresh === 'preact'
      ? withPrefresh(compiled, path)
      : withRefresh(compiled, path)
  return {
    source,
    path,
    refresh,
    code,
    usesEnv: compiled.includes('import.meta.env'),
    registersComponents,
    scan: core.scan(code, 'js'),
  }
}

export function transformScript(
  core: Core,
  compile: Compile,
  source: string,
  path: string,
  links: ModuleLinks,
  refresh: Refresh,
  env?: string,
): DevModule {
  return linkScript(compileScript(core, compile, source, path, refresh), links, env)
}

export function linkScript(script: CompiledScript, links: ModuleLinks, env?: string): DevModule {
  const { source, path, usesEnv, registersComponents } = script
  const rewritten = rewriteImports(script.code, script.scan, path, links)
  if (rewritten.unresolved.length > 0) throw unresolvedError(source, path, rewritten.unresolved[0]!)
  const acceptedDeps = rewritten.hot.acceptedDeps.map((d) => links.resolve(d, path) ?? d)
  const hot = rewritten.hot.usesHot || registersComponents
  const header = hot
    ? `import { createHotContext as __hot } from ${JSON.stringify(CLIENT_PATH)}; ` +
      `import.meta.hot = __hot(${JSON.stringify(path)}, ${JSON.stringify(Object.fromEntries(rewritten.hot.acceptedDeps.map((d, i) => [d, acceptedDeps[i]])))}); `
    : ''
  // `import.meta` is per module: each one that reads `env` gets it set first, as Vite does.
  const envHeader = env !== undefined && usesEnv ? `import.meta.env = ${env}; ` : ''
  return {
    // On the first line, as the refresh header: the source map's lines stay right.
    code: envHeader + header + rewritten.code,
    deps: rewritten.deps,
    missingDeps: rewritten.missingDeps,
    hot: { selfAccepting: rewritten.hot.selfAccepting || registersComponents, acceptedDeps },
  }
}

/** The JS form of a plain stylesheet: it injects a `<style>` and swaps it on every update. */
export function cssModuleCode(css: string, path: string, imports: string[]): DevModule {
  const code =
    imports.map((url) => `import ${JSON.stringify(url)};\n`).join('') +
    `import { createHotContext as __hot, updateStyle, removeStyle } from ${JSON.stringify(CLIENT_PATH)};\n` +
    `import.meta.hot = __hot(${JSON.stringify(path)});\n` +
    `updateStyle(${JSON.stringify(path)}, ${JSON.stringify(css)});\n` +
    `import.meta.hot.accept();\n` +
    `import.meta.hot.prune(() => removeStyle(${JSON.stringify(path)}));\n`
  return { code, deps: [], missingDeps: [], hot: { selfAccepting: true, acceptedDeps: [] } }
}
