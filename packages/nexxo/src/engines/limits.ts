// Which package each engine is on each backend, how deep an import chain each is trusted with, and
// the adapter over a loaded engine module (however the host loaded it: Node by name, a worker bundle
// by a static import).

import type { BackendName, EngineName } from '../types.js'
import { createEsbuildEngine, type EsbuildModule } from './esbuild.js'
import { createRolldownEngine, type RolldownModule } from './rolldown.js'
import type { Engine } from './types.js'

export const ENGINE_PACKAGES: Record<BackendName, Record<EngineName, string>> = {
  native: { rolldown: 'rolldown', esbuild: 'esbuild' },
  wasm: { rolldown: '@rolldown/browser', esbuild: 'esbuild-wasm' },
}

/**
 * The longest linear import chain each engine is given: below a depth it was seen to build, and
 * well below one it was seen to fail at (Node 20, this repository's versions). Native rolldown built
 * 7,000 and segfaulted at 8,500; @rolldown/browser built 14,000 and overflowed at 20,000;
 * esbuild-wasm built 5,000, crawled at 7,000 and overflowed at 10,000; native esbuild built 20,000.
 */
export const IMPORT_DEPTH_LIMITS: Record<BackendName, Record<EngineName, number>> = {
  native: { rolldown: 4096, esbuild: 16384 },
  wasm: { rolldown: 12000, esbuild: 2048 },
}

/** The adapter over `mod`, the loaded package of `engine` on `backend`. */
export function engineFromModule(backend: BackendName, engine: EngineName, mod: unknown): Engine {
  const pkg = ENGINE_PACKAGES[backend][engine]
  const limit = IMPORT_DEPTH_LIMITS[backend][engine]
  if (engine === 'rolldown') return createRolldownEngine(mod as RolldownModule, pkg, limit)
  const esbuild = mod as EsbuildModule & { default?: EsbuildModule }
  return createEsbuildEngine(esbuild.default ?? esbuild, pkg, limit)
}
