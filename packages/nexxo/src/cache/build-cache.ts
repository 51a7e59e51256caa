// The whole-build cache: one entry per (inputs, engine, options). A hit returns the outputs without
// running the engine. In-memory projects are keyed by the hash of every file; projects on disk are
// keyed by their root and entries and store stamps of every file the engine read (and of those
// files' directories), which must all be unchanged for a hit.

import { fromBase64, toBase64 } from '../bytes.js'
import type { Core } from '../core/core.js'
import type { Engine, OutputFile } from '../engines/types.js'
import type { Cache } from './store.js'

export interface CachedBuild {
  /** Disk builds: the `stampInputs` record that must still hold. */
  inputs?: string
  modules: number
  outputs: OutputFile[]
}

interface StoredOutput extends Omit<OutputFile, 'code'> {
  code?: string
  base64?: string
}

/**
 * The stored entry's shape, in every key: an entry written before a field was added (chunks'
 * `imports` for modulepreload, 2) is a miss, never an output without it.
 */
const ENTRY_FORMAT = 2

export function buildCacheKey(
  core: Core,
  contentHash: string,
  engine: Pick<Engine, 'name' | 'version'>,
  options: object,
): string {
  // The engine's name, not its package: rolldown and @rolldown/browser (esbuild and esbuild-wasm) at
  // one version write the same bytes, so native and wasm backends share entries.
  return `build:v${ENTRY_FORMAT}:${core.cacheKey({ contentHash, engine: engine.name, engineVersion: engine.version, options })}`
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeBuild(build: CachedBuild): Uint8Array {
  const outputs: StoredOutput[] = build.outputs.map(({ code, ...rest }) =>
    typeof code === 'string' ? { ...rest, code } : { ...rest, base64: toBase64(code) },
  )
  return encoder.encode(JSON.stringify({ ...build, outputs }))
}

/** The stored build, or undefined if the bytes are not one (a hash-valid entry of another shape). */
export function decodeBuild(bytes: Uint8Array): CachedBuild | undefined {
  try {
    const stored = JSON.parse(decoder.decode(bytes)) as { inputs?: string; modules: number; outputs: StoredOutput[] }
    if (!Array.isArray(stored.outputs) || typeof stored.modules !== 'number') return undefined
    const outputs = stored.outputs.map(({ base64, code, ...rest }) => ({
      ...rest,
      code: base64 !== undefined ? fromBase64(base64) : (code ?? ''),
    }))
    return { ...(stored.inputs !== undefined ? { inputs: stored.inputs } : {}), modules: stored.modules, outputs }
  } catch {
    return undefined
  }
}

/** A cached build that still holds: its entry exists and, for disk builds, its inputs are unchanged. */
export async function lookupBuild(cache: Cache, core: Core, key: string): Promise<CachedBuild | undefined> {
  const bytes = await cache.get(key)
  const build = bytes && decodeBuild(bytes)
  if (!build) return undefined
  if (build.inputs !== undefined && !(await core.inputsUnchanged(build.inputs))) return undefined
  return build
}
