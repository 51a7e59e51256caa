// The user's plugins in `nexxo dev`, as Vite runs them: `configureServer` middlewares (connect's
// `(req, res, next)`, optionally under a route) in front of nexxo's own handler, `resolveId` on each
// import before nexxo resolves it and `load` on each module before it is read (virtual modules),
// `transform` on each module's source before nexxo compiles it (with Rollup's `filter` honoured), and
// `handleHotUpdate` deciding what an edit updates. Every hook is guarded as in builds: errors name the plugin, the
// hook and the module, and a hook that never settles times out.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { DEFAULT_HOOK_TIMEOUT_MS, guard, handlerOf, selectPlugins } from '../plugin/container.js'
import type { HotUpdateContext, Middleware, NexxoPlugin, PluginServer } from '../plugin/types.js'

type Next = (err?: unknown) => void
interface Layer {
  route: string
  fn: Middleware
}

/** What a `resolveId` chain said about an import: an id, external (left as written), or nothing. */
export type PluginResolution = { id: string; external: boolean } | null

export interface DevPlugins {
  /** Runs the middlewares; true when one of them answered the request. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  /** False when no plugin has `resolveId`: callers skip the pass that would ask. */
  readonly resolves: boolean
  /** The first `resolveId` answer for `specifier` imported by `importer` (an absolute id). */
  resolveId(specifier: string, importer: string | undefined): Promise<PluginResolution>
  /** False when no plugin has `load`. */
  readonly loads: boolean
  /** The first `load` answer for `id`, or null: nexxo reads the file itself. */
  load(id: string): Promise<string | null>
  /** The source after every matching `transform` hook (`id` is the absolute file name). */
  transform(code: string, id: string): Promise<string>
  /** The modules (root URL paths) an edit updates: `modules` unless a hook says otherwise. */
  hotUpdate(ctx: HotUpdateContext): Promise<string[]>
  readonly warnings: string[]
}

type Pattern = RegExp | string
type PatternFilter = Pattern | Pattern[] | { include?: Pattern | Pattern[]; exclude?: Pattern | Pattern[] }

const matchesOne = (p: Pattern, value: string) => (typeof p === 'string' ? value === p : p.test(value))
const matchesAny = (p: Pattern | Pattern[] | undefined, value: string) =>
  p !== undefined && [p].flat().some((x) => matchesOne(x, value))

/** Rollup/rolldown's hook filter: `include`/`exclude`, or a pattern (list) that is the include. */
function passes(filter: PatternFilter | undefined, value: string): boolean {
  if (filter === undefined) return true
  if (typeof filter === 'object' && !(filter instanceof RegExp) && !Array.isArray(filter)) {
    if (matchesAny(filter.exclude, value)) return false
    return filter.include === undefined || matchesAny(filter.include, value)
  }
  return matchesAny(filter, value)
}

interface FilteredHook {
  name: string
  filter: { id?: PatternFilter; code?: PatternFilter } | undefined
  handler: (this: unknown, ...args: unknown[]) => unknown
}

/** Each plugin's `hook`, guarded, with its Rollup filter kept beside it. */
function hooksOf(plugins: NexxoPlugin[], hook: 'resolveId' | 'load' | 'transform', timeoutMs: number): FilteredHook[] {
  return plugins.flatMap((p) => {
    const value = p[hook] as unknown
    if (!value) return []
    const object = typeof value === 'object' ? (value as { filter?: FilteredHook['filter'] }) : {}
    const handler = handlerOf(value as Parameters<typeof handlerOf>[0]) as FilteredHook['handler']
    return [{ name: p.name, filter: object.filter, handler: guard(p.name, hook, handler, timeoutMs) }]
  })
}

export async function devPlugins(
  plugins: NexxoPlugin[],
  server: { reload(): void; mode: string },
  timeoutMs = DEFAULT_HOOK_TIMEOUT_MS,
): Promise<DevPlugins> {
  const selected = selectPlugins(plugins, { command: 'serve', mode: server.mode })
  const applied = [...selected.pre, ...selected.normal, ...selected.post]
  const warnings: string[] = []
  const layers: Layer[] = []
  const pluginServer: PluginServer = {
    middlewares: {
      use(...args: unknown[]) {
        const [route, fn] = typeof args[0] === 'string' ? [args[0], args[1]] : ['', args[0]]
        if (typeof fn !== 'function') throw new TypeError('middlewares.use() takes a function')
        layers.push({ route: route.replace(/\/$/, ''), fn: fn as Middleware })
      },
    } as PluginServer['middlewares'],
    reload: server.reload,
  }
  // Vite calls every configureServer first and the functions they return afterwards (their
  // middlewares come after the others; here they still come before nexxo's own handler).
  const after: (() => unknown)[] = []
  for (const p of applied) {
    const hook = handlerOf(p.configureServer)
    if (!hook) continue
    const result = await guard(p.name, 'configureServer', hook, timeoutMs)(pluginServer)
    if (typeof result === 'function') after.push(guard(p.name, 'configureServer', result as () => unknown, timeoutMs))
  }
  for (const fn of after) await fn()

  const transforms = hooksOf(applied, 'transform', timeoutMs)
  const resolvers = hooksOf(applied, 'resolveId', timeoutMs)
  const loaders = hooksOf(applied, 'load', timeoutMs)
  const context = (id: string | undefined, self?: string) => ({
    warn: (m: unknown) =>
      warnings.push(`${id ?? 'nexxo dev'}: ${typeof m === 'string' ? m : String((m as Error)?.message)}`),
    error: (m: unknown): never => {
      throw m instanceof Error ? m : new Error(String(m))
    },
    meta: { watchMode: true, rollupVersion: '4.0.0' },
    // Rollup's `this.resolve`: the other plugins' resolveId (skipSelf is the default since Rollup 3);
    // nexxo's own resolution of files is the caller's, so none answers here.
    resolve: (source: string, importer?: string, opts?: { skipSelf?: boolean }) =>
      chainResolve(source, importer, opts?.skipSelf === false ? undefined : self),
    addWatchFile: () => {},
    getWatchFiles: () => [],
    getModuleInfo: () => null,
  })
  const chainResolve = async (
    specifier: string,
    importer: string | undefined,
    skip?: string,
  ): Promise<PluginResolution> => {
    for (const r of resolvers) {
      if (r.name === skip || !passes(r.filter?.id, specifier)) continue
      const result = await r.handler.call(context(importer, r.name), specifier, importer, { isEntry: false })
      if (result === null || result === undefined) continue
      if (result === false) return { id: specifier, external: true }
      if (typeof result === 'string') return { id: result, external: false }
      if (typeof result === 'object' && typeof (result as { id?: unknown }).id === 'string') {
        const object = result as { id: string; external?: unknown }
        return { id: object.id, external: Boolean(object.external) }
      }
    }
    return null
  }

  const hotHooks = applied.flatMap((p) => {
    const hook = handlerOf(p.handleHotUpdate)
    return hook ? [guard(p.name, 'handleHotUpdate', hook, timeoutMs)] : []
  })

  const run = (layer: Layer, req: IncomingMessage, res: ServerResponse) =>
    new Promise<'next' | 'answered'>((resolve, reject) => {
      const done = () => resolve('answered')
      res.once('finish', done)
      res.once('close', done)
      const next: Next = (err) => {
        res.off('finish', done)
        res.off('close', done)
        if (err) reject(err)
        else resolve('next')
      }
      try {
        const out = layer.fn(req, res, next)
        if (out instanceof Promise) out.catch(reject)
      } catch (e) {
        reject(e)
      }
    })

  return {
    warnings,
    resolves: resolvers.length > 0,
    resolveId: (specifier, importer) => chainResolve(specifier, importer),
    loads: loaders.length > 0,
    async load(id) {
      for (const l of loaders) {
        if (!passes(l.filter?.id, id)) continue
        const result = await l.handler.call(context(id, l.name), id)
        if (typeof result === 'string') return result
        if (result && typeof result === 'object' && typeof (result as { code?: unknown }).code === 'string')
          return (result as { code: string }).code
      }
      return null
    },
    async handle(req, res) {
      for (const layer of layers) {
        const url = req.url ?? '/'
        const path = url.split('?')[0]!
        if (layer.route && path !== layer.route && !path.startsWith(`${layer.route}/`)) continue
        // Under a route, connect shows the middleware the rest of the URL.
        if (layer.route) req.url = url.slice(layer.route.length) || '/'
        try {
          if ((await run(layer, req, res)) === 'answered') return true
        } finally {
          req.url = url
        }
      }
      return false
    },
    async transform(code, id) {
      let out = code
      for (const t of transforms) {
        if (!passes(t.filter?.id, id) || !passes(t.filter?.code, out)) continue
        const result = await t.handler.call(context(id, t.name), out, id)
        if (typeof result === 'string') out = result
        else if (result && typeof result === 'object' && typeof (result as { code?: unknown }).code === 'string')
          out = (result as { code: string }).code
      }
      return out
    },
    async hotUpdate(ctx) {
      let modules = ctx.modules
      for (const hook of hotHooks) {
        const result = await hook({ ...ctx, modules })
        if (Array.isArray(result)) modules = result.map(String)
      }
      return modules
    },
  }
}
