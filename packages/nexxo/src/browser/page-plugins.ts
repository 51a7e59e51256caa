// The page's half of plugins in the browser worker. A plugin is code, which cannot be posted to a
// worker; so the page keeps it, sends the worker a description (names, filters, order, cache key)
// and answers each hook call the worker makes through comlink. Filters stay data: the engine checks
// them in the worker, and only the modules they match cost a round trip.

import * as Comlink from 'comlink'
import { workerSideOf } from '../frameworks/worker-side.js'
import { flattenPlugins, handlerOf, selectPlugins } from '../plugin/container.js'
import { hookContext } from '../plugin/hooks.js'
import type { NexxoPlugin } from '../plugin/types.js'
import { PAGE_HOOKS, type PageAsset, type PagePlugin, type PluginHost } from './protocol.js'

/** What a hook returned, reduced to what structured cloning can carry and the engine reads. */
function cloneable(result: unknown): unknown {
  if (result === null || result === undefined || typeof result !== 'object') {
    return typeof result === 'function' ? undefined : result
  }
  const object = result as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const key of ['code', 'id', 'external', 'moduleSideEffects', 'moduleType'] as const) {
    if (object[key] !== undefined) out[key] = object[key]
  }
  // magic-string's SourceMap and the like: JSON is what every engine takes.
  if (object.map !== undefined && object.map !== null) {
    out.map = typeof object.map === 'string' ? object.map : JSON.stringify(object.map)
  }
  return out
}

/** The plugins for a build from this page: descriptions for the worker, and the host that runs them. */
export function pagePlugins(
  list: unknown,
  mode: string,
): { plugins: PagePlugin[]; host: PluginHost & Comlink.ProxyMarked } | undefined {
  const flat = flattenPlugins(list ?? [], 'build({ plugins })')
  const selected = selectPlugins(flat, { command: 'build', mode })
  // Order groups are the worker's to apply again: keep every applicable plugin with its enforce.
  const applied: NexxoPlugin[] = flat.filter(
    (p) => selected.pre.includes(p) || selected.normal.includes(p) || selected.post.includes(p),
  )
  if (applied.length === 0) return undefined
  const plugins = applied.map((p): PagePlugin => {
    // A framework plugin the worker makes itself, compiler and all: nothing of it runs here.
    const worker = workerSideOf(p)
    if (worker) return { name: p.name, ...(p.enforce ? { enforce: p.enforce } : {}), worker, hooks: {} }
    const hooks: PagePlugin['hooks'] = {}
    for (const hook of PAGE_HOOKS) {
      const value = p[hook] as unknown
      if (!value) continue
      const object = typeof value === 'object' ? (value as { filter?: unknown; order?: 'pre' | 'post' | null }) : {}
      hooks[hook] = {
        ...(object.filter !== undefined ? { filter: object.filter } : {}),
        ...(object.order !== undefined ? { order: object.order } : {}),
      }
    }
    return {
      name: p.name,
      ...(p.enforce ? { enforce: p.enforce } : {}),
      ...(p.version !== undefined ? { version: p.version } : {}),
      ...(p.cacheKey !== undefined ? { cacheKey: p.cacheKey } : {}),
      hooks,
    }
  })
  /** `this.emitFile` references, good for `this.getFileName` in any later hook of the build. */
  const references = new Map<string, string>()
  const host: PluginHost = {
    async call(index, hook, args, context) {
      const plugin = applied[index]
      const fn = plugin && (handlerOf(plugin[hook] as Parameters<typeof handlerOf>[0]) as unknown)
      if (typeof fn !== 'function') throw new Error(`plugin ${index} has no ${hook} hook`)
      const emitted: PageAsset[] = []
      const self = hookContext({
        warn: (m) => {
          void context.warn(m)
        },
        resolve: (source, importer, options) =>
          context.resolve(source, importer, { skipSelf: options?.skipSelf ?? true }),
        // The asset is emitted by the worker once the hook returns.
        emitAsset: (file) => {
          emitted.push({
            type: 'asset',
            source: file.source,
            ...(file.fileName ? { fileName: file.fileName } : {}),
            ...(file.name ? { name: file.name } : {}),
          })
          return file.fileName ?? file.name ?? `asset${emitted.length}`
        },
        references,
        watchMode: false,
      })
      try {
        return { result: cloneable(await (fn as (...a: unknown[]) => unknown).apply(self, args)), emitted }
      } finally {
        ;(context as Partial<Comlink.Remote<unknown>>)[Comlink.releaseProxy]?.()
      }
    },
  }
  return { plugins, host: Comlink.proxy(host) }
}
