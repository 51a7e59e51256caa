// Rolldown, native (`rolldown`) or wasm (`@rolldown/browser`): the same adapter for both, so that
// the two backends differ only in the module passed in.

import type { OutputAsset, OutputChunk, Plugin, rolldown as rolldownFn } from 'rolldown'
import type { Engine, EngineInput, EngineOutput, MemoryFiles, OutputFile, SourceTransform } from './types.js'
import { loaderForPath } from './types.js'

export interface RolldownModule {
  rolldown: typeof rolldownFn
  VERSION: string
}

/**
 * An in-memory project's resolver, ahead of the other plugins (the core resolved the project's
 * imports already), and its loader, after them: a file is read from `files` only when no plugin
 * loads it, as Vite reads from disk last, so the app pipeline's loaders (pages, asset imports)
 * see in-memory files as they see files on disk.
 */
function filesPlugins(files: MemoryFiles, external: string[]): { resolver: Plugin; loader: Plugin } {
  return {
    resolver: {
      name: 'nexxo:files-resolve',
      resolveId(source, importer) {
        if (external.includes(source)) return { id: source, external: true }
        if (!importer) return files.read(source) === undefined ? null : source
        // Unresolved here may be a plugin's to answer (a virtual module, an alias); imports nothing
        // answers for were reported, located, before the build started.
        return files.resolve(source, importer)
      },
    },
    loader: {
      name: 'nexxo:files-load',
      load(id) {
        const code = files.read(id)
        if (code === undefined) return null
        if (files.isBinary(id)) {
          return this.error({
            message: `${id.slice(1)} is a binary file, which only an asset import can take: give it an asset extension (.png, .woff2, …) or import it with '?url' or '?inline'.`,
            id,
          })
        }
        const loader = loaderForPath(id)
        // The text itself, so a plugin's transform sees the file (a YAML plugin its YAML); rolldown
        // makes it a string module if none does.
        return loader === 'text' ? { code, moduleType: 'text' } : code
      },
    },
  }
}

/** Modules `transform` rewrites before rolldown parses them; the filters keep the rest native. */
function transformPlugin(transform: SourceTransform): Plugin {
  return {
    name: 'nexxo:transform',
    transform: {
      filter: { id: { include: transform.id, exclude: /\/node_modules\// }, code: transform.code },
      async handler(code, id) {
        const out = await transform.apply(code, id)
        return out ? { code: out.code, ...(out.map ? { map: out.map } : {}), moduleType: 'js' } : null
      },
    },
  }
}

/**
 * An output whose code (and map) rolldown hands over only when read: a large build's code and
 * source map, written by rolldown itself, need never become JS strings.
 */
function lazyOutput(
  meta: Omit<OutputFile, 'code' | 'map'>,
  code: () => OutputFile['code'],
  map?: () => string,
): OutputFile {
  const out = meta as OutputFile
  const once = <T>(read: () => T) => {
    let value: T | undefined
    return () => {
      value ??= read()
      return value
    }
  }
  Object.defineProperty(out, 'code', { get: once(code), enumerable: true, configurable: true })
  if (map) Object.defineProperty(out, 'map', { get: once(map), enumerable: true, configurable: true })
  return out
}

export function createRolldownEngine(mod: RolldownModule, packageName: string, maxImportDepth: number): Engine {
  return {
    name: 'rolldown',
    packageName,
    version: mod.VERSION,
    maxImportDepth,
    async build(input: EngineInput): Promise<EngineOutput> {
      const plugins: Plugin[] = [...((input.plugins ?? []) as Plugin[])]
      if (input.sourceTransform) plugins.unshift(transformPlugin(input.sourceTransform))
      if (input.files) {
        const { resolver, loader } = filesPlugins(input.files, input.external)
        plugins.unshift(resolver)
        plugins.push(loader)
      }
      const bundle = await mod.rolldown({
        input: input.entries,
        cwd: input.cwd,
        platform: 'browser',
        external: input.external,
        // Plugin warnings (a missing `url()`, say) reach the user; rolldown's own stay quiet, as before.
        logLevel: input.onWarning ? 'warn' : 'silent',
        ...(input.onWarning
          ? {
              onLog(level: string, log: { plugin?: string; message: string; id?: string }) {
                if (level === 'warn' && log.plugin)
                  input.onWarning!({ message: log.message, ...(log.id ? { id: log.id } : {}) })
              },
            }
          : {}),
        transform: {
          define: input.define,
          ...(input.target ? { target: input.target } : {}),
          ...(input.jsx ? { jsx: input.jsx } : {}),
        },
        // In-memory projects must not pick up a tsconfig.json from the real disk.
        ...(input.files ? { tsconfig: false } : {}),
        ...(input.alias || input.conditions
          ? {
              resolve: {
                ...(input.alias ? { alias: input.alias } : {}),
                // The list replaces rolldown's own, so the browser's conditions come with it.
                ...(input.conditions
                  ? { conditionNames: [...input.conditions, 'module', 'browser', 'import', 'default'] }
                  : {}),
              },
            }
          : {}),
        plugins,
      })
      try {
        const outputOptions = {
          format: input.format,
          ...(input.splitting ? {} : { codeSplitting: false }),
          minify: input.minify,
          sourcemap: input.sourcemap,
          entryFileNames: input.entryFileNames,
          chunkFileNames: input.chunkFileNames,
          assetFileNames: input.assetFileNames,
        }
        const running = input.writeTo
          ? bundle.write({ ...outputOptions, dir: input.writeTo })
          : bundle.generate(outputOptions)
        input.onBusy?.()
        const { output } = await running
        const outputs: OutputFile[] = []
        // Modules that reached the output, plus what the plugins name (CSS modules, whose JS
        // stand-ins render nothing). Asking rolldown for every graph id instead costs 3% of a large build.
        const moduleIds = new Set<string>(input.extraModuleIds?.())
        const items = output as (OutputChunk | OutputAsset)[]
        // A chunk's map arrives twice, as `chunk.map` and as an asset; a stylesheet's map only as an asset.
        // Which chunks have one is read off the asset names: asking a chunk for its map makes the map.
        const assetNames = new Set(items.flatMap((i) => (i.type === 'asset' ? [i.fileName] : [])))
        const chunkMaps = new Set(
          items.flatMap((i) =>
            i.type === 'chunk' && assetNames.has(`${i.fileName}.map`) ? [`${i.fileName}.map`] : [],
          ),
        )
        for (const item of items) {
          if (item.type === 'chunk') {
            for (const id of item.moduleIds) moduleIds.add(id)
            outputs.push(
              lazyOutput(
                {
                  fileName: item.fileName,
                  type: 'chunk',
                  isEntry: item.isEntry,
                  ...(item.facadeModuleId ? { facadeModuleId: item.facadeModuleId } : {}),
                  ...(item.imports.length > 0 ? { imports: item.imports } : {}),
                },
                () => item.code,
                chunkMaps.has(`${item.fileName}.map`) ? () => item.map!.toString() : undefined,
              ),
            )
          } else if (!chunkMaps.has(item.fileName)) {
            const original = item.originalFileNames[0]
            outputs.push(
              lazyOutput(
                { fileName: item.fileName, type: 'asset', ...(original ? { originalFileName: original } : {}) },
                () => item.source,
              ),
            )
          }
        }
        return {
          outputs,
          moduleIds: [...moduleIds].filter((id) => !id.startsWith('\0') && !id.startsWith('rolldown:')),
          watchFiles: input.files ? [] : await bundle.watchFiles,
          ...(input.writeTo ? { written: true } : {}),
        }
      } finally {
        await bundle.close()
      }
    },
  }
}
