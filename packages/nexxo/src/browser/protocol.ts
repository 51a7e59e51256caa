// What the page and the build worker say to each other (through comlink). Errors cross as data:
// structured cloning keeps an Error's message but drops a NexxoError's code and diagnostics.

import type { Diagnostic } from '../errors.js'
import type { WorkerSidePlugin } from '../frameworks/worker-side.js'
import type { BuildOptions, BuildResult, EngineName } from '../types.js'

export interface WorkerConfig {
  /** `auto`: @rolldown/browser when the page is cross-origin isolated, else esbuild-wasm. */
  engine: 'auto' | EngineName
  /**
   * Base URL of the worker's wasm files when the page named the worker's URL itself; undefined when
   * the worker was found beside this module, and then it names each file relative to its own URL.
   */
  assets?: string
  /** `false` disables the cache; otherwise its IndexedDB database name. */
  cache: false | string
  cacheMaxSize?: number
  /** Where bare imports are installed from, or `false`. */
  registry: string | false
}

export interface WorkerInfo {
  engine: EngineName
  engineVersion: string
  /** Whether the worker can share memory with threads (cross-origin isolation). */
  crossOriginIsolated: boolean
}

export type WorkerReply<T> =
  | { ok: true; value: T }
  | { ok: false; code: string; message: string; diagnostics: Diagnostic[] }

/** Files-only builds: there is no file system in a browser. */
export type BrowserBuildOptions = Omit<BuildOptions, 'root' | 'outDir'> & { files: Record<string, string | Uint8Array> }

/** The hooks a page's plugin can have run from the worker: the module hooks and the page's HTML. */
export const PAGE_HOOKS = ['buildStart', 'resolveId', 'load', 'transform', 'buildEnd', 'transformIndexHtml'] as const
export type PageHook = (typeof PAGE_HOOKS)[number]

/**
 * A page's plugin as the worker knows it: its name, order, cache key and, per hook, the filter and
 * order (data, so that the engine checks filters without a round trip); the code stays on the page.
 */
export interface PagePlugin {
  name: string
  /** A framework plugin the worker makes itself with the compiler it ships (no hooks cross). */
  worker?: WorkerSidePlugin
  enforce?: 'pre' | 'post'
  version?: string
  cacheKey?: string
  hooks: Partial<Record<PageHook, { filter?: unknown; order?: 'pre' | 'post' | null }>>
}

/** What the worker offers a page hook as its `this`: the engine's own context, one call at a time. */
export interface HookContext {
  warn(message: string): void
  resolve(source: string, importer?: string, options?: { skipSelf?: boolean }): Promise<unknown>
}

/** An asset a page hook emitted (`this.emitFile`), emitted by the worker after the hook returns. */
export interface PageAsset {
  type: 'asset'
  fileName?: string
  name?: string
  source: string | Uint8Array
}

/** The page's side of its plugins: runs hook `hook` of plugin `index` with cloneable arguments. */
export interface PluginHost {
  call(
    index: number,
    hook: PageHook,
    args: unknown[],
    context: HookContext,
  ): Promise<{ result: unknown; emitted: PageAsset[] }>
}

export type WorkerBuildOptions = Omit<BrowserBuildOptions, 'plugins'> & { plugins?: PagePlugin[] }

export interface WorkerApi {
  init(config: WorkerConfig): Promise<WorkerReply<WorkerInfo>>
  /** `host` runs the code of `options.plugins`; comlink proxies only top-level arguments. */
  build(options: WorkerBuildOptions, host?: PluginHost): Promise<WorkerReply<BuildResult>>
  close(): Promise<void>
}
