// The build worker: the whole build (wasm core, wasm engine, IndexedDB cache) off the page's main
// thread. Bundled with its dependencies into `dist/browser/nexxo-worker.js` (scripts/build-browser.mjs).

import './buffer-global.js'
import * as Comlink from 'comlink'
import { wasmCssLoader } from '../app/css-wasm.js'
import { Bundler } from '../build/bundler.js'
import { IdbStore } from '../cache/indexeddb.js'
import { Core } from '../core/core.js'
import { instantiateWasmCore } from '../core/wasm.js'
import { engineFromModule } from '../engines/limits.js'
import { swcLoader } from '../engines/swc.js'
import type { Engine } from '../engines/types.js'
import { NexxoError } from '../errors.js'
import type { EngineName } from '../types.js'
import { frameworkPlugins } from './frameworks.js'
import type { PluginHost, WorkerApi, WorkerBuildOptions, WorkerConfig, WorkerReply } from './protocol.js'
import { pluginsFromPage } from './worker-plugins.js'

let bundler: Bundler | undefined
let frameworks: ReturnType<typeof frameworkPlugins> | undefined

async function reply<T>(work: () => Promise<T>): Promise<WorkerReply<T>> {
  try {
    return { ok: true, value: await work() }
  } catch (e) {
    if (e instanceof NexxoError) return { ok: false, code: e.code, message: e.message, diagnostics: e.diagnostics }
    const message = e instanceof Error ? e.message : String(e)
    return { ok: false, code: 'INTERNAL', message, diagnostics: [{ code: 'INTERNAL', message }] }
  }
}

type WasmFile = 'nexxo_core.wasm' | 'esbuild.wasm' | 'swc.wasm' | 'lightningcss_node.wasm'

/**
 * Where a wasm file is: under the page's base when it gave one, else beside this worker, each
 * written as a literal `new URL('./…', import.meta.url)` so that a bundler building an app that
 * imports nexxo/browser (nexxo, Vite, Rollup, webpack 5) emits the file with the worker.
 */
function wasmUrl(file: WasmFile, assets: string | undefined): URL {
  if (assets !== undefined) return new URL(file, assets)
  switch (file) {
    case 'nexxo_core.wasm':
      return new URL('./nexxo_core.wasm', import.meta.url)
    case 'esbuild.wasm':
      return new URL('./esbuild.wasm', import.meta.url)
    case 'swc.wasm':
      return new URL('./swc.wasm', import.meta.url)
    case 'lightningcss_node.wasm':
      return new URL('./lightningcss_node.wasm', import.meta.url)
  }
}

/** Static imports (a bundle cannot follow `import(name)`); the adapter is the one Node uses. */
async function loadEngine(name: EngineName, assets: string | undefined): Promise<Engine> {
  if (name === 'esbuild') {
    const esbuild = await import('esbuild-wasm')
    // No nested worker: this is the worker.
    await esbuild.initialize({ wasmURL: wasmUrl('esbuild.wasm', assets).href, worker: false })
    return engineFromModule('wasm', 'esbuild', esbuild)
  }
  return engineFromModule('wasm', 'rolldown', await import('@rolldown/browser'))
}

/** IndexedDB, if this context has a working one (some private modes do not): else the memory cache. */
async function openIdb(name: string): Promise<IdbStore | undefined> {
  try {
    const store = IdbStore.open(name)
    await store.get('nexxo:probe')
    return store
  } catch {
    return undefined
  }
}

const api: WorkerApi = {
  init: (config: WorkerConfig) =>
    reply(async () => {
      const engineName: EngineName =
        config.engine === 'auto' ? (self.crossOriginIsolated ? 'rolldown' : 'esbuild') : config.engine
      if (engineName === 'rolldown' && !self.crossOriginIsolated) {
        throw NexxoError.single(
          'BACKEND_UNAVAILABLE',
          '@rolldown/browser needs a cross-origin isolated page (COOP: same-origin, COEP: require-corp) for its threads; use engine esbuild or auto.',
        )
      }
      const [core, engine] = await Promise.all([
        fetch(wasmUrl('nexxo_core.wasm', config.assets)).then(async (r) => {
          if (!r.ok) throw new Error(`nexxo_core.wasm: HTTP ${r.status}`)
          return new Core(await instantiateWasmCore(await r.arrayBuffer()))
        }),
        loadEngine(engineName, config.assets),
      ])
      const cacheStore = config.cache === false ? undefined : await openIdb(config.cache)
      const swc = swcLoader(async () => wasmUrl('swc.wasm', config.assets))
      frameworks = frameworkPlugins(swc, () =>
        config.assets !== undefined
          ? new URL('nexxo-solid-compiler.js', config.assets)
          : new URL('./nexxo-solid-compiler.js', import.meta.url),
      )
      bundler = new Bundler(
        {
          name: 'wasm',
          core,
          engine,
          swc,
          css: wasmCssLoader(async () => wasmUrl('lightningcss_node.wasm', config.assets)),
        },
        {
          ...(config.cache === false ? { cache: false as const } : {}),
          ...(cacheStore ? { cacheStore } : {}),
          ...(config.cacheMaxSize ? { cacheMaxSize: config.cacheMaxSize } : {}),
          registry: config.registry,
        },
      )
      return { engine: engine.name, engineVersion: `${engine.packageName}@${engine.version}`, crossOriginIsolated }
    }),
  build: (options: WorkerBuildOptions, host?: Comlink.Remote<PluginHost>) =>
    reply(async () => {
      if (!bundler) throw NexxoError.single('CLOSED', 'The build worker is not initialized.')
      const { plugins, ...rest } = options
      const own = plugins && host ? await pluginsFromPage(plugins, host, frameworks!) : undefined
      return bundler.build({ ...rest, ...(own ? { plugins: own } : {}) })
    }),
  async close() {
    await bundler?.close()
    bundler = undefined
  },
}

Comlink.expose(api)
