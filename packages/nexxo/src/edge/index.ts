// nexxo/edge: the on-demand bundling handler for isolates (workerd and Cloudflare Workers, Deno, Bun).

export type { KeyValueStore } from '../cache/key-value.js'
export type { Diagnostic } from '../errors.js'
export { NexxoError } from '../errors.js'
export type { NexxoPlugin } from '../plugin/types.js'
export type { BuildResult, BuildStats, OutputFile } from '../types.js'
export type { EdgeHandler, EdgeHandlerOptions, EdgeLimits, WasmInput } from './handler.js'
export { createEdgeHandler } from './handler.js'
export type { Cors } from './http.js'
