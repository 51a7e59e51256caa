// nexxo/browser: the same createBundler() as on Node, with the whole build in a module Web Worker
// (through comlink) so the page never blocks. The worker and its wasm assets are served from one
// directory: `dist/browser/` of this package, copied to wherever the page serves them.

import * as Comlink from 'comlink'
import { NexxoError } from '../errors.js'
import { DEFAULT_REGISTRY } from '../npm/default-registry.js'
import type { BuildResult, EngineName } from '../types.js'
import { pagePlugins } from './page-plugins.js'
import type { BrowserBuildOptions, WorkerApi, WorkerReply } from './protocol.js'

export type { Diagnostic } from '../errors.js'
export type { NexxoPlugin } from '../plugin/types.js'
export type { BuildResult, BuildStats, OutputFile } from '../types.js'
export type { BrowserBuildOptions } from './protocol.js'

export interface BrowserBundlerOptions {
  /** `auto` (default): @rolldown/browser on a cross-origin isolated page, esbuild-wasm elsewhere. */
  engine?: 'auto' | EngineName
  /**
   * URL of `nexxo-worker.js` (relative to the page); its directory also holds the wasm files.
   * Default: beside this module, in a form bundlers follow, so a built app carries them itself.
   */
  workerUrl?: string | URL
  /** The IndexedDB cache (`auto`, default) or none (`false`). */
  cache?: 'auto' | false
  /** IndexedDB database name. Default `nexxo-cache`. */
  cacheName?: string
  /** Bound of the IndexedDB cache in bytes (default 50 MB). */
  cacheMaxSize?: number
  /**
   * The npm-compatible registry bare imports are installed from (metadata and package files are
   * kept in the IndexedDB cache). Default: the public npm registry; `false`: only `node_modules/`
   * keys of `files`. The registry must send CORS headers (npm's does).
   */
  registry?: string | false
}

export interface BrowserBundler {
  readonly backend: 'wasm'
  readonly engine: EngineName
  readonly engineVersion: string
  build(options: BrowserBuildOptions): Promise<BuildResult>
  close(): Promise<void>
}

function unwrap<T>(r: WorkerReply<T>): T {
  if (r.ok) return r.value
  throw new NexxoError(r.code, r.diagnostics, r.message)
}

export async function createBundler(options: BrowserBundlerOptions = {}): Promise<BrowserBundler> {
  // The literal form is what bundlers follow: an app built by nexxo or Vite gets the worker (and
  // the wasm files it names the same way) emitted beside its own chunks.
  const worker = options.workerUrl
    ? new Worker(new URL(options.workerUrl, import.meta.url), { type: 'module', name: 'nexxo' })
    : new Worker(new URL('./nexxo-worker.js', import.meta.url), { type: 'module', name: 'nexxo' })
  const workerUrl = options.workerUrl
    ? new URL(options.workerUrl, import.meta.url).href
    : "nexxo-worker.js (emitted with nexxo/browser's module)"
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) =>
      reject(
        NexxoError.single(
          'BACKEND_UNAVAILABLE',
          `The build worker at ${workerUrl} failed to start: ${e.message || 'load error'}`,
        ),
      ),
    )
  })
  const remote = Comlink.wrap<WorkerApi>(worker)
  try {
    const info = unwrap(
      await Promise.race([
        remote.init({
          engine: options.engine ?? 'auto',
          ...(options.workerUrl ? { assets: new URL('.', workerUrl).href } : {}),
          cache: options.cache === false ? false : (options.cacheName ?? 'nexxo-cache'),
          ...(options.cacheMaxSize ? { cacheMaxSize: options.cacheMaxSize } : {}),
          registry: options.registry ?? DEFAULT_REGISTRY,
        }),
        failed,
      ]),
    )
    let closed = false
    return {
      backend: 'wasm',
      engine: info.engine,
      engineVersion: info.engineVersion,
      async build(buildOptions) {
        if (closed) throw NexxoError.single('CLOSED', 'This bundler was closed.')
        const { plugins, ...rest } = buildOptions
        const own = pagePlugins(plugins, buildOptions.mode ?? 'production')
        const options = own ? { ...rest, plugins: own.plugins } : rest
        return unwrap(await Promise.race([remote.build(options, own?.host), failed]))
      },
      async close() {
        if (closed) return
        closed = true
        await remote.close().catch(() => {})
        remote[Comlink.releaseProxy]()
        worker.terminate()
      },
    }
  } catch (e) {
    worker.terminate()
    throw e
  }
}
