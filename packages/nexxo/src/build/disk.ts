// Builds from disk on Node and Bun: the project's files, the RocksDB cache beside them, the native
// core's pre-build check and stamps, and atomic writes of the output directory.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { boundedCache } from '../cache/integrity.js'
import type { RemoteStore } from '../cache/remote.js'
import { stampBuildInputs } from '../cache/resolution-inputs.js'
import { RocksStore } from '../cache/rocksdb.js'
import { type Cache, CacheCorruptError } from '../cache/store.js'
import type { Core } from '../core/core.js'
import { type Diagnostic, NexxoError } from '../errors.js'
import type { BackendName, BundlerOptions } from '../types.js'
import type { DiskHost } from './bundler.js'
import { refusedFiles } from './files.js'
import { stageOutputs } from './write.js'

/** Where `nexxo build` keeps its cache, relative to the project root (as Vite keeps `.vite`). */
export const DEFAULT_CACHE_DIR = 'node_modules/.nexxo/cache'
/** Default bound of the disk cache (`cacheMaxSize` overrides it). */
export const DEFAULT_DISK_CACHE_BYTES = 512 * 1024 * 1024

const readOrUndefined = (path: string) => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

export function nodeDiskHost(
  backend: BackendName,
  core: Core,
  options: BundlerOptions,
  remote?: RemoteStore,
): DiskHost {
  /** Each directory's cache once opened, or why it is unavailable; `cleared`: it was removed and made anew. */
  const caches = new Map<string, Promise<{ cache: Cache; cleared?: string } | string>>()
  const warned = new Set<string>()
  /** Cache directories a build has asked about (`cacheIsNew`): only the first is told it is new. */
  const asked = new Set<string>()
  const cacheDirOf = (root: string) => resolve(root, options.cacheDir ?? DEFAULT_CACHE_DIR)

  /** The disk cache in `dir`, opened once. It needs the native core, which stamps files. */
  const open = (dir: string) => {
    if (!caches.has(dir)) {
      const opened = core.canStampFiles
        ? RocksStore.open(dir, { lockTimeoutMs: 3000 }).then(
            (store) => ({
              cache: boundedCache(
                store,
                (bytes) => core.hash(bytes),
                options.cacheMaxSize ?? DEFAULT_DISK_CACHE_BYTES,
                remote,
              ),
              ...(store.cleared ? { cleared: store.cleared } : {}),
            }),
            (e: Error) =>
              e instanceof CacheCorruptError
                ? `${e.message} Building without it.`
                : `The build cache at ${dir} is unavailable (${e.message}); building without it.`,
          )
        : Promise.resolve('The disk cache needs the native backend.')
      caches.set(dir, opened)
    }
    return caches.get(dir)!
  }
  // A cache directory known up front starts opening now, alongside whatever the caller does next,
  // if it has entries to look up; a new one is opened by the build, while its engine runs.
  const known = options.cacheDir
  if (options.cache !== false && known && isAbsolute(known) && existsSync(known)) void open(known)

  return {
    root: (root) => resolve(root ?? process.cwd()),

    entries(root, entries) {
      const absolute = entries.map((e) => (isAbsolute(e) ? e : resolve(root, e)))
      const missing = absolute.filter((e) => !existsSync(e))
      if (missing.length > 0) {
        throw new NexxoError(
          'MISSING_ENTRY',
          missing.map((e) => ({ code: 'MISSING_ENTRY', message: `Entry not found: ${e}`, file: relative(root, e) })),
        )
      }
      return absolute
    },

    /** If another process holds the cache past the lock timeout, or it cannot be opened, the build goes on uncached with one warning. */
    async cache(root: string, warnings: Diagnostic[]) {
      if (!core.canStampFiles) return undefined
      const dir = cacheDirOf(root)
      const opened = await open(dir)
      // Said once per bundler: later builds just go uncached, or use the cache made anew.
      const first = !warned.has(dir)
      warned.add(dir)
      if (typeof opened !== 'string') {
        if (opened.cleared && first) warnings.push({ code: 'CACHE_CLEARED', message: opened.cleared })
        return opened.cache
      }
      if (first) warnings.push({ code: 'CACHE_UNAVAILABLE', message: opened })
      return undefined
    },

    cacheIsNew(root) {
      const dir = cacheDirOf(root)
      if (asked.has(dir)) return false
      asked.add(dir)
      // One this bundler opened existed (or another build of it made it); one not opened yet is new
      // while it is not on disk. Made now, a cache inside the project (node_modules/.nexxo) does
      // not change a listing the check is about to stamp; RocksDB opens in it later.
      if (!core.canStampFiles || caches.has(dir) || existsSync(dir)) return false
      try {
        mkdirSync(dir, { recursive: true })
        return true
      } catch {
        // Opening it then fails too, and says why (CACHE_UNAVAILABLE).
        return false
      }
    },

    /**
     * Native rolldown overflows its stack on pathologically nested code and takes the process down
     * with it, and esbuild reads non-UTF-8 files as Latin-1 without a word; the core's parallel scan
     * finds such files among the project's sources first, and stamps every file as it reads it. The
     * wasm core has no parallel disk scan, so wasm builds rely on their engines here (wasm rolldown
     * reports both; see the README's limits).
     */
    async check(root, entries, stamp, outDir) {
      if (backend !== 'native') return undefined
      const entryIds = entries.map((e) => relative(root, e).replace(/\\/g, '/'))
      const { failures, stamps } = await core.checkProject(root, entryIds, { stamp, outputs: outDir ? [outDir] : [] })
      const refused = refusedFiles(failures, (id) => readOrUndefined(resolve(root, id)))
      if (refused.length > 0) throw new NexxoError(refused[0]!.code!, refused)
      return stamps
    },

    stamp: (root, read, prior) => stampBuildInputs(core, root, read, prior),

    sources: (root) => ({
      read: readOrUndefined,
      display: (id) => (isAbsolute(id) ? relative(root, id).replace(/\\/g, '/') : id),
    }),

    readBytes(path) {
      try {
        return readFileSync(path)
      } catch {
        return undefined
      }
    },

    list(dir) {
      try {
        return readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => relative(dir, resolve(d.parentPath, d.name)).replace(/\\/g, '/'))
          .sort()
      } catch {
        return []
      }
    },

    stage: (root, outDir) => stageOutputs(resolve(root, outDir)),

    async close() {
      for (const cache of caches.values()) {
        const opened = await cache
        if (typeof opened !== 'string') await opened.cache.close()
      }
      caches.clear()
    },
  }
}
