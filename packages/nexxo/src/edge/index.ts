// nexxo/edge: the on-demand bundling handler for isolates (workerd and Cloudflare Workers, Deno, Bun).

export type { Diagnostic } from '../errors.js'
export { NexxoError } from '../errors.js'
export type { BuildResult, BuildStats, OutputFile } from '../types.js'
export type { EdgeHandler, EdgeHandlerOptions, EdgeLimits, KeyValueStore, WasmInput } from './handler.js'
export { createEdgeHandler } from './handler.js'
export type { Cors } from './http.js'
