// nexxo: one bundler API for Node and Bun (this entry), the browser and the edge.

export { Bundler } from './build/bundler.js'
export { createBundler } from './build/create.js'
export { CacheApiStore } from './cache/cache-api.js'
export { IdbStore } from './cache/indexeddb.js'
export { MemoryStore } from './cache/memory.js'
export { CacheLockedError, RocksStore } from './cache/rocksdb.js'
export type { BatchOp, CacheStats, RawStore } from './cache/store.js'
export { defineConfig, type UserConfig } from './config/schema.js'
export type { HmrPlan, ImportRecord, ModuleInfo, Project, ScanResult } from './core/core.js'
export { Core, CoreError, ModuleGraph } from './core/core.js'
export type { DevServer, DevServerOptions } from './dev/server.js'
export { codeFrame, type Diagnostic, formatDiagnostic, NexxoError } from './errors.js'
export type { ConfigEnv, NexxoPlugin } from './plugin/types.js'
export type * from './types.js'

/** `nexxo dev` as an API; its dependencies (ws and the rest) load only when it is used. */
export async function createDevServer(
  options?: import('./dev/server.js').DevServerOptions,
): Promise<import('./dev/server.js').DevServer> {
  return (await import('./dev/server.js')).createDevServer(options)
}
