// Every build option converges here into one normalized shape; nothing downstream re-checks them.

import { DEFAULT_CSS_TARGETS } from '../app/css-engine.js'
import { DEFAULT_ENV_PREFIXES } from '../app/env.js'
import type { OutputOptions } from '../engines/types.js'
import { NexxoError } from '../errors.js'
import { DEFAULT_HOOK_TIMEOUT_MS } from '../plugin/container.js'
import type { BuildOptions } from '../types.js'

export interface NormalizedBuild extends OutputOptions {
  entries: string[]
  base: string
  mode: string
  publicDir: string | false
  assetsInlineLimit: number
  cssTarget: string[]
  envPrefix: string[]
  alias?: Record<string, string>
  conditions?: string[]
  pluginTimeout: number
  /** Whether `decorators` was given, rather than defaulted (tsconfig's `experimentalDecorators` may decide). */
  decoratorsGiven: boolean
  /** Set when the engines' ES2015 floor is above the target: swc lowers their output (engines/swc.ts). */
  lower?: 'es5'
  decorators: 'standard' | 'legacy'
}

const FORMATS = ['esm', 'cjs', 'iife'] as const

export function normalizeBuild(options: BuildOptions): NormalizedBuild {
  const entries = (Array.isArray(options.input) ? options.input : [options.input]).filter((e) => e !== '')
  if (entries.length === 0) throw NexxoError.single('MISSING_ENTRY', 'No entry given: set `input`.')
  const format = options.format ?? 'esm'
  if (!FORMATS.includes(format)) {
    throw NexxoError.single('INVALID_OPTION', `Unknown format '${format}': expected ${FORMATS.join(', ')}.`)
  }
  // One form for the engines and the cache key: a comma list (rolldown takes it as is, esbuild split).
  const targets = [options.target ?? []]
    .flat()
    .flatMap((t) => String(t).split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '')
  const target = targets.join(',')
  const es5 = target.toLowerCase() === 'es5'
  if (!es5 && targets.some((t) => t.toLowerCase() === 'es5')) {
    throw NexxoError.single('INVALID_OPTION', `target '${target}': es5 cannot be combined with other targets.`)
  }
  const decorators = options.decorators ?? 'standard'
  if (decorators !== 'standard' && decorators !== 'legacy') {
    throw NexxoError.single('INVALID_OPTION', `Unknown decorators '${decorators}': expected standard or legacy.`)
  }
  const base = options.base ?? '/'
  if (
    typeof base !== 'string' ||
    !(base.startsWith('/') || /^https?:\/\//.test(base) || base === './' || base === '')
  ) {
    throw NexxoError.single(
      'INVALID_OPTION',
      `base must be a path starting with '/', './' or a URL, got ${JSON.stringify(base)}.`,
    )
  }
  const inlineLimit = options.assetsInlineLimit ?? 4096
  if (!(Number.isInteger(inlineLimit) && inlineLimit >= 0)) {
    throw NexxoError.single('INVALID_OPTION', `assetsInlineLimit must be a whole number of bytes, got ${inlineLimit}.`)
  }
  const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v])
  return {
    entries,
    base: base === '' ? './' : base.endsWith('/') ? base : `${base}/`,
    mode: options.mode ?? 'production',
    publicDir: options.publicDir ?? 'public',
    assetsInlineLimit: inlineLimit,
    cssTarget: list(options.cssTarget) ?? DEFAULT_CSS_TARGETS,
    envPrefix: list(options.envPrefix) ?? DEFAULT_ENV_PREFIXES,
    ...(options.alias ? { alias: options.alias } : {}),
    ...(options.conditions?.length ? { conditions: options.conditions } : {}),
    pluginTimeout: options.pluginTimeout ?? DEFAULT_HOOK_TIMEOUT_MS,
    decoratorsGiven: options.decorators !== undefined,
    format,
    splitting: options.splitting ?? true,
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ?? false,
    ...(es5 ? { target: 'es2015', lower: 'es5' as const } : target ? { target } : {}),
    decorators,
    // Libraries (React among them) branch on this; a browser bundle has no `process`.
    define: { 'process.env.NODE_ENV': JSON.stringify('production'), ...options.define },
    external: options.external ?? [],
    entryFileNames: options.entryFileNames ?? '[name].js',
    chunkFileNames: options.chunkFileNames ?? '[name]-[hash].js',
    assetFileNames: options.assetFileNames ?? '[name]-[hash][extname]',
  }
}
