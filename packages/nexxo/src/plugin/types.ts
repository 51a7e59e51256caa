// The plugin contract: Rollup's hooks with Rollup's semantics (rolldown's `Plugin` type, so an
// existing Rollup plugin fits unchanged), plus the Vite hooks Nexxo drives itself.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Plugin as RollupPlugin } from 'rolldown'

export type ObjectHook<T> = T | { order?: 'pre' | 'post' | null; handler: T }

export interface ConfigEnv {
  command: 'build' | 'serve'
  mode: string
}

export interface IndexHtmlContext {
  /** The page's URL path, e.g. `/index.html`. */
  path: string
  /** The page's absolute file name. */
  filename: string
}

/** The dev server as `configureServer` sees it: connect-style middlewares and the module graph's invalidation. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => unknown

export interface PluginServer {
  /** connect's `use`: every request, or those under `route` (which the middleware sees stripped). */
  middlewares: { use(fn: Middleware): void; use(route: string, fn: Middleware): void }
  /** Sends a full reload to every page. */
  reload(): void
}

export interface HotUpdateContext {
  file: string
  timestamp: number
  /** Ids of the modules the change affects (by default, the file's own). */
  modules: string[]
  read(): Promise<string>
}

export type NexxoPlugin = RollupPlugin & {
  /** `pre` runs before the built-in plugins, `post` after the user's others (Vite's order). */
  enforce?: 'pre' | 'post'
  /** Only in builds, only in dev, or as a predicate of the command and mode. */
  apply?: 'build' | 'serve' | ((config: Record<string, unknown>, env: ConfigEnv) => boolean)
  /** Part of the build cache key; without it (or `version`), builds with this plugin are not cached. */
  cacheKey?: string
  version?: string
  /** May return a partial config, merged over the user's (a Promise of one, or nothing). */
  config?: ObjectHook<(config: Record<string, unknown>, env: ConfigEnv) => unknown>
  configResolved?: ObjectHook<(config: Record<string, unknown>) => unknown>
  /** Returns the new page (a string, or a Promise of one); anything else keeps the page as it was. */
  transformIndexHtml?: ObjectHook<(html: string, ctx: IndexHtmlContext) => unknown>
  /** May return a function, called after the built-in middlewares are installed. */
  configureServer?: ObjectHook<(server: PluginServer) => unknown>
  /** May return the ids of the modules to update instead of `ctx.modules`. */
  handleHotUpdate?: ObjectHook<(ctx: HotUpdateContext) => unknown>
}
