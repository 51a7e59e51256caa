// Rollup plugins on esbuild. esbuild's plugin API is callbacks by regex (`onResolve`, `onLoad`), not
// Rollup's hooks, so this adapter runs the hooks itself (plugin/hooks.ts) from one esbuild plugin:
// `resolveId` from `onResolve`, `load` and the `transform` chain from `onLoad`, `buildStart` and
// `buildEnd` around the build. unplugin's esbuild adapter does the same for its own plugin shape,
// but reads files with node:fs and has no `this.resolve`, so it can serve neither the browser
// worker nor the edge. Chunk-level hooks (`renderChunk`, `generateBundle`) have no esbuild
// counterpart and are not run.

import type * as esbuild from 'esbuild'
import {
  type EmittedAsset,
  hookRunner,
  idFromPrintable,
  namesFile,
  type PluginResolution,
  printableId,
} from '../plugin/hooks.js'
import type { NexxoPlugin } from '../plugin/types.js'
import { loaderForPath, type OutputFile } from './types.js'

/** Where ids a plugin made up live (`\0virtual:x`): esbuild must not look for them on disk. */
const NAMESPACE = 'nexxo-plugin'
const SCRIPT = /\.(?:[cm]?[jt]sx?)$/

export interface PluginHost {
  /** The project's directory: imports inside a virtual module resolve from it. */
  cwd: string
  /** A module's text (from `files`, or from disk), or undefined when there is no such file. */
  read(path: string): string | undefined
  /** The host's resolution without the plugins, for `this.resolve`; files builds only (disk builds ask esbuild). */
  resolve?(specifier: string, importer: string): string | null
  warn(message: string, id: string | undefined): void
  /** Rewrites after the plugins (nexxo's decorator lowering), in esbuild's `onLoad` terms. */
  finish(contents: string, path: string, loader: esbuild.Loader): Promise<esbuild.OnLoadResult>
  /** Where the assets plugins emit are collected. */
  assets: OutputFile[]
  timeoutMs: number
}

const dirOf = (path: string) => path.slice(0, Math.max(path.lastIndexOf('/'), 1))

/** The loader for what a plugin returned: a script or CSS id keeps its own, anything else became JavaScript (Rollup's rule). */
const MODULE_TYPES = new Set(['js', 'jsx', 'ts', 'tsx', 'css', 'json'])

/** A plugin's `moduleType` if esbuild has that loader; else the id's extension decides. */
function loaderAfterPlugins(id: string, moduleType?: string): esbuild.Loader {
  if (moduleType && MODULE_TYPES.has(moduleType)) return moduleType as esbuild.Loader
  const bare = id.split('?')[0]!
  if (SCRIPT.test(bare)) return loaderForPath(bare)
  // A framework's style block is CSS by its query's end (`App.vue?vue&type=style&index=0&lang.css`),
  // as Vite reads it; the same for CSS modules (`lang.module.css`).
  if (/\.module\.css$/.test(bare) || /[?&]lang\.module\.css$/.test(id)) return 'local-css'
  return bare.endsWith('.css') || /[?&]lang\.css$/.test(id) ? 'css' : 'js'
}

/** One esbuild plugin running the Rollup hooks of `plugins` (selected, ordered and guarded). */
export function rollupPluginsForEsbuild(plugins: NexxoPlugin[], host: PluginHost): esbuild.Plugin | undefined {
  let build: esbuild.PluginBuild | undefined
  const resolveDefault = async (specifier: string, importer: string | undefined): Promise<PluginResolution> => {
    if (host.resolve) {
      const id = importer ? host.resolve(specifier, importer) : host.read(specifier) === undefined ? null : specifier
      return id === null ? null : { id, external: false }
    }
    const found = await build!.resolve(specifier, {
      kind: importer ? 'import-statement' : 'entry-point',
      resolveDir: importer && namesFile(importer) ? dirOf(importer) : host.cwd,
      ...(importer ? { importer } : {}),
      pluginData: { nexxoSkip: true },
    })
    return found.errors.length > 0 ? null : { id: found.path, external: found.external }
  }
  const hooks = hookRunner(plugins, {
    timeoutMs: host.timeoutMs,
    warn: host.warn,
    resolveDefault,
    emitAsset: (asset: EmittedAsset) => {
      if (!asset.fileName) {
        throw new Error(
          'this.emitFile({ type: "asset" }) needs a fileName on the esbuild engine (it cannot hash names).',
        )
      }
      host.assets.push({ fileName: asset.fileName, type: 'asset', code: asset.source })
      return asset.fileName
    },
  })
  if (!hooks.resolves && !hooks.loads && !hooks.transforms && plugins.every((p) => !p.buildStart && !p.buildEnd)) {
    return undefined
  }
  return {
    name: 'nexxo:rollup-plugins',
    setup(b) {
      build = b
      b.onStart(async () => {
        host.assets.length = 0
        await hooks.buildStart()
      })
      b.onEnd(async (result) => {
        const first = result.errors[0]
        await hooks.buildEnd(first ? new Error(first.text) : undefined)
      })
      if (hooks.resolves) {
        b.onResolve({ filter: /.*/ }, async (args) => {
          if ((args.pluginData as { nexxoSkip?: boolean } | undefined)?.nexxoSkip) return undefined
          const isEntry = args.kind === 'entry-point'
          const importer = isEntry
            ? undefined
            : args.namespace === NAMESPACE
              ? idFromPrintable(args.importer)
              : args.importer
          const resolved = await hooks.resolveId(args.path, importer, isEntry)
          if (!resolved) return undefined
          if (resolved.external) return { path: resolved.id, external: true }
          return namesFile(resolved.id)
            ? { path: resolved.id }
            : { path: printableId(resolved.id), namespace: NAMESPACE }
        })
      }
      // An import inside a virtual module that no plugin claimed resolves from the project's root.
      b.onResolve({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
        const resolved = await resolveDefault(args.path, namesFile(args.importer) ? args.importer : `${host.cwd}/`)
        if (!resolved) return { errors: [{ text: `Could not resolve '${args.path}' from '${args.importer}'` }] }
        return resolved.external ? { path: resolved.id, external: true } : { path: resolved.id }
      })
      b.onLoad({ filter: /.*/ }, async (args) => {
        const virtual = args.namespace === NAMESPACE
        const id = virtual ? idFromPrintable(args.path) : args.path
        if (!virtual && args.namespace !== 'file') return undefined
        const loaded = hooks.loads ? await hooks.load(id) : null
        if (loaded === null && virtual) {
          return { errors: [{ text: `No plugin loaded '${id}': a plugin's resolveId named it.` }] }
        }
        const source = loaded ?? (hooks.transforms ? host.read(id) : undefined)
        if (source === undefined) return undefined
        const { code, moduleType } = hooks.transforms ? await hooks.transform(source, id) : { code: source }
        // Untouched by every plugin: esbuild (or the files plugin) loads it as it would without them.
        if (loaded === null && code === source) return undefined
        const result = await host.finish(code, id, loaderAfterPlugins(id, moduleType))
        return { ...result, resolveDir: virtual ? host.cwd : dirOf(id) }
      })
    },
  }
}
