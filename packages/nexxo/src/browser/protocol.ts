// What the page and the build worker say to each other (through comlink). Errors cross as data:
// structured cloning keeps an Error's message but drops a NexxoError's code and diagnostics.

import type { Diagnostic } from '../errors.js'
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
export type BrowserBuildOptions = Omit<BuildOptions, 'root' | 'outDir'> & { files: Record<string, string> }

export interface WorkerApi {
  init(config: WorkerConfig): Promise<WorkerReply<WorkerInfo>>
  build(options: BrowserBuildOptions): Promise<WorkerReply<BuildResult>>
  close(): Promise<void>
}
