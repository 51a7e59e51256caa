// The public contract (DESIGN.md, "Public API").

import type { RemoteCacheOptions } from './cache/remote.js'
import type { RawStore } from './cache/store.js'
import type { OutputFile } from './engines/types.js'
import type { Diagnostic } from './errors.js'
import type { NexxoPlugin } from './plugin/types.js'

export type { OutputFile }
export type BackendName = 'native' | 'wasm'
export type EngineName = 'rolldown' | 'esbuild'

export interface BundlerOptions {
  /** `auto` (default): native when the addon and the native engine load, else wasm. `NEXXO_BACKEND` overrides `auto`. */
  backend?: 'auto' | BackendName
  engine?: EngineName
  /**
   * The whole-build cache (`auto`, the default): in memory for `files` builds; for builds on disk, a
   * RocksDB store in `cacheDir` (native backend only). `false` disables it.
   */
  cache?: 'auto' | false
  /** Where the disk cache lives, relative to the build's root. Default `node_modules/.nexxo/cache`. */
  cacheDir?: string
  /**
   * The cache's size bound in bytes; past it, the least recently used entries are evicted. Default
   * 512 MB on disk, 50 MB in memory and in IndexedDB.
   */
  cacheMaxSize?: number
  /**
   * Where in-memory (`files`) builds are cached, instead of process memory: `IdbStore` in browsers,
   * `CacheApiStore` at the edge, or any `RawStore` (a KV namespace, say). Sealed and bounded like
   * every Nexxo cache.
   */
  cacheStore?: RawStore
  /**
   * An npm-compatible registry for `files` builds: bare imports that no `node_modules/` key
   * satisfies are installed from it (versions from the `package.json` keys, else `latest`), with
   * metadata and package files kept in the cache. Default: off on Node and Bun (packages come from
   * disk), the public npm registry in `nexxo/browser`. `false` turns it off.
   */
  registry?: string | false
  /**
   * A shared cache behind the local one, on a server speaking the Turborepo remote cache API
   * (turborepo-remote-cache, Vercel's, ...): a local miss asks it, a new entry is uploaded in the
   * background. Every artifact is sealed as local entries are; with `signatureKey`, signed too.
   * A remote that fails turns itself off for the bundler with one `CACHE_REMOTE` warning.
   */
  remoteCache?: RemoteCacheOptions
  /** The `fetch` registry requests go through (the edge handler binds it to the registry's origin). */
  registryFetch?: typeof fetch
}

export interface BuildOptions {
  /**
   * Entry module(s): keys of `files`, or paths relative to `root`. An `.html` entry is a page (as
   * in Vite): its module scripts, stylesheets, images and icons are built and the page is emitted
   * pointing at them.
   */
  input: string | string[]
  /**
   * An in-memory project: relative paths to contents. Bare imports resolve from `node_modules/...`
   * keys. Bytes (`Uint8Array`) for binary files: images, fonts and other assets.
   */
  files?: Record<string, string | Uint8Array>
  /** Project directory on disk (default: the current directory). Ignored for resolution when `files` is given. */
  root?: string
  /** Write the outputs here (relative to `root`), atomically: the old directory stays until the build succeeded. */
  outDir?: string
  format?: 'esm' | 'cjs' | 'iife'
  /** esm: dynamically imported modules get chunks of their own (default); `false` keeps one chunk. */
  splitting?: boolean
  minify?: boolean
  sourcemap?: boolean
  /**
   * The language level of the output, e.g. `es2020` or `chrome100` (the engine's syntax). `es5`
   * builds at es2015 and lowers each chunk with @swc/wasm-web; an `esm` output keeps its
   * import/export statements. A list (or a comma list), as Vite's `build.target`: the output runs
   * on every browser named (`['chrome87', 'safari14']`).
   */
  target?: string | string[]
  /**
   * `standard` (default): TC39 decorators, lowered by the engine (esbuild) or by @swc/wasm-web
   * (rolldown, which leaves them as they are). `legacy`: TypeScript's `experimentalDecorators`
   * with `emitDecoratorMetadata`, compiled by @swc/wasm-web on every engine.
   */
  decorators?: 'standard' | 'legacy'
  define?: Record<string, string>
  external?: string[]
  /** The public path the app is served under: asset URLs and page tags start with it. Default `/`. */
  base?: string
  /** Picks the `.env.[mode]` files and is `import.meta.env.MODE`. Default `production`. */
  mode?: string
  /** Copied as is into the output root (relative to `root`); `false` turns it off. Default `public`. */
  publicDir?: string | false
  /** Imported assets smaller than this many bytes become data URLs; 0 turns that off. Default 4096. */
  assetsInlineLimit?: number
  /** Browsers the CSS is compiled for (esbuild's syntax: `chrome111`, `safari16.4`). Default Vite 8's. */
  cssTarget?: string | string[]
  /** Variables with these prefixes reach `import.meta.env`. Default `['NEXXO_', 'VITE_']`. */
  envPrefix?: string | string[]
  /** Import prefixes replaced before resolution (`resolve.alias`). */
  alias?: Record<string, string>
  /**
   * Package `exports` conditions to match besides the browser's (`import`, `module`, `browser`,
   * `default`), as Vite's `resolve.conditions`: `development` picks a package's dev build.
   */
  conditions?: string[]
  /** Rollup-compatible plugins (with Vite's `enforce`, `apply`, `transformIndexHtml`). */
  plugins?: NexxoPlugin[]
  /** How long one plugin hook call may take, in ms, before the build fails naming it. Default 30000. */
  pluginTimeout?: number
  /** Output name patterns; `[name]` and `[hash]` are replaced. Default `[name].js`. */
  entryFileNames?: string
  chunkFileNames?: string
  assetFileNames?: string
}

export interface BuildStats {
  modules: number
  durationMs: number
  cache: { hits: number; misses: number }
  /** Packages installed from the registry for this build, and whether each came from the cache. */
  packages?: { name: string; version: string; cached: boolean }[]
}

export interface BuildResult {
  outputs: OutputFile[]
  stats: BuildStats
  /** Things the user should know that did not stop the build (e.g. an engine fallback). */
  warnings: Diagnostic[]
  /**
   * Builds from disk that ran the engine: every file it read, as absolute paths. Absent when the
   * build came from the cache (its entries keep stamps of those files, not their names).
   */
  watchFiles?: string[]
}
