// Rollup's module hooks run by Nexxo itself, where no engine drives them: `nexxo dev` (per request),
// the esbuild engine (whose plugin API is not Rollup's) and the checks an in-memory build makes
// before the engine starts. Rolldown runs them natively in its own builds; this keeps their
// semantics (first `resolveId`/`load` answer wins, `transform`s chain, filters skip a plugin,
// `this.resolve` asks the others) in one place for the rest.

import { guard, handlerOf } from './container.js'
import type { NexxoPlugin } from './types.js'

type Pattern = RegExp | string
type PatternFilter = Pattern | Pattern[] | { include?: Pattern | Pattern[]; exclude?: Pattern | Pattern[] }

const matchesOne = (p: Pattern, value: string) => (typeof p === 'string' ? value === p : p.test(value))
const matchesAny = (p: Pattern | Pattern[] | undefined, value: string) =>
  p !== undefined && [p].flat().some((x) => matchesOne(x, value))

/** Rollup/rolldown's hook filter: `include`/`exclude`, or a pattern (list) that is the include. */
export function passes(filter: PatternFilter | undefined, value: string): boolean {
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

type ModuleHook = 'buildStart' | 'resolveId' | 'load' | 'transform' | 'buildEnd'

/** Each plugin's `hook`, guarded, with its Rollup filter kept beside it. */
function hooksOf(plugins: NexxoPlugin[], hook: ModuleHook, timeoutMs: number): FilteredHook[] {
  return plugins.flatMap((p) => {
    const value = p[hook] as unknown
    if (!value) return []
    const object = typeof value === 'object' ? (value as { filter?: FilteredHook['filter'] }) : {}
    const handler = handlerOf(value as Parameters<typeof handlerOf>[0]) as FilteredHook['handler']
    return [{ name: p.name, filter: object.filter, handler: guard(p.name, hook, handler, timeoutMs) }]
  })
}

/** Whether a resolved id names a file: absolute, without the `\0` of a made-up id or a query. */
export const namesFile = (id: string): boolean => id.startsWith('/') && !id.includes('\0') && !id.includes('?')

/** A made-up id where it must be printable (a URL, esbuild's paths and comments): `\0` as Vite spells it. */
export const printableId = (id: string): string => id.replaceAll('\0', '__x00__')
export const idFromPrintable = (printed: string): string => printed.replaceAll('__x00__', '\0')

/** What a `resolveId` chain said about an import: an id, external (left as written), or nothing. */
export type PluginResolution = { id: string; external: boolean } | null

export interface EmittedAsset {
  fileName?: string
  name?: string
  source: string | Uint8Array
}

export interface HookRunnerOptions {
  timeoutMs: number
  /** `this.warn`, with the module it was raised for. */
  warn(message: string, id: string | undefined): void
  /** What `this.resolve` falls back to when no plugin answers: the host's own resolution. */
  resolveDefault?(specifier: string, importer: string | undefined): Promise<PluginResolution>
  /** `this.emitFile` for assets (the only kind a host without Rollup's chunk graph can take). */
  emitAsset?(asset: EmittedAsset): string
  watchMode?: boolean
}

export interface HookRunner {
  /** False when no plugin has the hook: callers skip the pass that would ask. */
  readonly resolves: boolean
  readonly loads: boolean
  readonly transforms: boolean
  buildStart(): Promise<void>
  /** The first `resolveId` answer for `specifier` imported by `importer` (an absolute id). */
  resolveId(specifier: string, importer: string | undefined, isEntry?: boolean): Promise<PluginResolution>
  /** The first `load` answer for `id`, or null: the host reads the file itself. */
  load(id: string): Promise<string | null>
  /**
   * The code after every matching `transform` hook, in order, with the last `moduleType` a hook
   * named (a `.vue` file's plugin says its output is `ts`).
   */
  transform(code: string, id: string): Promise<TransformedCode>
  buildEnd(error?: Error): Promise<void>
}

export interface TransformedCode {
  code: string
  moduleType?: string
}

const moduleTypeOf = (result: unknown): string | undefined =>
  result && typeof result === 'object' && typeof (result as { moduleType?: unknown }).moduleType === 'string'
    ? (result as { moduleType: string }).moduleType
    : undefined

const codeOf = (result: unknown): string | null =>
  typeof result === 'string'
    ? result
    : result && typeof result === 'object' && typeof (result as { code?: unknown }).code === 'string'
      ? (result as { code: string }).code
      : null

const messageOf = (m: unknown) => (typeof m === 'string' ? m : String((m as Error)?.message ?? m))

/**
 * Rollup's plugin context (`this` in a hook) where no engine provides one: `warn`, `error`,
 * `resolve`, assets through `emitFile` and `getFileName` (references kept in `references`, so one
 * hook's reference is good in the next), and the rest as Rollup answers outside a build.
 */
export function hookContext(parts: {
  warn(message: string): void
  resolve(source: string, importer?: string, options?: { skipSelf?: boolean }): Promise<unknown>
  emitAsset?(asset: EmittedAsset): string
  /** File names by `emitFile` reference. */
  references: Map<string, string>
  watchMode: boolean
}) {
  const { references } = parts
  return {
    warn: (m: unknown) => parts.warn(messageOf(m)),
    // Rollup's RollupError: `this.error({ message, id, loc })` keeps where it happened.
    error: (m: unknown): never => {
      if (m instanceof Error) throw m
      const { id, loc } = (typeof m === 'object' && m !== null ? m : {}) as { id?: unknown; loc?: unknown }
      throw Object.assign(new Error(messageOf(m)), id ? { id } : {}, loc ? { loc } : {})
    },
    meta: { watchMode: parts.watchMode, rollupVersion: '4.0.0' },
    resolve: parts.resolve,
    emitFile: (file: { type?: string } & EmittedAsset) => {
      if (file.type !== 'asset' || !parts.emitAsset) {
        throw new Error(`this.emitFile({ type: '${file.type}' }) is not supported here: only assets are.`)
      }
      const ref = `asset${references.size}`
      references.set(ref, parts.emitAsset(file))
      return ref
    },
    getFileName: (ref: string) => {
      const name = references.get(ref)
      if (name === undefined) throw new Error(`No file was emitted with the reference '${ref}'.`)
      return name
    },
    addWatchFile: () => {},
    getWatchFiles: () => [],
    getModuleInfo: () => null,
  }
}

/** The hooks of `plugins` (already selected and ordered) run in Rollup's way. */
export function hookRunner(plugins: NexxoPlugin[], options: HookRunnerOptions): HookRunner {
  const { timeoutMs } = options
  const starts = hooksOf(plugins, 'buildStart', timeoutMs)
  const resolvers = hooksOf(plugins, 'resolveId', timeoutMs)
  const loaders = hooksOf(plugins, 'load', timeoutMs)
  const transforms = hooksOf(plugins, 'transform', timeoutMs)
  const ends = hooksOf(plugins, 'buildEnd', timeoutMs)
  const references = new Map<string, string>()

  const context = (id: string | undefined, self: string) =>
    hookContext({
      warn: (message) => options.warn(message, id),
      // Rollup's `this.resolve`: the other plugins first (skipSelf is the default since Rollup 3),
      // then the host's own resolution.
      resolve: async (source, importer, opts) =>
        (await chainResolve(source, importer, false, opts?.skipSelf === false ? undefined : self)) ??
        (await options.resolveDefault?.(source, importer)) ??
        null,
      ...(options.emitAsset ? { emitAsset: options.emitAsset } : {}),
      references,
      watchMode: options.watchMode ?? false,
    })

  const chainResolve = async (
    specifier: string,
    importer: string | undefined,
    isEntry: boolean,
    skip?: string,
  ): Promise<PluginResolution> => {
    for (const r of resolvers) {
      if (r.name === skip || !passes(r.filter?.id, specifier)) continue
      const result = await r.handler.call(context(importer, r.name), specifier, importer, { isEntry })
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

  return {
    resolves: resolvers.length > 0,
    loads: loaders.length > 0,
    transforms: transforms.length > 0,
    async buildStart() {
      for (const s of starts) await s.handler.call(context(undefined, s.name), {})
    },
    resolveId: (specifier, importer, isEntry = false) => chainResolve(specifier, importer, isEntry),
    async load(id) {
      for (const l of loaders) {
        if (!passes(l.filter?.id, id)) continue
        const code = codeOf(await l.handler.call(context(id, l.name), id))
        if (code !== null) return code
      }
      return null
    },
    async transform(code, id) {
      let out = code
      let moduleType: string | undefined
      for (const t of transforms) {
        if (!passes(t.filter?.id, id) || !passes(t.filter?.code, out)) continue
        const result = await t.handler.call(context(id, t.name), out, id)
        out = codeOf(result) ?? out
        moduleType = moduleTypeOf(result) ?? moduleType
      }
      return moduleType ? { code: out, moduleType } : { code: out }
    },
    async buildEnd(error) {
      for (const e of ends) await e.handler.call(context(undefined, e.name), error)
    },
  }
}
