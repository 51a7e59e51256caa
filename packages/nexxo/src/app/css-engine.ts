// lightningcss as the app pipeline sees it: the native package on the native backend, the wasm
// package everywhere else. Both are pinned to one version, so a stylesheet compiles to the same
// bytes on every backend (a test checks it).

import type { TransformOptions, TransformResult } from 'lightningcss'

export interface CssEngine {
  readonly packageName: 'lightningcss' | 'lightningcss-wasm'
  readonly version: string
  transform(options: TransformOptions<never>): TransformResult
}

/**
 * The version both packages are pinned at (packages/nexxo/package.json), for bundles that cannot
 * read a manifest at run time; css-engine.test.ts checks it against the installed packages.
 */
export const LIGHTNINGCSS_VERSION = '1.33.0'

/** Loads the engine on first use: a build without CSS never pays for it. */
export type CssLoader = () => Promise<CssEngine>

/**
 * Vite 8's default `build.target` ('baseline-widely-available') as lightningcss targets: nesting,
 * `color-mix()` and the like are lowered for these browsers, as Vite does.
 */
export const DEFAULT_CSS_TARGETS = ['chrome111', 'edge111', 'firefox114', 'safari16.4', 'ios16.4']

const BROWSERS: Record<string, string> = {
  chrome: 'chrome',
  edge: 'edge',
  firefox: 'firefox',
  safari: 'safari',
  ios: 'ios_saf',
  opera: 'opera',
  samsung: 'samsung',
}

/**
 * `['chrome111', 'safari16.4']` (esbuild's syntax, which `build.target` and `cssTarget` use) as
 * lightningcss's `Targets`: each version packed as major << 16 | minor << 8. `es20xx` entries say
 * nothing about CSS and are skipped; an unknown browser is an error naming it.
 */
export function cssTargets(targets: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const target of targets) {
    if (/^es(?:next|\d+)$/i.test(target)) continue
    const m = /^([a-z]+)(\d+)(?:\.(\d+))?/i.exec(target)
    const name = m ? BROWSERS[m[1]!.toLowerCase()] : undefined
    if (!m || !name) throw new Error(`Unknown CSS target '${target}': expected e.g. chrome111, safari16.4, firefox114.`)
    out[name] = (Number(m[2]) << 16) | (Number(m[3] ?? 0) << 8)
  }
  return out
}
