// createBundler() for Node and Bun: the backend chosen at run time, and builds from disk as well
// as from in-memory files.

import { NexxoError } from '../errors.js'
import type { BundlerOptions } from '../types.js'
import { selectBackend } from './backend.js'
import { Bundler } from './bundler.js'
import { nodeDiskHost } from './disk.js'
import { remoteCacheUrl, remoteStore } from './remote-cache.js'

/** Throws INVALID_OPTION for options no backend could honour. */
export function checkBundlerOptions(options: BundlerOptions): void {
  const engine = options.engine ?? 'rolldown'
  if (engine !== 'rolldown' && engine !== 'esbuild') {
    throw NexxoError.single('INVALID_OPTION', `Unknown engine '${engine}': expected rolldown or esbuild.`)
  }
  const backend = options.backend ?? 'auto'
  if (!['auto', 'native', 'wasm'].includes(backend)) {
    throw NexxoError.single('INVALID_OPTION', `Unknown backend '${backend}': expected auto, native or wasm.`)
  }
  if (options.remoteCache) remoteCacheUrl(options.remoteCache.url)
  const { cacheMaxSize } = options
  if (cacheMaxSize !== undefined && !(Number.isFinite(cacheMaxSize) && cacheMaxSize > 0)) {
    throw NexxoError.single('INVALID_OPTION', `cacheMaxSize must be a positive number of bytes, got ${cacheMaxSize}.`)
  }
}

export async function createBundler(options: BundlerOptions = {}): Promise<Bundler> {
  checkBundlerOptions(options)
  const selected = await selectBackend(options.backend ?? 'auto', options.engine ?? 'rolldown')
  const remote = remoteStore(options, selected.core)
  return new Bundler(selected, { ...options }, nodeDiskHost(selected.name, selected.core, options, remote), remote)
}
