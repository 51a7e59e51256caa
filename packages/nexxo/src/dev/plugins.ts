// The user's plugins in `nexxo dev`, as Vite runs them: `configureServer` middlewares (connect's
// `(req, res, next)`, optionally under a route) in front of nexxo's own handler, `resolveId` on each
// import before nexxo resolves it and `load` on each module before it is read (virtual modules),
// `transform` on each module's source before nexxo compiles it (with Rollup's `filter` honoured), and
// `handleHotUpdate` deciding what an edit updates. Every hook is guarded as in builds: errors name the plugin, the
// hook and the module, and a hook that never settles times out.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { DEFAULT_HOOK_TIMEOUT_MS, guard, handlerOf, selectPlugins } from '../plugin/container.js'
import { type HookRunner, hookRunner } from '../plugin/hooks.js'
import type { HotUpdateContext, Middleware, NexxoPlugin, PluginServer } from '../plugin/types.js'

type Next = (err?: unknown) => void
interface Layer {
  route: string
  fn: Middleware
}

/** `resolveId`, `load` and `transform` as the hook runner has them; ids are absolute file names or a plugin's own. */
export interface DevPlugins extends Pick<HookRunner, 'resolves' | 'resolveId' | 'loads' | 'load' | 'transform'> {
  /** Runs the middlewares; true when one of them answered the request. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  /** The modules (root URL paths) an edit updates: `modules` unless a hook says otherwise. */
  hotUpdate(ctx: HotUpdateContext): Promise<string[]>
  readonly warnings: string[]
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

  const hooks = hookRunner(applied, {
    timeoutMs,
    watchMode: true,
    warn: (message, id) => warnings.push(`${id ?? 'nexxo dev'}: ${message}`),
  })
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
    resolves: hooks.resolves,
    resolveId: hooks.resolveId,
    loads: hooks.loads,
    load: hooks.load,
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
    transform: hooks.transform,
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
