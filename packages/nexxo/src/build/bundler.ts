// createBundler(): one object per backend + engine; build() runs a whole build through it.

import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import type { Engine, EngineInput } from '../engines/types.js'
import { type Diagnostic, NexxoError } from '../errors.js'
import type { BackendName, BuildOptions, BuildResult, BundlerOptions, EngineName } from '../types.js'
import { type Backend, loadEngine, selectBackend } from './backend.js'
import { engineError, type SourceAccess } from './diagnostics.js'
import {
  memoryEntries,
  memoryFiles,
  memoryKey,
  reachable,
  refusedFiles,
  unresolvedImports,
  validateFiles,
} from './files.js'
import { normalizeBuild } from './options.js'
import { writeOutputsAtomically } from './write.js'

export class Bundler {
  /**
   * Rolldown can panic or hang when bundles run concurrently right after it loads (DESIGN.md,
   * "Traps"); the first build runs alone and the others wait for it.
   */
  private warmUp: Promise<unknown> | null = null
  private deepFallback: Promise<Engine> | undefined
  private closed = false

  constructor(private readonly selected: Backend) {}

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
    const build = normalizeBuild(options)
    const root = resolve(options.root ?? process.cwd())
    let engine = this.selected.engine
    const warnings: Diagnostic[] = []
    let input: EngineInput
    let sources: SourceAccess
    if (options.files) {
      const files = validateFiles(options.files)
      const entries = memoryEntries(files, build.entries)
      const entryKeys = entries.map(memoryKey)
      const project = this.selected.core.projectFromFiles(files, entryKeys)
      const live = reachable(project, entryKeys)
      const refused = refusedFiles(
        project.errors.filter((e) => live.has(e.id)),
        (id) => files[id],
      )
      if (refused.length > 0) throw new NexxoError(refused[0]!.code!, refused)
      const unresolved = unresolvedImports(project, files, entryKeys, build.external)
      if (unresolved.length > 0) throw new NexxoError('UNRESOLVED_IMPORT', unresolved)
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
      await this.guardDisk(root, entries)
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
    if (options.outDir) await writeOutputsAtomically(resolve(root, options.outDir), result.outputs)
    return {
      warnings,
      outputs: result.outputs,
      stats: {
        modules: result.moduleIds.length,
        durationMs: performance.now() - started,
        cache: { hits: 0, misses: 0 },
      },
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
   */
  private async guardDisk(root: string, entries: string[]): Promise<void> {
    const { core, name } = this.selected
    if (name !== 'native') return
    const entryIds = entries.map((e) => relative(root, e).replace(/\\/g, '/'))
    const refused = refusedFiles(await core.checkProject(root, entryIds), (id) => {
      try {
        return readFileSync(resolve(root, id), 'utf8')
      } catch {
        return undefined
      }
    })
    if (refused.length > 0) throw new NexxoError(refused[0]!.code!, refused)
  }

  async close(): Promise<void> {
    this.closed = true
    await this.selected.engine.close?.()
    await (await this.deepFallback)?.close?.()
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
  return new Bundler(await selectBackend(backend, engine))
}
