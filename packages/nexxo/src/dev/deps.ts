// Pre-bundling: the project's bare imports (react, react-dom/client, ...) built once with the
// bundler into a few ES module chunks, so that the browser fetches one module per dependency instead
// of hundreds, and CommonJS packages get named exports. The chunks are kept on disk, and a second
// start with the same dependencies serves them without building.

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import type { Bundler } from '../build/bundler.js'
import { stampBuildInputs } from '../cache/resolution-inputs.js'
import type { Core } from '../core/core.js'
import { analyzeEntry } from '../edge/npm-route.js'
import { NexxoError } from '../errors.js'
import { NEXXO_VERSION } from '../version.js'
import { isFile } from './fs-quiet.js'
import { DEPS_PREFIX, PREFRESH_UTILS } from './transform.js'

/** Where the entry facades are written, under the project root (beside the build cache). */
export const DEPS_DIR = 'node_modules/.nexxo/deps'
/** The Fast Refresh runtime: nexxo's own dependency, not the project's. */
export const REFRESH_RUNTIME = 'react-refresh/runtime'
/** Preact's Fast Refresh (prefresh): its runtime; PREFRESH_UTILS has the `flush` a refreshed module calls. */
export const PREFRESH_RUNTIME = '@prefresh/core'

/** Runtimes nexxo brings itself: package and entry file, resolved from nexxo's own install. */
const OWN_RUNTIMES: Record<string, { pkg: string; entry: string }> = {
  [REFRESH_RUNTIME]: { pkg: 'react-refresh', entry: 'runtime.js' },
  [PREFRESH_RUNTIME]: { pkg: '@prefresh/core', entry: 'src/index.js' },
  [PREFRESH_UTILS]: { pkg: '@prefresh/utils', entry: 'src/index.js' },
}

const MAX_PACKAGE_FILES = 5000

export interface PrebundledDeps {
  /** Bare specifier -> URL of its chunk. */
  entries: Map<string, string>
  /** The directory the chunks are in. */
  dir: string
  /** The chunks' file names: the only names served from `dir` (under DEPS_PREFIX). */
  files: Set<string>
  durationMs: number
  cached: boolean
}

/** The specifier dev serves for `specifier`: JSX's development runtime in place of the production one. */
export const devSpecifier = (specifier: string): string =>
  specifier === 'react/jsx-runtime' ? 'react/jsx-dev-runtime' : specifier

/**
 * What a project's bare imports call for in dev: each as `devSpecifier`, React's runtimes wherever
 * React is, and prefresh's wherever Preact is (and React is not).
 */
export function devDependencies(specifiers: Iterable<string>): string[] {
  const all = new Set([...specifiers].map(devSpecifier))
  if ([...all].some((s) => s === 'react' || s.startsWith('react/') || s.startsWith('react-dom'))) {
    all.add('react/jsx-dev-runtime')
    all.add(REFRESH_RUNTIME)
  } else if ([...all].some((s) => s === 'preact' || s.startsWith('preact/'))) {
    all.add(PREFRESH_RUNTIME)
    all.add(PREFRESH_UTILS)
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
/** The facades as modules, the pre-bundle's entries. */
export const FACADES_SUBDIR = 'facades'

const stamp = (file: string): string => {
  try {
    const stat = statSync(file)
    return `${stat.size}:${stat.mtimeMs}`
  } catch {
    return 'missing'
  }
}

/**
 * A JSON file of this directory that this version wrote (`writeRemembered`), as parsed; a missing,
 * foreign, older or corrupt one is undefined, never an error.
 */
function readRemembered(file: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null
    return parsed?.version === NEXXO_VERSION ? parsed : undefined
  } catch {
    return undefined
  }
}

/** Written whole to a temporary name and renamed, so that a killed process leaves the old file or the new. */
function writeRemembered(file: string, fields: Record<string, unknown>): void {
  const temporary = `${file}.${process.pid}.tmp`
  try {
    writeFileSync(temporary, JSON.stringify({ version: NEXXO_VERSION, ...fields }))
    renameSync(temporary, file)
  } catch (e) {
    rmSync(temporary, { force: true })
    throw e
  }
}

/** The remembered facades; a missing, foreign or corrupt file is an empty memory, never an error. */
function readFacades(file: string): Map<string, FacadeRecord> {
  const facades = readRemembered(file)?.facades
  if (typeof facades !== 'object' || facades === null) return new Map()
  const valid = Object.entries(facades as Record<string, Partial<FacadeRecord>>).filter(
    ([, r]) =>
      typeof r?.code === 'string' &&
      typeof r.dir === 'string' &&
      typeof r.inputs === 'object' &&
      r.inputs !== null &&
      Object.values(r.inputs).every((v) => typeof v === 'string'),
  )
  return new Map(valid as [string, FacadeRecord][])
}

const writeFacades = (file: string, facades: Map<string, FacadeRecord>) =>
  writeRemembered(file, { facades: Object.fromEntries(facades) })

/** The module a dependency's chunk is built from: `export *` for ESM, default plus named exports for CommonJS. */
function facade(core: Core, specifier: string, root: string, remembered: Map<string, FacadeRecord>): FacadeRecord {
  const own = OWN_RUNTIMES[specifier]
  const name = packageName(specifier)
  const dir = own ? dirname(createRequire(import.meta.url).resolve(`${own.pkg}/package.json`)) : packageDir(name, root)
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
    ? analyzed.code.replaceAll(JSON.stringify(specifier), JSON.stringify(join(dir, own.entry)))
    : analyzed.code
  return { dir, inputs, code }
}

/** A pre-bundle as written to disk: its chunks beside this record, in a directory named by its key. */
interface BundleRecord {
  version: string
  /** Bare specifier -> file name of its chunk. */
  entries: Record<string, string>
  files: string[]
  /** The core's `stampInputs` record of every file the build read. */
  inputs: string
}

const BUNDLE_RECORD = '_bundle.json'
const BUNDLE_PREFIX = 'bundle-'

/** The pre-bundle in `dir` if it is whole and every file it was built from is unchanged; else undefined. */
async function recall(core: Core, root: string, dir: string): Promise<BundleRecord | undefined> {
  let record: Partial<BundleRecord>
  try {
    record = JSON.parse(readFileSync(join(dir, BUNDLE_RECORD), 'utf8')) as Partial<BundleRecord>
  } catch {
    return undefined
  }
  const { entries, files, inputs } = record
  const whole =
    record.version === NEXXO_VERSION &&
    typeof inputs === 'string' &&
    Array.isArray(files) &&
    files.every((f) => typeof f === 'string' && isFile(join(dir, f))) &&
    typeof entries === 'object' &&
    entries !== null &&
    Object.values(entries).every((f) => files.includes(f))
  if (!whole) return undefined
  try {
    return (await core.inputsUnchanged(inputs, root)) ? (record as BundleRecord) : undefined
  } catch {
    return undefined
  }
}

/**
 * Writes the chunks and their record into a temporary directory and renames it into place, so that
 * a killed process leaves no half a pre-bundle under the real name; earlier pre-bundles are removed.
 */
function store(depsDir: string, dir: string, record: BundleRecord, chunks: Map<string, string>): void {
  const temporary = `${dir}.${process.pid}.tmp`
  rmSync(temporary, { recursive: true, force: true })
  mkdirSync(temporary)
  for (const [name, code] of chunks) writeFileSync(join(temporary, name), code)
  writeFileSync(join(temporary, BUNDLE_RECORD), JSON.stringify(record))
  rmSync(dir, { recursive: true, force: true })
  renameSync(temporary, dir)
  for (const entry of readdirSync(depsDir)) {
    const path = join(depsDir, entry)
    if (!entry.startsWith(BUNDLE_PREFIX) || path === dir) continue
    try {
      // Another process's temporary directory is left alone while it may still be writing it.
      if (!entry.endsWith('.tmp') || Date.now() - statSync(path).mtimeMs > 60_000) {
        rmSync(path, { recursive: true, force: true })
      }
    } catch {}
  }
}

export interface PrebundleOptions {
  /** Where the facades and pre-bundles are kept (default: `DEPS_DIR` under the root). */
  dir?: string
  /** `false`: bundle again even if an unchanged pre-bundle is on disk. */
  reuse?: boolean
  /** `true`: only an unchanged pre-bundle on disk, else undefined (nothing is bundled). */
  cachedOnly?: boolean
}

const LAST_SCAN_FILE = '_scan.json'

/**
 * The packages the last scan of the project found (`rememberScan`), if the deps directory holds
 * them for this version. A start that finds them, and a pre-bundle of them on disk, skips scanning
 * every file under the root (some 0.7 s for 20,000): an import of a package added while the server
 * was stopped is found where it is imported, pre-bundled then, and the page reloaded, as Vite does.
 */
export function lastScan(dir: string): string[] | undefined {
  const found = readRemembered(join(dir, LAST_SCAN_FILE))?.found
  return Array.isArray(found) && found.every((s) => typeof s === 'string') ? found : undefined
}

/** Remembers what a scan found; a failure costs only the next start's scan. */
export function rememberScan(dir: string, found: string[]): void {
  try {
    mkdirSync(dir, { recursive: true })
    writeRemembered(join(dir, LAST_SCAN_FILE), { found })
  } catch {}
}

/**
 * The project's dependencies as a few chunks on disk. A pre-bundle is remembered as plain files,
 * named by the hash of its facades and the engine's version and kept while every file it read keeps
 * its stamp: a started server with unchanged dependencies neither loads the engine nor opens the
 * build cache. Pre-bundles need the native core's stamps; the wasm backend bundles on every start.
 */
export async function prebundle(
  bundler: Bundler,
  core: Core,
  root: string,
  specifiers: string[],
  options: PrebundleOptions & { cachedOnly: true },
): Promise<PrebundledDeps | undefined>
export async function prebundle(
  bundler: Bundler,
  core: Core,
  root: string,
  specifiers: string[],
  options?: PrebundleOptions,
): Promise<PrebundledDeps>
export async function prebundle(
  bundler: Bundler,
  core: Core,
  root: string,
  specifiers: string[],
  options: PrebundleOptions = {},
): Promise<PrebundledDeps | undefined> {
  const started = performance.now()
  const depsDir = resolve(root, options.dir ?? DEPS_DIR)
  mkdirSync(depsDir, { recursive: true })
  const sorted = [...new Set(specifiers)].sort()
  if (sorted.length === 0) return { entries: new Map(), dir: depsDir, files: new Set(), durationMs: 0, cached: false }
  const facadesFile = join(depsDir, FACADES_FILE)
  const remembered = readFacades(facadesFile)
  const facades = new Map(sorted.map((specifier) => [specifier, facade(core, specifier, root, remembered)]))
  if (sorted.some((specifier) => facades.get(specifier) !== remembered.get(specifier))) {
    writeFacades(facadesFile, new Map([...remembered, ...facades]))
  }
  const facadeTexts = sorted.map((specifier) => [specifier, facades.get(specifier)!.code])
  const key = core.hash(JSON.stringify([NEXXO_VERSION, bundler.engineVersion, facadeTexts])).slice(0, 16)
  const dir = join(depsDir, `${BUNDLE_PREFIX}${key}`)
  const served = (record: BundleRecord, cached: boolean): PrebundledDeps => ({
    entries: new Map(Object.entries(record.entries).map(([specifier, file]) => [specifier, DEPS_PREFIX + file])),
    dir,
    files: new Set(record.files),
    durationMs: performance.now() - started,
    cached,
  })
  const known = core.canStampFiles && options.reuse !== false ? await recall(core, root, dir) : undefined
  if (known) return served(known, true)
  if (options.cachedOnly) return undefined

  // The facades have a directory of their own: the build stamps the directories of what it read, and
  // the deps directory changes with every pre-bundle written into it.
  const facadesDir = join(depsDir, FACADES_SUBDIR)
  mkdirSync(facadesDir, { recursive: true })
  const inputs = sorted.map((specifier) => {
    const file = join(facadesDir, `${depFileName(specifier)}.js`)
    const text = facades.get(specifier)!.code
    let old: string | undefined
    try {
      old = readFileSync(file, 'utf8')
    } catch {}
    // An unchanged facade keeps its mtime, so that stamps of it still hold.
    if (old !== text) writeFileSync(file, text)
    return relative(root, file)
  })
  const result = await bundler.build({
    root,
    input: inputs,
    format: 'esm',
    define: { 'process.env.NODE_ENV': '"development"' },
    // Dev builds of packages that have one (solid-js's, which solid-refresh needs), as Vite serves them.
    conditions: ['development'],
    entryFileNames: '[name].js',
    chunkFileNames: 'chunk-[hash].js',
  })
  const chunks = new Map<string, string>()
  for (const output of result.outputs) {
    if (output.type !== 'chunk') continue
    // Chunks are served by name from one directory: a name with a path in it is a bug, not a file.
    if (!/^[\w.@-]+$/.test(output.fileName)) throw new Error(`Unexpected pre-bundle chunk name ${output.fileName}.`)
    chunks.set(output.fileName, String(output.code))
  }
  const entries: Record<string, string> = {}
  for (const specifier of sorted) {
    const fileName = `${depFileName(specifier)}.js`
    if (!chunks.has(fileName)) throw new Error(`The pre-bundle has no chunk ${fileName}.`)
    entries[specifier] = fileName
  }
  const record: BundleRecord = {
    version: NEXXO_VERSION,
    entries,
    files: [...chunks.keys()],
    inputs: core.canStampFiles ? await stampBuildInputs(core, root, result.watchFiles ?? []) : '',
  }
  store(depsDir, dir, record, chunks)
  return served(record, false)
}
