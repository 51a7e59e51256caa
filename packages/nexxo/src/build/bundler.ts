// createBundler(): one object per backend + engine; build() runs a whole build through it.

import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { buildCacheKey, type CachedBuild, encodeBuild, lookupBuild } from '../cache/build-cache.js'
import { boundedCache, IntegrityCache } from '../cache/integrity.js'
import { MemoryStore } from '../cache/memory.js'
import { resolutionInputs } from '../cache/resolution-inputs.js'
import { RocksStore } from '../cache/rocksdb.js'
import type { Cache } from '../cache/store.js'
import type { Engine, EngineInput, EngineOutput, OutputFile } from '../engines/types.js'
import { type Diagnostic, NexxoError } from '../errors.js'
import type { BackendName, BuildOptions, BuildResult, BuildStats, BundlerOptions, EngineName } from '../types.js'
import { type Backend, loadEngine, NEXXO_VERSION, selectBackend } from './backend.js'
import { engineError, type SourceAccess } from './diagnostics.js'
import {
  memoryEntries,
  memoryFiles,
  memoryKey,
  reachableFailures,
  refusedFiles,
  unresolvedImports,
  validateFiles,
} from './files.js'
import { normalizeBuild } from './options.js'
import { writeOutputsAtomically } from './write.js'

interface Produced {
  outputs: OutputFile[]
  modules: number
  cache: BuildStats['cache']
  /** The disk cache the build used, if any: it records the build's hit/miss counts. */
  disk?: Cache
}

/** Where `nexxo build` keeps its cache, relative to the project root (as Vite keeps `.vite`). */
export const DEFAULT_CACHE_DIR = 'node_modules/.nexxo/cache'
/** Default bounds of the disk cache and of the in-memory one (`cacheMaxSize` overrides both). */
export const DEFAULT_DISK_CACHE_BYTES = 512 * 1024 * 1024
export const DEFAULT_MEMORY_CACHE_BYTES = 50 * 1024 * 1024
/** The disk cache keeps the hit/miss counts of the last build here, for `nexxo cache stats`. */
export const LAST_BUILD_KEY = 'stats:last-build'

export class Bundler {
  /**
   * Rolldown can panic or hang when bundles run concurrently right after it loads (DESIGN.md,
   * "Traps"); the first build runs alone and the others wait for it.
   */
  private warmUp: Promise<unknown> | null = null
  private deepFallback: Promise<Engine> | undefined
  private closed = false

  private memoryCache: Cache | undefined
  private readonly diskCaches = new Map<string, Promise<Cache | string>>()
  private readonly cacheWarned = new Set<string>()

  constructor(
    private readonly selected: Backend,
    private readonly options: BundlerOptions = {},
  ) {
    // A cache directory known up front starts opening now, alongside whatever the caller does next.
    if (options.cache !== false && options.cacheDir && isAbsolute(options.cacheDir))
      this.openDiskCache(options.cacheDir)
  }

  get backend(): BackendName {
    return this.selected.name
  }
  get engine(): EngineName {
    return this.selected.engine.name
  }
  /** `name@version` of the engine package doing the work. */
  get engineVersion(): string {
    return `${this.selected.engine.packageName}@${this.selected.engine.version}`
  }
  get core() {
    return this.selected.core
  }

  async build(options: BuildOptions): Promise<BuildResult> {
    if (this.closed) throw NexxoError.single('CLOSED', 'This bundler was closed.')
    if (this.warmUp) await this.warmUp.catch(() => {})
    const run = this.run(options)
    this.warmUp ??= run
    return run
  }

  private async run(options: BuildOptions): Promise<BuildResult> {
    const started = performance.now()
    const warnings: Diagnostic[] = []
    const root = resolve(options.root ?? process.cwd())
    const { outputs, modules, cache, disk } = await this.produce(options, root, warnings)
    if (options.outDir) await writeOutputsAtomically(resolve(root, options.outDir), outputs)
    const stats = { modules, durationMs: performance.now() - started, cache }
    // A cache that failed to store this build was switched off (and said so) already.
    if (disk && this.options.cache !== false) await this.recordLastBuild(disk, stats, warnings)
    return { warnings, outputs, stats }
  }

  /** The build's outputs: from the cache when an entry still holds, else from the engine (then stored). */
  private async produce(options: BuildOptions, root: string, warnings: Diagnostic[]): Promise<Produced> {
    const build = normalizeBuild(options)
    let engine = this.selected.engine
    let input: EngineInput
    let sources: SourceAccess
    let cache: Cache | undefined
    let disk: Cache | undefined
    let cacheKey = ''
    // Disk builds: stamps of the project's files taken before the engine reads them.
    let stamps: string | undefined
    const { core } = this.selected
    const keyOptions = { ...build, nexxo: NEXXO_VERSION }
    const hit = (cached: CachedBuild): Produced => ({ ...cached, cache: { hits: 1, misses: 0 }, disk })
    if (options.files) {
      const files = validateFiles(options.files)
      const entries = memoryEntries(files, build.entries)
      const entryKeys = entries.map(memoryKey)
      const project = this.selected.core.projectFromFiles(files, entryKeys)
      const refused = refusedFiles(reachableFailures(project), (id) => files[id])
      if (refused.length > 0) throw new NexxoError(refused[0]!.code!, refused)
      const unresolved = unresolvedImports(project, files, build.external)
      if (unresolved.length > 0) throw new NexxoError('UNRESOLVED_IMPORT', unresolved)
      cache = this.cacheForFiles()
      if (cache) {
        cacheKey = buildCacheKey(core, project.graphHash, engine, { ...keyOptions, entries: entryKeys })
        const cached = await lookupBuild(cache, core, cacheKey)
        if (cached) return hit(cached)
      }
      if (project.depth > engine.maxImportDepth) {
        engine = await this.deepChainEngine(project.depth, warnings)
      }
      const view = memoryFiles(files, project)
      input = { ...build, entries, cwd: '/', files: view }
      sources = { read: (id) => view.read(id), display: memoryKey }
    } else {
      const entries = build.entries.map((e) => (isAbsolute(e) ? e : resolve(root, e)))
      const missing = entries.filter((e) => !existsSync(e))
      if (missing.length > 0) {
        throw new NexxoError(
          'MISSING_ENTRY',
          missing.map((e) => ({ code: 'MISSING_ENTRY', message: `Entry not found: ${e}`, file: relative(root, e) })),
        )
      }
      input = { ...build, entries, cwd: root }
      cache = disk = await this.cacheForDisk(root, warnings)
      if (cache) {
        cacheKey = buildCacheKey(core, core.hash(JSON.stringify({ root, entries })), engine, keyOptions)
        const cached = await lookupBuild(cache, core, cacheKey)
        if (cached) return hit(cached)
      }
      stamps = await this.guardDisk(root, entries)
      sources = {
        read(id) {
          try {
            return readFileSync(id, 'utf8')
          } catch {
            return undefined
          }
        },
        display: (id) => (isAbsolute(id) ? relative(root, id).replace(/\\/g, '/') : id),
      }
    }
    let result: Awaited<ReturnType<typeof engine.build>>
    try {
      result = await engine.build(input)
    } catch (e) {
      throw engineError(e, engine.name, sources, input.cwd)
    }
    if (cache) await this.store(cache, cacheKey, result, disk ? { root, stamps } : undefined, warnings)
    return {
      outputs: result.outputs,
      modules: result.moduleIds.length,
      cache: { hits: 0, misses: cache ? 1 : 0 },
      disk,
    }
  }

  /** What `nexxo cache stats` reports as the last build; a failure here only costs the record. */
  private async recordLastBuild(cache: Cache, stats: BuildStats, warnings: Diagnostic[]): Promise<void> {
    const record = { ...stats.cache, durationMs: Math.round(stats.durationMs), at: new Date().toISOString() }
    try {
      await cache.put(LAST_BUILD_KEY, new TextEncoder().encode(JSON.stringify(record)))
    } catch (e) {
      warnings.push({ code: 'CACHE_UNAVAILABLE', message: `Writing the build cache failed (${(e as Error).message}).` })
    }
  }

  private cacheForFiles(): Cache | undefined {
    if (this.options.cache === false) return undefined
    const hash = (bytes: Uint8Array) => this.selected.core.hash(bytes)
    const maxBytes = this.options.cacheMaxSize ?? DEFAULT_MEMORY_CACHE_BYTES
    const { cacheStore } = this.options
    this.memoryCache ??= cacheStore
      ? boundedCache(cacheStore, hash, maxBytes)
      : new IntegrityCache(new MemoryStore(maxBytes), hash)
    return this.memoryCache
  }

  /**
   * The disk cache for builds under `root`, opened once. It needs the native core to stamp files;
   * if another process holds it past the lock timeout, or it cannot be opened, the build goes on
   * uncached with one warning.
   */
  private async cacheForDisk(root: string, warnings: Diagnostic[]): Promise<Cache | undefined> {
    const { core } = this.selected
    if (this.options.cache === false || !core.canStampFiles) return undefined
    const dir = resolve(root, this.options.cacheDir ?? DEFAULT_CACHE_DIR)
    const cache = await this.openDiskCache(dir)
    if (typeof cache === 'string') {
      // Said once per bundler: later builds just go uncached.
      if (!this.cacheWarned.has(dir)) warnings.push({ code: 'CACHE_UNAVAILABLE', message: cache })
      this.cacheWarned.add(dir)
      return undefined
    }
    return cache
  }

  private openDiskCache(dir: string): Promise<Cache | string> {
    if (!this.diskCaches.has(dir)) {
      const core = this.selected.core
      const opened = core.canStampFiles
        ? RocksStore.open(dir, { lockTimeoutMs: 3000 }).then(
            (store): Cache | string =>
              boundedCache(store, (bytes) => core.hash(bytes), this.options.cacheMaxSize ?? DEFAULT_DISK_CACHE_BYTES),
            (e: Error) => `The build cache at ${dir} is unavailable (${e.message}); building without it.`,
          )
        : Promise.resolve('The disk cache needs the native backend.')
      this.diskCaches.set(dir, opened)
    }
    return this.diskCaches.get(dir)!
  }

  /** Stores a fresh build; a failing cache (a full disk, say) is switched off with one warning. */
  private async store(
    cache: Cache,
    key: string,
    result: EngineOutput,
    disk: { root: string; stamps: string | undefined } | undefined,
    warnings: Diagnostic[],
  ) {
    try {
      const read = result.watchFiles
      const inputs = disk
        ? await this.selected.core.stampInputs([...read, ...resolutionInputs(disk.root, read)], disk.stamps)
        : undefined
      const entry: CachedBuild = { modules: result.moduleIds.length, outputs: result.outputs }
      if (inputs !== undefined) entry.inputs = inputs
      await cache.put(key, encodeBuild(entry))
    } catch (e) {
      const message = `Writing the build cache failed (${(e as Error).message}); caching is off for this bundler.`
      warnings.push({ code: 'CACHE_UNAVAILABLE', message })
      this.options.cache = false
    }
  }

  /**
   * An import chain deeper than the chosen engine survives. Native rolldown hands it to
   * @rolldown/browser, which goes deeper and, at the same version, writes the same bytes; anything
   * else is refused with a diagnostic rather than crashing the process.
   */
  private async deepChainEngine(depth: number, warnings: Diagnostic[]): Promise<Engine> {
    const { engine, name } = this.selected
    if (name === 'native' && engine.name === 'rolldown') {
      this.deepFallback ??= loadEngine('wasm', 'rolldown')
      const fallback = await this.deepFallback
      if (depth <= fallback.maxImportDepth && fallback.version === engine.version) {
        warnings.push({
          code: 'ENGINE_FALLBACK',
          message: `The import chain is ${depth} modules deep, more than native rolldown is trusted with (${engine.maxImportDepth}); built with ${fallback.packageName}@${fallback.version} instead (same output, slower).`,
        })
        return fallback
      }
    }
    throw NexxoError.single(
      'TOO_DEEP',
      `The import chain is ${depth} modules deep; ${engine.packageName} on the ${name} backend is trusted with at most ${engine.maxImportDepth} (deeper chains overflow its stack).`,
    )
  }

  /**
   * Native rolldown overflows its stack on pathologically nested code and takes the process down
   * with it, and esbuild reads non-UTF-8 files as Latin-1 without a word; the core's parallel scan
   * finds such files among the project's sources first. The wasm core has no parallel disk scan, so
   * wasm builds rely on their engines here (wasm rolldown reports both; see the README's limits).
   * Returns the stamps the check took of every file it read, for the disk cache.
   */
  private async guardDisk(root: string, entries: string[]): Promise<string | undefined> {
    const { core, name } = this.selected
    if (name !== 'native') return undefined
    const entryIds = entries.map((e) => relative(root, e).replace(/\\/g, '/'))
    const { failures, stamps } = await core.checkProject(root, entryIds)
    const refused = refusedFiles(failures, (id) => {
      try {
        return readFileSync(resolve(root, id), 'utf8')
      } catch {
        return undefined
      }
    })
    if (refused.length > 0) throw new NexxoError(refused[0]!.code!, refused)
    return stamps
  }

  async close(): Promise<void> {
    this.closed = true
    await this.selected.engine.close?.()
    await (await this.deepFallback)?.close?.()
    for (const cache of this.diskCaches.values()) {
      const opened = await cache
      if (typeof opened !== 'string') await opened.close()
    }
    this.diskCaches.clear()
  }
}

export async function createBundler(options: BundlerOptions = {}): Promise<Bundler> {
  const engine = options.engine ?? 'rolldown'
  if (engine !== 'rolldown' && engine !== 'esbuild') {
    throw NexxoError.single('INVALID_OPTION', `Unknown engine '${engine}': expected rolldown or esbuild.`)
  }
  const backend = options.backend ?? 'auto'
  if (!['auto', 'native', 'wasm'].includes(backend)) {
    throw NexxoError.single('INVALID_OPTION', `Unknown backend '${backend}': expected auto, native or wasm.`)
  }
  const { cacheMaxSize } = options
  if (cacheMaxSize !== undefined && !(Number.isFinite(cacheMaxSize) && cacheMaxSize > 0)) {
    throw NexxoError.single('INVALID_OPTION', `cacheMaxSize must be a positive number of bytes, got ${cacheMaxSize}.`)
  }
  return new Bundler(await selectBackend(backend, engine), { ...options })
}
