// One place that knows how user plugins run: which apply (`apply`), in what order (`enforce`), and
// what happens when one fails or hangs. Builds hand the result to rolldown, which runs Rollup
// hooks natively and checks their filters without calling into JS; the Vite hooks
// (`transformIndexHtml`, `configResolved`, ...) are driven from here.

import { type Diagnostic, NexxoError } from '../errors.js'
import type { ConfigEnv, IndexHtmlContext, NexxoPlugin, ObjectHook } from './types.js'

/** How long one hook call may take before the build fails naming it (Rollup has no such bound; a hung build is worse). */
export const DEFAULT_HOOK_TIMEOUT_MS = 30_000

const ROLLUP_HOOKS = [
  'options',
  'buildStart',
  'resolveId',
  'load',
  'transform',
  'moduleParsed',
  'buildEnd',
  'renderStart',
  'renderChunk',
  'augmentChunkHash',
  'generateBundle',
  'writeBundle',
  'closeBundle',
  'resolveDynamicImport',
  'banner',
  'footer',
  'intro',
  'outro',
] as const

/**
 * Vite plugins the built-in pipeline replaces: React's (JSX and Fast Refresh are compiled by Nexxo
 * itself) and Preact's preset (its JSX comes from tsconfig's jsxImportSource, as the template sets it).
 */
const BUILT_IN_REPLACEMENTS = /^vite:react|^@vitejs\/plugin-react|^preact:|^vite:preact|^prefresh/

export const handlerOf = <T>(hook: ObjectHook<T> | undefined): T | undefined =>
  hook === undefined ? undefined : typeof hook === 'object' && hook !== null && 'handler' in hook ? hook.handler : hook

const orderOf = (hook: unknown): 'pre' | 'post' | null =>
  typeof hook === 'object' && hook !== null && 'order' in hook
    ? ((hook as { order?: 'pre' | 'post' | null }).order ?? null)
    : null

/** Flattens plugin arrays (Vite allows nested ones and falsy entries) and checks each is a plugin. */
export function flattenPlugins(list: unknown, where: string): NexxoPlugin[] {
  const out: NexxoPlugin[] = []
  const visit = (item: unknown, path: string) => {
    if (item === null || item === undefined || item === false) return
    if (Array.isArray(item)) {
      for (const [i, p] of item.entries()) visit(p, `${path}[${i}]`)
      return
    }
    if (typeof item !== 'object' || typeof (item as { name?: unknown }).name !== 'string') {
      throw NexxoError.single('INVALID_CONFIG', `${where}: ${path} is not a plugin (an object with a \`name\`).`)
    }
    out.push(item as NexxoPlugin)
  }
  visit(list, 'plugins')
  return out
}

export interface SelectedPlugins {
  pre: NexxoPlugin[]
  normal: NexxoPlugin[]
  post: NexxoPlugin[]
  /** Names of plugins left out because the pipeline does their job, for a note to the user. */
  replaced: string[]
}

/** The plugins that apply to `env`, in Vite's order groups. */
export function selectPlugins(
  plugins: NexxoPlugin[],
  env: ConfigEnv,
  config: Record<string, unknown> = {},
): SelectedPlugins {
  const out: SelectedPlugins = { pre: [], normal: [], post: [], replaced: [] }
  for (const plugin of plugins) {
    if (BUILT_IN_REPLACEMENTS.test(plugin.name)) {
      out.replaced.push(plugin.name)
      continue
    }
    const { apply } = plugin
    if (apply === 'build' && env.command !== 'build') continue
    if (apply === 'serve' && env.command !== 'serve') continue
    if (typeof apply === 'function' && !apply(config, env)) continue
    out[plugin.enforce ?? 'normal'].push(plugin)
  }
  return out
}

export type BuildPlugins = SelectedPlugins & { applied: NexxoPlugin[] }

export const NO_PLUGINS: BuildPlugins = { pre: [], normal: [], post: [], replaced: [], applied: [] }

/** The user's plugins that apply to a build, in order (pre, normal, post); a warning for each the pipeline replaces. */
export function pluginsForBuild(plugins: NexxoPlugin[], mode: string, warnings: Diagnostic[]): BuildPlugins {
  const selected = selectPlugins(plugins, { command: 'build', mode })
  for (const name of selected.replaced) {
    warnings.push({
      code: 'PLUGIN_REPLACED',
      message: `Plugin '${name}' left out: Nexxo compiles React (JSX, Fast Refresh) itself.`,
    })
  }
  return { ...selected, applied: [...selected.pre, ...selected.normal, ...selected.post] }
}

const describe = (args: unknown[], hook: string): string => {
  if (hook === 'transform' || hook === 'renderChunk') return typeof args[1] === 'string' ? ` for ${args[1]}` : ''
  if (hook === 'load') return typeof args[0] === 'string' ? ` for ${args[0]}` : ''
  if (hook === 'resolveId')
    return typeof args[0] === 'string'
      ? ` for '${args[0]}'${typeof args[1] === 'string' ? ` from ${args[1]}` : ''}`
      : ''
  return ''
}

/** Extensions rolldown parses as something other than JavaScript unless told. */
const SCRIPT_OR_CSS = /\.(?:[cm]?[jt]sx?|css)(?:\?.*)?$/

/**
 * A Rollup plugin that turns `data.json` into JavaScript says so by returning code: Rollup has one
 * module type. Rolldown keeps parsing by extension unless `moduleType` is given, so code a plugin
 * returns for a non-script id is marked as JavaScript, as Rollup would take it.
 */
function asRollupResult(hook: string, args: unknown[], result: unknown): unknown {
  if (hook !== 'load' && hook !== 'transform') return result
  const id = hook === 'load' ? args[0] : args[1]
  if (typeof id !== 'string' || SCRIPT_OR_CSS.test(id)) return result
  if (typeof result === 'string') return { code: result, moduleType: 'js' }
  if (result && typeof result === 'object' && 'code' in result && !('moduleType' in result))
    return { ...result, moduleType: 'js' }
  return result
}

export function guard<F extends (...args: never[]) => unknown>(
  plugin: string,
  hook: string,
  fn: F,
  timeoutMs: number,
): F {
  return function (this: unknown, ...args: Parameters<F>) {
    let result: unknown
    try {
      result = fn.apply(this, args)
    } catch (e) {
      throw pluginError(plugin, hook, e, describe(args, hook))
    }
    if (!(result instanceof Promise)) return asRollupResult(hook, args, result)
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            NexxoError.single(
              'PLUGIN_TIMEOUT',
              `Plugin '${plugin}' hook '${hook}'${describe(args, hook)} did not settle within ${timeoutMs / 1000} s.`,
            ),
          ),
        timeoutMs,
      )
    })
    return Promise.race([result, timeout]).then(
      (value) => {
        clearTimeout(timer)
        return asRollupResult(hook, args, value)
      },
      (e: unknown) => {
        clearTimeout(timer)
        throw e instanceof NexxoError && e.code === 'PLUGIN_TIMEOUT'
          ? e
          : pluginError(plugin, hook, e, describe(args, hook))
      },
    )
  } as F
}

/** A plugin's failure as a located error naming the plugin, the hook and the module. */
export function pluginError(plugin: string, hook: string, e: unknown, where = ''): Error {
  if (e instanceof NexxoError) return e
  const err = e instanceof Error ? e : new Error(String(e))
  const located = err as Error & { plugin?: string; hook?: string }
  // Errors raised through `this.error` already carry the plugin; keep rolldown's shape for them.
  if (located.plugin) return err
  const wrapped = new Error(`[plugin ${plugin}] ${hook}${where}: ${err.message}`, { cause: err }) as Error & {
    plugin: string
    hook: string
  }
  wrapped.plugin = plugin
  wrapped.hook = hook
  // Where it happened (`this.error({ id, loc })`), for the code frame.
  const { id, loc } = err as { id?: unknown; loc?: unknown }
  if (id) Object.assign(wrapped, { id })
  if (loc) Object.assign(wrapped, { loc })
  if (err.stack) wrapped.stack = `${wrapped.message}\n${err.stack.split('\n').slice(1).join('\n')}`
  return wrapped
}

/**
 * The plugin as rolldown should get it: every Rollup hook guarded (errors name the plugin and the
 * module, a hook that never settles fails the build after `timeoutMs`), filters left as data so
 * rolldown still checks them natively, and the Vite-only keys dropped.
 */
export function forEngine(plugin: NexxoPlugin, timeoutMs = DEFAULT_HOOK_TIMEOUT_MS): NexxoPlugin {
  const out: Record<string, unknown> = { name: plugin.name }
  for (const hook of ROLLUP_HOOKS) {
    const value = (plugin as unknown as Record<string, unknown>)[hook]
    if (value === undefined) continue
    if (typeof value === 'function') {
      out[hook] = guard(plugin.name, hook, value as (...a: never[]) => unknown, timeoutMs)
    } else if (typeof value === 'object' && value !== null && 'handler' in value) {
      const object = value as { handler: (...a: never[]) => unknown }
      out[hook] = { ...object, handler: guard(plugin.name, hook, object.handler, timeoutMs) }
    } else {
      // banner/footer may be strings.
      out[hook] = value
    }
  }
  return out as unknown as NexxoPlugin
}

/** Every plugin's `transformIndexHtml`, `pre` ones first, chained; null when no plugin has one. */
export function indexHtmlTransform(
  plugins: NexxoPlugin[],
  timeoutMs = DEFAULT_HOOK_TIMEOUT_MS,
): ((html: string, ctx: IndexHtmlContext) => Promise<string>) | null {
  const hooks = plugins
    .filter((p) => p.transformIndexHtml)
    .sort((a, b) => rank(orderOf(a.transformIndexHtml) ?? a.enforce) - rank(orderOf(b.transformIndexHtml) ?? b.enforce))
  if (hooks.length === 0) return null
  return async (html, ctx) => {
    let page = html
    for (const p of hooks) {
      const fn = guard(p.name, 'transformIndexHtml', handlerOf(p.transformIndexHtml)!, timeoutMs)
      const next = await fn(page, ctx)
      if (typeof next === 'string') page = next
    }
    return page
  }
}

const rank = (order: 'pre' | 'post' | null | undefined) => (order === 'pre' ? 0 : order === 'post' ? 2 : 1)

/**
 * The cache key part of the plugins, or undefined when one of them has neither `cacheKey` nor
 * `version`: a plugin's output may depend on anything, so such builds are not cached.
 */
export function pluginsCacheKey(plugins: NexxoPlugin[]): string | undefined {
  const parts: string[] = []
  for (const p of plugins) {
    const key = p.cacheKey ?? p.version
    if (key === undefined) return undefined
    parts.push(`${p.name}@${key}`)
  }
  return parts.join(',')
}
