// Pre-bundling: the project's bare imports (react, react-dom/client, ...) built once with the
// bundler into a few ES module chunks, so that the browser fetches one module per dependency instead
// of hundreds, and CommonJS packages get named exports. The build goes through the bundler's
// persistent cache: a second start with the same dependencies is a cache hit, not a build.

import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import type { Bundler } from '../build/bundler.js'
import type { Core } from '../core/core.js'
import { analyzeEntry } from '../edge/npm-route.js'
import { NexxoError } from '../errors.js'
import { NEXXO_VERSION } from '../version.js'
import { DEPS_PREFIX } from './transform.js'

/** Where the entry facades are written, under the project root (beside the build cache). */
export const DEPS_DIR = 'node_modules/.nexxo/deps'
/** The Fast Refresh runtime: nexxo's own dependency, not the project's. */
export const REFRESH_RUNTIME = 'react-refresh/runtime'

const MAX_PACKAGE_FILES = 5000

export interface PrebundledDeps {
  /** Bare specifier -> URL of its chunk. */
  entries: Map<string, string>
  /** File name (under DEPS_PREFIX) -> code. */
  files: Map<string, string>
  durationMs: number
  cached: boolean
}

/** The specifier dev serves for `specifier`: JSX's development runtime in place of the production one. */
export const devSpecifier = (specifier: string): string =>
  specifier === 'react/jsx-runtime' ? 'react/jsx-dev-runtime' : specifier

/** What a project's bare imports call for in dev: each as `devSpecifier`, and React's runtimes wherever React is. */
export function devDependencies(specifiers: Iterable<string>): string[] {
  const all = new Set([...specifiers].map(devSpecifier))
  if ([...all].some((s) => s === 'react' || s.startsWith('react/') || s.startsWith('react-dom'))) {
    all.add('react/jsx-dev-runtime')
    all.add(REFRESH_RUNTIME)
  }
  return [...all]
}

/** `react-dom/client` -> `react-dom__client`: a file name that stays a single URL segment. */
export const depFileName = (specifier: string): string => specifier.replace(/\//g, '__')

const packageName = (specifier: string) => {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/** The directory of package `name` seen from `from`, by Node's node_modules walk. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    try {
      if (statSync(join(candidate, 'package.json')).isFile()) return candidate
    } catch {}
    if (dirname(dir) === dir) return undefined
  }
}

/** The package's script and JSON files, keyed as the core resolves them (`node_modules/<name>/...`). */
function packageFiles(name: string, dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  let count = 0
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.(c|m)?js$|\.json$/.test(entry.name) && ++count <= MAX_PACKAGE_FILES) {
        files[`node_modules/${name}/${relative(dir, path).split('\\').join('/')}`] = readFileSync(path, 'utf8')
      }
    }
  }
  walk(dir)
  return files
}

/** A facade as last computed, with the stamps of the files it was computed from. */
interface FacadeRecord {
  dir: string
  /** Absolute path -> `size:mtime`. */
  inputs: Record<string, string>
  code: string
}

/** Where the facades are remembered: computing react-dom's reads its 7 MB, on every start otherwise. */
const FACADES_FILE = '_facades.json'

const stamp = (file: string): string => {
  try {
    const stat = statSync(file)
    return `${stat.size}:${stat.mtimeMs}`
  } catch {
    return 'missing'
  }
}

/** The remembered facades; a missing, foreign or corrupt file is an empty memory, never an error. */
function readFacades(file: string): Map<string, FacadeRecord> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; facades?: unknown }
    if (parsed.version !== NEXXO_VERSION || typeof parsed.facades !== 'object' || parsed.facades === null) {
      return new Map()
    }
    const valid = Object.entries(parsed.facades as Record<string, Partial<FacadeRecord>>).filter(
      ([, r]) =>
        typeof r?.code === 'string' &&
        typeof r.dir === 'string' &&
        typeof r.inputs === 'object' &&
        r.inputs !== null &&
        Object.values(r.inputs).every((v) => typeof v === 'string'),
    )
    return new Map(valid as [string, FacadeRecord][])
  } catch {
    return new Map()
  }
}

/** Written whole to a temporary name and renamed, so that a killed process leaves the old file or the new. */
function writeFacades(file: string, facades: Map<string, FacadeRecord>): void {
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify({ version: NEXXO_VERSION, facades: Object.fromEntries(facades) }))
  renameSync(temporary, file)
}

/** The module a dependency's chunk is built from: `export *` for ESM, default plus named exports for CommonJS. */
function facade(core: Core, specifier: string, root: string, remembered: Map<string, FacadeRecord>): FacadeRecord {
  const own = specifier === REFRESH_RUNTIME
  const name = packageName(specifier)
  const dir = own
    ? dirname(createRequire(import.meta.url).resolve('react-refresh/package.json'))
    : packageDir(name, root)
  if (!dir) {
    throw NexxoError.single(
      'UNRESOLVED_IMPORT',
      `Could not resolve '${specifier}': no package '${name}' in node_modules.`,
    )
  }
  const known = remembered.get(specifier)
  if (known?.dir === dir && Object.entries(known.inputs).every(([file, was]) => stamp(file) === was)) return known
  const prefix = `node_modules/${name}/`
  const analyzed = analyzeEntry(core, packageFiles(name, dir), specifier)
  const inputs: Record<string, string> = {}
  for (const file of [join(dir, 'package.json'), ...analyzed.inputs.map((id) => join(dir, id.slice(prefix.length)))]) {
    inputs[file] = stamp(file)
  }
  // The runtime is resolved from nexxo's install, which the project's node_modules may not hold.
  const code = own
    ? analyzed.code.replaceAll(JSON.stringify(specifier), JSON.stringify(join(dir, 'runtime.js')))
    : analyzed.code
  return { dir, inputs, code }
}

export async function prebundle(
  bundler: Bundler,
  core: Core,
  root: string,
  specifiers: string[],
): Promise<PrebundledDeps> {
  const started = performance.now()
  const dir = join(root, DEPS_DIR)
  mkdirSync(dir, { recursive: true })
  const sorted = [...new Set(specifiers)].sort()
  const facadesFile = join(dir, FACADES_FILE)
  const remembered = readFacades(facadesFile)
  const facades = new Map(sorted.map((specifier) => [specifier, facade(core, specifier, root, remembered)]))
  if (sorted.some((specifier) => facades.get(specifier) !== remembered.get(specifier))) {
    writeFacades(facadesFile, new Map([...remembered, ...facades]))
  }
  const inputs = sorted.map((specifier) => {
    const file = join(dir, `${depFileName(specifier)}.js`)
    const text = facades.get(specifier)!.code
    let old: string | undefined
    try {
      old = readFileSync(file, 'utf8')
    } catch {}
    // Unchanged facades keep their mtime, so the cache's stamps of them still hold.
    if (old !== text) writeFileSync(file, text)
    return relative(root, file)
  })
  const entries = new Map<string, string>()
  const files = new Map<string, string>()
  if (inputs.length > 0) {
    const result = await bundler.build({
      root,
      input: inputs,
      format: 'esm',
      define: { 'process.env.NODE_ENV': '"development"' },
      entryFileNames: '[name].js',
      chunkFileNames: 'chunk-[hash].js',
    })
    for (const output of result.outputs) {
      if (output.type === 'chunk') files.set(output.fileName, String(output.code))
    }
    for (const specifier of sorted) {
      const fileName = `${depFileName(specifier)}.js`
      if (!files.has(fileName)) throw new Error(`The pre-bundle has no chunk ${fileName}.`)
      entries.set(specifier, DEPS_PREFIX + fileName)
    }
    return {
      entries,
      files,
      durationMs: performance.now() - started,
      cached: result.stats.cache.hits > 0 && result.stats.cache.misses === 0,
    }
  }
  return { entries, files, durationMs: performance.now() - started, cached: false }
}
