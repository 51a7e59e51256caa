// The Bundler: one object per backend + engine; build() runs a whole build through it. This module
// runs anywhere (Node, Bun, browsers, workers): builds of in-memory `files` need nothing more.
// Builds from disk go through a DiskHost (build/disk.ts), which only the Node entry passes in.

import type { CssLoader } from '../app/css-engine.js'
import { projectTsconfig } from '../app/tsconfig.js'
import {
  buildCacheKey,
  type CachedBuild,
  encodeBuild,
  lookupBuild,
  type OutputBytes,
  outputBytes,
} from '../cache/build-cache.js'
import { boundedCache, IntegrityCache, withRemote } from '../cache/integrity.js'
import { MemoryStore } from '../cache/memory.js'
import type { RemoteStore } from '../cache/remote.js'
import { type Cache, CacheCorruptError } from '../cache/store.js'
import type { Core, Project } from '../core/core.js'
import { decoratorTransform, lowerToEs5, type SwcLoader } from '../engines/swc.js'
import { type Engine, type EngineInput, type EngineOutput, hasMap, type OutputFile } from '../engines/types.js'
import { type Diagnostic, NexxoError } from '../errors.js'
import { registryUrl } from '../npm/default-registry.js'
import type { RegistryClient } from '../npm/registry.js'
import { NO_PLUGINS, pluginsCacheKey, pluginsForBuild } from '../plugin/container.js'
import type { NexxoPlugin } from '../plugin/types.js'
import type { BackendName, BuildOptions, BuildResult, BuildStats, BundlerOptions, EngineName } from '../types.js'
import { NEXXO_VERSION } from '../version.js'
import { type AppInput, finishApp, type ProjectAccess, prepareApp } from './app.js'
import { engineError, type SourceAccess } from './diagnostics.js'
import {
  memoryEntries,
  memoryFiles,
  memoryKey,
  reachableFailures,
  refusedFiles,
  splitFiles,
  unresolvedImports,
  validateFiles,
} from './files.js'
import { type NormalizedBuild, normalizeBuild } from './options.js'
import { pluginScanner } from './plugin-scan.js'
import type { Staging } from './write.js'

export interface Backend {
  name: BackendName
  core: Core
  engine: Engine
  /** An engine that goes deeper at the same version (native rolldown's wasm twin), loaded on demand. */
  deeperEngine?: () => Promise<Engine>
  /** swc, for `target: 'es5'` and decorators. */
  swc?: SwcLoader
  /** lightningcss (native) or lightningcss-wasm, at one version: the app pipeline's CSS. */
  css?: CssLoader
}

/** Everything a build from disk needs: a file system, the disk cache and the native core's stamps. */
export interface DiskHost {
  /** `root` (default: the working directory) as an absolute path. */
  root(root: string | undefined): string
  /** The entries as absolute paths; missing ones are a MISSING_ENTRY error. */
  entries(root: string, entries: string[]): string[]
  /** The disk cache for builds under `root`; undefined (said once in `warnings`) if it cannot be had. */
  cache(root: string, warnings: Diagnostic[]): Promise<Cache | undefined>
  /**
   * True, for the first build that asks, when the cache for `root` was not on disk yet: it holds
   * nothing. Its directory is made now, before the check stamps the directories around it.
   */
  cacheIsNew(root: string): boolean
  /**
   * The pre-build safety check; with `stamp`, returns stamps of the files it read, for `stamp()`.
   * `outDir` (absolute), where the build writes, is no input: the stamped listings leave it out.
   */
  check(root: string, entries: string[], stamp: boolean, outDir: string | undefined): Promise<string | undefined>
  /** The record of what a build read, for the cache entry (`prior`: stamps from `check`). */
  stamp(root: string, read: string[], prior: string | undefined): Promise<string>
  sources(root: string): SourceAccess
  /** A file's bytes by absolute path; undefined when it cannot be read. */
  readBytes(path: string): Uint8Array | undefined
  /** The files under the absolute `dir`, relative to it and sorted; [] when there is no such directory. */
  list(dir: string): string[]
  /** Starts writing `outDir` (relative to `root`): files go to a staging directory until committed. */
  stage(root: string, outDir: string): Promise<Staging>
  close(): Promise<void>
}

/** A cache entry on its way: `encoded` once it is in memory, `stored` once it is in the cache; neither rejects. */
interface Storing {
  encoded: Promise<void>
  stored: Promise<void>
}

interface Produced {
  outputs: OutputFile[]
  modules: number
  cache: BuildStats['cache']
  /** The disk cache the build used, if any: it records the build's hit/miss counts. */
  disk?: Cache
  packages?: BuildStats['packages']
  watchFiles?: string[]
  /** Set for app builds: what finishing the outputs (pages, `public/`) needs. */
  app?: { build: NormalizedBuild; access: ProjectAccess }
  /** The engine wrote `outputs` into the staging directory itself. */
  written?: boolean
  /** The cache entry being stored, if any (see `store`). */
  storing?: Storing
}

/** A CSS loader for a backend that has none: the first stylesheet says so, other builds are unaffected. */
const missingCss =
  (backend: BackendName): CssLoader =>
  () =>
    Promise.reject(
      NexxoError.single(
        'BACKEND_UNAVAILABLE',
        `CSS needs lightningcss, which the ${backend} backend here has not loaded.`,
      ),
    )

/** Default bound of the in-memory (and IndexedDB, Cache API) cache; `cacheMaxSize` overrides it. */
export const DEFAULT_MEMORY_CACHE_BYTES = 50 * 1024 * 1024
/** The disk cache keeps the hit/miss counts of the last build here, for `nexxo cache stats`. */
export const LAST_BUILD_KEY = 'stats:last-build'

/**
 * The bytes of outputs an engine wrote, from the staging directory: a chunk's code and map stay out
 * of JS strings (and are read straight into the cache entry). Assets are small and their code says
 * whether they are text.
 */
async function writtenBytes(staging: Staging, outputs: OutputFile[]): Promise<OutputBytes[]> {
  return Promise.all(
    outputs.map(async (o): Promise<OutputBytes> => {
      if (o.type === 'asset') return outputBytes(o)
      const [code, map] = await Promise.all([
        staging.source(o.fileName),
        hasMap(o) ? staging.source(`${o.fileName}.map`) : undefined,
      ])
      return { code, text: true, ...(map ? { map } : {}) }
    }),
  )
}

/**
 * The finished outputs into the staging directory, which then replaces the output directory. When
 * the engine wrote its outputs there already, only what finishing changed is written (pages, files
 * from `public/`) and what it dropped (a stylesheet-only page's empty chunk) is deleted.
 */
async function writeStaged(staging: Staging, produced: Produced, outputs: OutputFile[]): Promise<void> {
  if (produced.written) {
    const fromEngine = new Set(produced.outputs)
    const kept = new Set(outputs)
    const added = outputs.filter((o) => !fromEngine.has(o))
    const rewritten = new Set(added.map((o) => o.fileName))
    const dropped = produced.outputs
      .filter((o) => !kept.has(o) && !rewritten.has(o.fileName))
      .flatMap((o) => (hasMap(o) ? [o.fileName, `${o.fileName}.map`] : [o.fileName]))
    await staging.remove(dropped)
    await staging.write(added)
  } else {
    await staging.write(outputs)
  }
  await staging.commit()
}

export class Bundler {
  /**
   * Rolldown can panic or hang when bundles run concurrently right after it loads (DESIGN.md,
   * "Traps"); the first build runs alone and the others wait for it.
   */
  private warmUp: Promise<unknown> | null = null
  private deeper: Promise<Engine> | undefined
  private closed = false
  /** Off from the start with `cache: false`; switched off when a store fails (a full disk, a quota). */
  private cacheOff: boolean
  private memoryCache: Cache | undefined
  /** The last disk build's record, for `close` to complete with the remote's uploads. */
  private lastRecord: { cache: Cache; record: object } | undefined
  private registry: RegistryClient | undefined

  constructor(
    private readonly selected: Backend,
    private readonly options: BundlerOptions = {},
    private readonly host?: DiskHost,
    private readonly remote?: RemoteStore,
  ) {
    this.cacheOff = options.cache === false
    // A bad registry URL is an error now, not at the first build that needs a package.
    if (options.registry !== undefined && options.registry !== false) registryUrl(options.registry)
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
    const host = options.outDir ? this.needDisk('outDir') : undefined
    const staging = host ? await host.stage(host.root(options.root), options.outDir!) : undefined
    let produced: Produced
    let outputs: OutputFile[]
    try {
      produced = await this.produce(options, warnings, staging)
      outputs = produced.app ? finishApp(produced.outputs, produced.app.build, produced.app.access) : produced.outputs
      // What the engine wrote is read into the cache entry before finishing changes it.
      await produced.storing?.encoded
      if (staging) await writeStaged(staging, produced, outputs)
    } catch (e) {
      await staging?.abort()
      throw e
    }
    // The entry was being stored while the outputs were written.
    await produced.storing?.stored
    const { modules, cache, disk, packages, watchFiles } = produced
    const stats: BuildStats = { modules, durationMs: performance.now() - started, cache }
    if (packages) stats.packages = packages
    // A cache that failed to store this build was switched off (and said so) already.
    if (disk && !this.cacheOff) await this.recordLastBuild(disk, stats, warnings)
    warnings.push(...this.remoteWarnings())
    return { warnings, outputs, stats, ...(watchFiles ? { watchFiles } : {}) }
  }

  /** What the remote cache has to say since it was last asked, as this build's warnings. */
  private remoteWarnings(): Diagnostic[] {
    return (this.remote?.takeWarnings() ?? []).map((message) => ({ code: 'CACHE_REMOTE', message }))
  }

  private needDisk(what: string): DiskHost {
    if (this.host) return this.host
    throw NexxoError.single(
      'INVALID_OPTION',
      `${what} needs a file system, which this bundler has none of here: pass \`files\` (and read \`outputs\`).`,
    )
  }

  /** The build's outputs: from the cache when an entry still holds, else from the engine (then stored). */
  private async produce(options: BuildOptions, warnings: Diagnostic[], staging?: Staging): Promise<Produced> {
    const build = normalizeBuild(options)
    let engine = this.selected.engine
    let input: EngineInput
    let sources: SourceAccess
    let cache: Cache | undefined
    let disk: Cache | undefined
    let cacheKey = ''
    // Disk builds: where they are, and stamps of the project's files taken before the engine reads them.
    let onDisk: { root: string; stamps: string | undefined } | undefined
    // A cache left to open while the engine runs (the host opens a directory once, however often asked).
    let openCache: (() => Promise<Cache | undefined>) | undefined
    const { core } = this.selected
    const lowering = build.lower ? this.needSwc("target 'es5'") : undefined
    // The user's plugins that apply to this build, in order, selected once (the warnings with them).
    const plugins = options.plugins?.length ? pluginsForBuild(options.plugins, build.mode, warnings) : undefined
    let app: { input: AppInput; access: ProjectAccess } | undefined
    // esbuild runs the user's module hooks through an adapter; the app pipeline (pages, assets,
    // CSS, workers) is rolldown's only.
    let esbuildPlugins: { applied: NexxoPlugin[]; cacheKey: string | undefined } | undefined
    const appFor = (access: ProjectAccess, entries: string[]) => {
      if (engine.name !== 'rolldown') {
        if (entries.some((e) => e.endsWith('.html'))) {
          throw NexxoError.single(
            'INVALID_OPTION',
            'HTML entries need the rolldown engine; the esbuild engine does not build pages yet.',
          )
        }
        if (plugins) esbuildPlugins = { applied: plugins.applied, cacheKey: pluginsCacheKey(plugins.applied) }
        return undefined
      }
      const css = this.selected.css ?? missingCss(this.selected.name)
      const hash = (bytes: Uint8Array) => core.hash(bytes)
      app = { input: prepareApp(build, entries, plugins ?? NO_PLUGINS, access, { css, hash }, warnings), access }
      return app.input
    }
    let packages: Produced['packages']
    const keyOptions = () => {
      const swcVersion = (lowering ?? decorators())?.version
      return {
        ...build,
        nexxo: NEXXO_VERSION,
        ...(swcVersion ? { swc: swcVersion } : {}),
        ...(app
          ? { define: { ...app.input.define, ...build.define }, plugins: app.input.cacheKey, jsx: app.input.jsx }
          : {}),
        ...(esbuildPlugins ? { plugins: esbuildPlugins.cacheKey } : {}),
      }
    }
    // Standard decorators: esbuild lowers them; rolldown leaves them, so swc does when it is here,
    // unless tsconfig asks for legacy ones (experimentalDecorators), which rolldown compiles itself.
    const decorators = () =>
      build.decorators === 'legacy'
        ? this.needSwc("decorators 'legacy'")
        : this.selected.engine.name === 'rolldown' && !(app?.input.legacyDecorators && !build.decoratorsGiven)
          ? this.selected.swc
          : undefined
    const cacheable = () =>
      (!app || app.input.cacheKey !== undefined) && (!esbuildPlugins || esbuildPlugins.cacheKey !== undefined)
    const hit = (cached: CachedBuild): Produced => ({
      ...cached,
      cache: { hits: 1, misses: 0 },
      disk,
      ...(packages ? { packages } : {}),
      ...(app ? { app: { build, access: app.access } } : {}),
    })
    if (options.files) {
      if (build.conditions) {
        warnings.push({
          code: 'OPTION_IGNORED',
          message:
            "conditions: not applied to in-memory builds, whose packages the core resolves (with the browser's conditions) before the engine runs.",
        })
      }
      const split = splitFiles(validateFiles(options.files), (bytes) => core.hash(bytes))
      const { binary } = split
      let files = split.text
      const entries = memoryEntries(files, build.entries)
      const entryKeys = entries.map(memoryKey)
      let project: Project
      const tsconfig = projectTsconfig('', (id) => files[id.slice(1)])
      const jsxSource = tsconfig?.jsx !== 'react' ? tsconfig?.jsxImportSource : undefined
      const scanOptions = jsxSource ? { jsxImportSource: jsxSource } : {}
      const scanner = plugins?.applied.length
        ? pluginScanner(core, entryKeys, plugins.applied, build, scanOptions)
        : undefined
      const scan = async (all: Record<string, string>) =>
        scanner ? scanner.scan(all) : core.projectFromFiles(all, entryKeys, scanOptions)
      // What a plugin's resolveId answers for is neither a package to install nor unresolved.
      const external = (specifier: string) => build.external.includes(specifier) || scanner?.claims(specifier) === true
      const registry = await this.registryClient()
      if (registry) {
        const { installImports } = await import('../npm/install.js')
        const installed = await installImports(files, scan, external, registry)
        ;({ files, project } = installed)
        packages = installed.packages.map(({ name, version, cached }) => ({ name, version, cached }))
      } else {
        project = await scan(files)
      }
      const refused = refusedFiles(reachableFailures(project), (id) => files[id])
      if (refused.length > 0) throw new NexxoError(refused[0]!.code!, refused)
      const unresolved = unresolvedImports(
        project,
        files,
        external,
        engine.name === 'rolldown' && build.publicDir,
        (id) => scanner?.compiled(id),
      )
      if (unresolved.length > 0) throw new NexxoError('UNRESOLVED_IMPORT', unresolved)
      const bytes = new TextEncoder()
      appFor(
        {
          root: '',
          read: (id) => {
            const key = id.slice(1)
            return binary.get(key) ?? (Object.hasOwn(files, key) ? bytes.encode(files[key]) : undefined)
          },
          list: (dir) => {
            const prefix = `${dir.slice(1)}/`
            return Object.keys(files)
              .filter((k) => k.startsWith(prefix))
              .map((k) => k.slice(prefix.length))
              .sort()
          },
        },
        entries,
      )
      cache = cacheable() ? this.cacheForFiles() : undefined
      if (cache) {
        cacheKey = buildCacheKey(core, project.graphHash, engine, { ...keyOptions(), entries: entryKeys })
        const cached = await this.lookup(cache, cacheKey, warnings)
        if (cached) return hit(cached)
        if (cached === null) cache = undefined
      }
      if (project.depth > engine.maxImportDepth) {
        engine = await this.deepChainEngine(project.depth, warnings)
      }
      const view = memoryFiles(files, project, core, binary)
      input = {
        ...build,
        entries,
        cwd: '/',
        files: view,
        // The engines read no tsconfig in in-memory builds: its JSX source is passed to them.
        ...(jsxSource ? { jsx: { runtime: 'automatic' as const, importSource: jsxSource } } : {}),
      }
      sources = { read: (id) => view.read(id), display: memoryKey }
    } else {
      const host = this.needDisk('A build without `files`')
      const root = host.root(options.root)
      const entries = host.entries(root, build.entries)
      // The engine writes the outputs itself unless they are rewritten after it (target 'es5').
      input = { ...build, entries, cwd: root, ...(staging && !lowering ? { writeTo: staging.dir } : {}) }
      appFor(
        {
          root,
          read: (id) => host.readBytes(id),
          list: (dir) => host.list(dir),
          ...(typeof process !== 'undefined' ? { processEnv: process.env } : {}),
        },
        entries,
      )
      const storing = !this.cacheOff && cacheable()
      // With no cache to look in (none, or one not made yet), the engine is surely needed: its module
      // loads on the main thread while the check runs on the core's, and both overlap the lookup.
      const startCheck = (stamp: boolean) => {
        engine.preload?.()
        return host.check(root, entries, stamp, staging?.target)
      }
      // A new local cache holds nothing, but a remote one may.
      const fresh = storing && host.cacheIsNew(root) && !this.remote?.usable
      let checking = !storing || fresh ? startCheck(storing) : undefined
      // A hit returns before the check is awaited; its failure is only the miss path's business.
      checking?.catch(() => {})
      // Keyed by the entries' places in the project, not on the machine: another checkout of the
      // project (a remote cache's hit elsewhere) finds the same entry, whose stamps then decide.
      const entryKeys = entries.map((e) => host.sources(root).display(e))
      if (storing)
        cacheKey = buildCacheKey(core, core.hash(JSON.stringify({ entries: entryKeys })), engine, keyOptions())
      if (fresh) {
        // Nothing to look up: the store (RocksDB's module and open, ~15 ms of main thread) opens
        // while the engine works on its own threads, and is ready for the entry when it is done.
        openCache = () => host.cache(root, warnings)
        input.onBusy = () => void openCache!()
      } else {
        cache = disk = storing ? await host.cache(root, warnings) : undefined
        if (cache) {
          const cached = await this.lookup(cache, cacheKey, warnings, root)
          if (cached) return hit(cached)
          if (cached === null) cache = disk = undefined
        }
      }
      checking ??= startCheck(cache !== undefined)
      onDisk = { root, stamps: await checking }
      sources = host.sources(root)
    }
    if (app) {
      const { input: extra } = app
      input.plugins = extra.plugins
      input.define = { ...extra.define, ...build.define }
      input.extraModuleIds = () => extra.styles.keys()
      input.onWarning = ({ message, id }) =>
        warnings.push({ code: 'PLUGIN_WARNING', message, ...(id ? { file: sources.display(id) } : {}) })
      if (extra.jsx) input.jsx = extra.jsx
    }
    if (esbuildPlugins) {
      input.plugins = esbuildPlugins.applied
      input.onWarning = ({ message, id }) =>
        warnings.push({ code: 'PLUGIN_WARNING', message, ...(id ? { file: sources.display(id) } : {}) })
      input.readSource = (path) => sources.read(path)
    }
    const swc = decorators()
    if (swc) {
      input.sourceTransform = decoratorTransform(() => swc.load(), build.decorators)
      input.readSource = (path) => sources.read(path)
    }
    let result: Awaited<ReturnType<typeof engine.build>>
    try {
      result = await engine.build(input)
    } catch (e) {
      // A failed build leaves no cache half-open behind it (RocksDB still writing into its directory).
      await openCache?.()
      throw engineError(e, engine.name, sources, input.cwd)
    }
    if (openCache) cache = disk = await openCache()
    if (lowering) result = { ...result, outputs: lowerToEs5(await lowering.load(), result.outputs, build) }
    // The stored bytes are the engine's, from the staging directory before a page is finished there.
    const written = result.written && staging ? await writtenBytes(staging, result.outputs) : undefined
    const storing = cache ? this.store(cache, cacheKey, result, onDisk, warnings, written) : undefined
    return {
      ...(written ? { written: true } : {}),
      ...(storing ? { storing } : {}),
      outputs: result.outputs,
      modules: result.moduleIds.length,
      cache: { hits: 0, misses: cache ? 1 : 0 },
      disk,
      ...(packages ? { packages } : {}),
      ...(onDisk ? { watchFiles: result.watchFiles } : {}),
      ...(app ? { app: { build, access: app.access } } : {}),
    }
  }

  /** swc, for what only it can do (`what`, for the error when this backend has none). */
  private needSwc(what: string): SwcLoader {
    const { swc, name } = this.selected
    if (swc) return swc
    throw NexxoError.single('INVALID_OPTION', `${what} needs @swc/wasm-web, which the ${name} backend here lacks.`)
  }

  /** The registry client of this bundler, sharing its cache; undefined when `registry` is off. */
  async registryClient(): Promise<RegistryClient | undefined> {
    const url = this.options.registry
    if (url === undefined || url === false) return undefined
    // Loaded by the first build that installs: the client and semver cost every other build 20 ms.
    const { RegistryClient } = await import('../npm/registry.js')
    const cache = this.cacheForFiles()
    const fetch = this.options.registryFetch
    this.registry ??= new RegistryClient({ url, ...(cache ? { cache } : {}), ...(fetch ? { fetch } : {}) })
    return this.registry
  }

  /** What `nexxo cache stats` reports as the last build; a failure here only costs the record. */
  private async recordLastBuild(cache: Cache, stats: BuildStats, warnings: Diagnostic[]): Promise<void> {
    const record = { ...stats.cache, durationMs: Math.round(stats.durationMs), at: new Date().toISOString() }
    // Rewritten with the remote's final counts once its uploads are done (`close`).
    if (this.remote) this.lastRecord = { cache, record }
    try {
      await this.putLastBuild(cache, record)
    } catch (e) {
      warnings.push({ code: 'CACHE_UNAVAILABLE', message: `Writing the build cache failed (${(e as Error).message}).` })
    }
  }

  /** `record` as the last build, with what the remote did so far. */
  private putLastBuild(cache: Cache, record: object): Promise<void> {
    const remote = this.remote && { remote: this.remote.stats }
    return cache.put(LAST_BUILD_KEY, new TextEncoder().encode(JSON.stringify({ ...record, ...remote })))
  }

  /** The cache of `files` builds (and of registry metadata and packages), unless caching is off. */
  get filesCache(): Cache | undefined {
    return this.cacheForFiles()
  }

  private cacheForFiles(): Cache | undefined {
    if (this.cacheOff) return undefined
    const hash = (bytes: Uint8Array) => this.selected.core.hash(bytes)
    const maxBytes = this.options.cacheMaxSize ?? DEFAULT_MEMORY_CACHE_BYTES
    const { cacheStore } = this.options
    this.memoryCache ??= cacheStore
      ? boundedCache(cacheStore, hash, maxBytes, this.remote)
      : new IntegrityCache(withRemote(new MemoryStore(maxBytes), this.remote), hash)
    return this.memoryCache
  }

  /**
   * The cached build under `key`, if it still holds; null when the cache cannot be read (damage on
   * disk, an I/O error): then it is off for this bundler, said in one warning, and the build goes on.
   */
  private async lookup(
    cache: Cache,
    key: string,
    warnings: Diagnostic[],
    root?: string,
  ): Promise<CachedBuild | undefined | null> {
    try {
      return await lookupBuild(cache, this.selected.core, key, root)
    } catch (e) {
      const message =
        e instanceof CacheCorruptError
          ? `${e.message} Caching is off for this bundler.`
          : `Reading the build cache failed (${(e as Error).message}); caching is off for this bundler.`
      warnings.push({ code: 'CACHE_UNAVAILABLE', message })
      this.cacheOff = true
      return null
    }
  }

  /**
   * Stores a fresh build; a failing cache (a full disk, a quota) is switched off with one warning.
   * `encoded`: the entry is in memory (files the engine wrote have been read, so the staging
   * directory may change now); `stored`: it is in the cache. Neither rejects.
   */
  private store(
    cache: Cache,
    key: string,
    result: EngineOutput,
    onDisk: { root: string; stamps: string | undefined } | undefined,
    warnings: Diagnostic[],
    bytes: OutputBytes[] | undefined,
  ): Storing {
    const failed = (e: unknown) => {
      const message = `Writing the build cache failed (${(e as Error).message}); caching is off for this bundler.`
      warnings.push({ code: 'CACHE_UNAVAILABLE', message })
      this.cacheOff = true
    }
    const value = (async () => {
      const entry: CachedBuild = { modules: result.moduleIds.length, outputs: result.outputs }
      if (onDisk) entry.inputs = await this.host!.stamp(onDisk.root, result.watchFiles, onDisk.stamps)
      return encodeBuild(entry, bytes, onDisk?.root)
    })()
    return {
      encoded: value.then(
        () => {},
        () => {},
      ),
      stored: value.then((v) => cache.put(key, v)).catch(failed),
    }
  }

  /**
   * An import chain deeper than the chosen engine survives. Native rolldown hands it to
   * @rolldown/browser, which goes deeper and, at the same version, writes the same bytes; anything
   * else is refused with a diagnostic rather than crashing the process.
   */
  private async deepChainEngine(depth: number, warnings: Diagnostic[]): Promise<Engine> {
    const { engine, name, deeperEngine } = this.selected
    if (deeperEngine) {
      this.deeper ??= deeperEngine()
      const fallback = await this.deeper
      if (depth <= fallback.maxImportDepth && fallback.version === engine.version) {
        warnings.push({
          code: 'ENGINE_FALLBACK',
          message: `The import chain is ${depth} modules deep, more than ${engine.packageName} is trusted with (${engine.maxImportDepth}); built with ${fallback.packageName}@${fallback.version} instead (same output, slower).`,
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
   * Closes the engines and caches (waiting a bounded time for uploads to the remote cache); returns
   * the warnings that came after the last build returned (an upload that failed in the background).
   */
  async close(): Promise<Diagnostic[]> {
    this.closed = true
    await this.selected.engine.close?.()
    await (await this.deeper)?.close?.()
    if (this.remote) {
      await this.remote.settle()
      const last = this.lastRecord
      if (last) await this.putLastBuild(last.cache, last.record).catch(() => {})
    }
    await this.host?.close()
    // After the stores, whose closing may still wait on uploads to it.
    await this.remote?.close()
    return this.remoteWarnings()
  }
}
