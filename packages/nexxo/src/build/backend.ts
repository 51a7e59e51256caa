// Choosing and loading a backend: the core binding plus an engine built the same way.

import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { CssEngine, CssLoader } from '../app/css-engine.js'
import { Core } from '../core/core.js'
import { loadNativeCore } from '../core/native.js'
import { instantiateWasmCore } from '../core/wasm.js'
import { ENGINE_PACKAGES, engineFromModule, IMPORT_DEPTH_LIMITS } from '../engines/limits.js'
import { swcLoader } from '../engines/swc.js'
import type { Engine } from '../engines/types.js'
import { NexxoError } from '../errors.js'
import type { BackendName, EngineName } from '../types.js'
import type { Backend } from './bundler.js'

const require = createRequire(import.meta.url)

export async function loadEngine(backend: BackendName, engine: EngineName): Promise<Engine> {
  return engineFromModule(backend, engine, await import(ENGINE_PACKAGES[backend][engine]))
}

let wasmCore: Promise<Core> | undefined
/** The wasm core, compiled once per process. */
export function loadWasmCore(): Promise<Core> {
  wasmCore ??= readFile(require.resolve('@nexxo/wasm/nexxo_core.wasm')).then(
    async (bytes) => new Core(await instantiateWasmCore(bytes)),
  )
  return wasmCore
}

/** @swc/wasm-web on both backends: the same bytes lower the same way everywhere. */
export const nodeSwc = swcLoader(() => readFile(require.resolve('@swc/wasm-web/wasm_bg.wasm')))

/** A package's version, for packages whose `exports` hide their package.json. */
export function packageVersion(name: string): string {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string }
      if (manifest.name === name) return manifest.version
    } catch {}
  }
  throw new Error(`no package.json found for ${name}`)
}

const cssEngine = (packageName: 'lightningcss' | 'lightningcss-wasm'): CssLoader => {
  let loaded: Promise<CssEngine> | undefined
  return () => {
    loaded ??= import(packageName).then((mod: { transform: CssEngine['transform'] }) => ({
      packageName,
      version: packageVersion(packageName),
      transform: mod.transform,
    }))
    return loaded
  }
}
/** lightningcss on each backend: the napi build natively, the wasm build on the wasm backend. */
const nativeCss = cssEngine('lightningcss')
const wasmCss = cssEngine('lightningcss-wasm')

/** The CSS engine of a backend, for the dev server (builds get it through their Backend). */
export const cssLoaderFor = (backend: BackendName): CssLoader => (backend === 'native' ? nativeCss : wasmCss)

let nativeCore: Core | undefined
export function loadNativeCoreOnce(): Core {
  nativeCore ??= new Core(loadNativeCore())
  return nativeCore
}

const message = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0]! : String(e))

/**
 * An engine whose module is imported by its first build, so that a build served from the cache
 * never pays for it (importing native rolldown is ~100 ms, a quarter of a warm CLI build). Its name
 * and version, which the cache key needs, come from the package's manifest. `twin` is the engine of
 * the same name and version on the other backend: under `auto`, a native engine whose platform
 * binary fails to load hands over to it (same version, same bytes) rather than failing the build.
 */
export function lazyEngine(backend: BackendName, engine: EngineName, twin?: Engine): Engine {
  const packageName = ENGINE_PACKAGES[backend][engine]
  const { version } = require(`${packageName}/package.json`) as { version: string }
  let loaded: Promise<Engine> | undefined
  const load = () => {
    loaded ??= loadEngine(backend, engine).catch((e: unknown) => {
      if (twin && twin.version === version) return twin
      throw NexxoError.single(
        'BACKEND_UNAVAILABLE',
        `The ${backend} engine ${packageName}@${version} could not load: ${message(e)}`,
      )
    })
    return loaded
  }
  let current: Engine | undefined
  return {
    name: engine,
    get packageName() {
      return current?.packageName ?? packageName
    },
    version,
    // Until it loads, the tighter of the two limits: the twin may be the one that builds.
    get maxImportDepth() {
      const own = IMPORT_DEPTH_LIMITS[backend][engine]
      return current?.maxImportDepth ?? Math.min(own, twin?.maxImportDepth ?? own)
    },
    preload() {
      load().catch(() => {})
    },
    async build(input) {
      current = await load()
      return current.build(input)
    },
    async close() {
      await (await loaded?.catch(() => undefined))?.close?.()
    },
  }
}

async function load(name: BackendName, engine: EngineName, auto: boolean): Promise<Backend> {
  const core = name === 'native' ? loadNativeCoreOnce() : await loadWasmCore()
  const twin = auto && name === 'native' ? lazyEngine('wasm', engine) : undefined
  const css = name === 'native' ? nativeCss : wasmCss
  const backend: Backend = { name, core, engine: lazyEngine(name, engine, twin), swc: nodeSwc, css }
  if (name === 'native' && engine === 'rolldown') backend.deeperEngine = () => loadEngine('wasm', 'rolldown')
  return backend
}

/** `auto` tries native, then wasm; a forced backend that cannot load is an error, never a fallback. */
export async function selectBackend(requested: 'auto' | BackendName, engine: EngineName): Promise<Backend> {
  const env = typeof process !== 'undefined' ? process.env.NEXXO_BACKEND : undefined
  if (requested === 'auto' && env) {
    if (env !== 'native' && env !== 'wasm') {
      throw NexxoError.single('INVALID_OPTION', `NEXXO_BACKEND must be 'native' or 'wasm', not '${env}'.`)
    }
    requested = env
  }
  const order: BackendName[] = requested === 'auto' ? ['native', 'wasm'] : [requested]
  const failures: string[] = []
  for (const name of order) {
    try {
      return await load(name, engine, requested === 'auto')
    } catch (e) {
      failures.push(
        `  ${name} (${name === 'native' ? '@nexxo/native' : '@nexxo/wasm'} + ${ENGINE_PACKAGES[name][engine]}): ${message(e)}`,
      )
    }
  }
  const hint =
    'Build the bindings with `npm run setup` (needs Rust; see README), or choose another backend with --backend.'
  throw NexxoError.single(
    'BACKEND_UNAVAILABLE',
    `No ${requested === 'auto' ? '' : `${requested} `}backend could load for engine '${engine}':\n${failures.join('\n')}\n${hint}`,
  )
}
