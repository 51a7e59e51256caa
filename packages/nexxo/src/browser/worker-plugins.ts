// The worker's half of a page's plugins (browser/page-plugins.ts has the other): each described
// plugin becomes a plugin whose hooks call the page, carrying only cloneable arguments and giving
// the page the engine's `this.warn` and `this.resolve` for the length of the call.

import * as Comlink from 'comlink'
import type { WorkerSidePlugin } from '../frameworks/worker-side.js'
import type { NexxoPlugin } from '../plugin/types.js'
import type { HookContext, PageHook, PagePlugin, PluginHost } from './protocol.js'

/** The arguments of a hook as the page may receive them (engines pass objects that cannot be cloned). */
function argsFor(hook: PageHook, args: unknown[]): unknown[] {
  switch (hook) {
    case 'resolveId': {
      const extra = (args[2] ?? {}) as { isEntry?: boolean; kind?: string }
      return [args[0], args[1], { isEntry: Boolean(extra.isEntry), ...(extra.kind ? { kind: extra.kind } : {}) }]
    }
    case 'load':
      return [args[0]]
    case 'transform':
      return [args[0], args[1]]
    case 'buildEnd':
      return args[0] instanceof Error ? [new Error(args[0].message)] : []
    case 'transformIndexHtml': {
      const ctx = (args[1] ?? {}) as { path?: string; filename?: string }
      return [args[0], { path: ctx.path, filename: ctx.filename }]
    }
    default:
      return []
  }
}

interface EngineContext {
  warn(message: string): void
  resolve(source: string, importer?: string, options?: { skipSelf?: boolean }): Promise<unknown>
  emitFile?(file: unknown): string
}

/**
 * The page's plugins, as plugins the worker's bundler runs; `framework` makes the ones described as
 * a framework and its options.
 */
export async function pluginsFromPage(
  described: PagePlugin[],
  host: Comlink.Remote<PluginHost>,
  framework: (plugin: WorkerSidePlugin) => Promise<NexxoPlugin>,
): Promise<NexxoPlugin[]> {
  const made = await Promise.all(described.map((plugin) => (plugin.worker ? framework(plugin.worker) : undefined)))
  return described.map((plugin, index) => {
    const own = made[index]
    if (own) return own
    const out: Record<string, unknown> = {
      name: plugin.name,
      ...(plugin.enforce ? { enforce: plugin.enforce } : {}),
      ...(plugin.version !== undefined ? { version: plugin.version } : {}),
      ...(plugin.cacheKey !== undefined ? { cacheKey: plugin.cacheKey } : {}),
    }
    for (const [hook, shape] of Object.entries(plugin.hooks) as [PageHook, PagePlugin['hooks'][PageHook]][]) {
      async function handler(this: EngineContext | undefined, ...args: unknown[]) {
        const context: HookContext = {
          warn: (message) => this?.warn?.(message),
          resolve: async (source, importer, options) => {
            const resolved = (await this?.resolve?.(source, importer, options)) as
              | { id: string; external?: unknown }
              | null
              | undefined
            return resolved ? { id: resolved.id, external: Boolean(resolved.external) } : null
          },
        }
        const { result, emitted } = await host.call(index, hook, argsFor(hook, args), Comlink.proxy(context))
        for (const asset of emitted) this?.emitFile?.(asset)
        return result ?? null
      }
      out[hook] = {
        ...(shape?.filter !== undefined ? { filter: shape.filter } : {}),
        ...(shape?.order !== undefined ? { order: shape.order } : {}),
        handler,
      }
    }
    return out as unknown as NexxoPlugin
  })
}
