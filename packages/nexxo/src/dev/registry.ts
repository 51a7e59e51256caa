// Bundled dev: the page's first load is one bundle of the app's modules, not one request per module.
// Each module is compiled as it is for unbundled dev, then put in oxc's module-runner form (the one
// Vite's module runner executes): imports become calls into the page's registry and exports a
// namespace object, wrapped in a factory the registry (client.ts) runs once per URL. A hot update
// sends one module's factory; everything else is unchanged from unbundled dev (the core's HMR plan,
// Fast Refresh, CSS modules, the overlay, every request check).

import remapping from '@jridgewell/remapping'
import { NexxoError } from '../errors.js'
import { SOURCE_MAP } from './transform.js'

/** oxc-transform's module-runner transform (npm `oxc-transform`, the dev compiler's own binding). */
export interface ModuleRunnerTransform {
  moduleRunnerTransformSync(filename: string, source: string, options?: object): ModuleRunnerResult
}

interface ModuleRunnerResult {
  code: string
  map?: object | null
  deps: string[]
  dynamicDeps: string[]
  errors: { message: string }[]
}

/** Entry bundles: the page's `<script type="module" src>` points here, `/@nexxo/entry/src/main.tsx`. */
export const ENTRY_PREFIX = '/@nexxo/entry'
/** A module and every module it imports statically, defined but not run (a dynamic import, an import new to the page). */
export const BUNDLE_PREFIX = '/@nexxo/bundle'
/** One module's factory alone: what a hot update fetches. */
export const MODULE_PREFIX = '/@nexxo/module'
/** The source map of what a bundled path answers: `/@nexxo/map/@nexxo/entry/src/main.tsx`, asked for only by devtools. */
export const MAP_PREFIX = '/@nexxo/map'

/**
 * Whether the registry runs `url` (an app module) rather than the browser (the client, pre-bundled
 * dependencies, other origins). The client holds the same rule (`inRegistry` in client.ts).
 */
export const inRegistry = (url: string): boolean =>
  url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/@deps/') && !url.startsWith('/@nexxo/')

/** Part of a kept factory's key (dev/module-cache.ts): raise it when `toFactory`'s output changes shape. */
export const FACTORY_FORMAT = 1

/** A module in the registry's form: the factory's body, and the URLs it imports statically. */
export interface Factory {
  body: string
  deps: string[]
}

/** The factory of a compiled module (`url`, to name it in errors). */
export function toFactory(transform: ModuleRunnerTransform, code: string, url: string): Factory {
  const map = SOURCE_MAP.exec(code)
  const result = transform.moduleRunnerTransformSync('module.js', map ? code.slice(0, map.index) : code)
  const [error] = result.errors
  if (error) throw NexxoError.single('PARSE_ERROR', `${url}: ${error.message}`)
  return { body: result.code, deps: result.deps.filter(inRegistry) }
}

/**
 * The source map of a compiled module's factory, back to its source: the module-runner transform's
 * map through the compiler's inline one. Made only when devtools ask (some 0.1 ms a module), never
 * for the bundle itself. Null when the compiled code has no map.
 */
export function factoryMap(transform: ModuleRunnerTransform, code: string): object | null {
  const inline = SOURCE_MAP.exec(code)
  const encoded = inline && /^\n\/\/# sourceMappingURL=data:application\/json;base64,(\S+)/.exec(inline[0])?.[1]
  if (!inline || !encoded) return null
  const result = transform.moduleRunnerTransformSync('module.js', code.slice(0, inline.index), { sourcemap: true })
  if (!result.map) return null
  const compiled = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as object
  // Every map the transform's points into is the compiler's: there is one source behind it.
  return remapping(result.map as never, (file) => (file === 'module.js' ? (compiled as never) : null)) as object
}

/** The line a factory's body starts on in its definition (after the `__nexxo_define(…) {` line). */
export const BODY_LINE = 1

/** One factory's definition, for a bundle: the registry passes in what the module-runner form names. */
export const defineFactory = (url: string, body: string): string =>
  `__nexxo_define(${JSON.stringify(url)}, async function (__vite_ssr_exports__, __vite_ssr_import_meta__, __vite_ssr_import__, __vite_ssr_dynamic_import__, __vite_ssr_exportAll__) {\n${body}\n});\n`

/** A factory that fails where it runs, with the message of the answer its module got instead. */
export const failingFactory = (message: string): string => `throw new Error(${JSON.stringify(message)});`

/** What a bundle starts with; its definitions follow, then `bundleTail`. */
export const BUNDLE_HEAD = 'import { define as __nexxo_define, run as __nexxo_run } from "/@nexxo/client";\n'

/** What a bundle ends with: a run of `run` (an entry's URL), and where devtools find its map (`bundleMap`). */
export const bundleTail = (run?: string, mapUrl?: string): string =>
  (run === undefined ? '' : `__nexxo_run(${JSON.stringify(run)});\n`) +
  (mapUrl === undefined ? '' : `//# sourceMappingURL=${mapUrl}\n`)

/**
 * The index source map of a bundle of `definitions` (in `bundleText`'s order), each section the
 * map of its factory (`maps`, null for none) at the line its body starts on.
 */
export function bundleMap(definitions: string[], maps: (object | null)[]): string {
  const sections: { offset: { line: number; column: number }; map: object }[] = []
  let line = lineCount(BUNDLE_HEAD)
  definitions.forEach((text, i) => {
    const map = maps[i]
    if (map) sections.push({ offset: { line: line + BODY_LINE, column: 0 }, map })
    line += lineCount(text)
  })
  return JSON.stringify({ version: 3, sections })
}

const lineCount = (text: string) => {
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return n
}
