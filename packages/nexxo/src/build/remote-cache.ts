// The remote cache a bundler's options ask for: one per bundler, shared by its disk and in-memory builds.

import { RedisRemoteStore } from '../cache/redis-remote.js'
import { type RemoteStore, TurboRemoteStore } from '../cache/remote.js'
import type { Core } from '../core/core.js'
import { NexxoError } from '../errors.js'
import type { BundlerOptions } from '../types.js'

/** Throws INVALID_OPTION for a URL no remote cache could be at. */
export function remoteCacheUrl(url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw NexxoError.single('INVALID_OPTION', `The remote cache URL is not a URL: ${url}`)
  }
  if (!['http:', 'https:', 'redis:', 'rediss:'].includes(parsed.protocol)) {
    throw NexxoError.single(
      'INVALID_OPTION',
      `The remote cache URL must be http: or https: (a Turborepo cache server) or redis: or rediss:, not ${parsed.protocol} (${url}).`,
    )
  }
  return parsed
}

/** The bundler's remote, if it has one (its URL is checked with the other options, `checkBundlerOptions`). */
export function remoteStore(options: BundlerOptions, core: Core): RemoteStore | undefined {
  if (!options.remoteCache || options.cache === false) return undefined
  const hash = (bytes: Uint8Array) => core.hash(bytes)
  return /^rediss?:/i.test(options.remoteCache.url)
    ? new RedisRemoteStore(options.remoteCache, hash)
    : new TurboRemoteStore(options.remoteCache, hash)
}
