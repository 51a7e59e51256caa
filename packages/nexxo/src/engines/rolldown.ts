// Rolldown, native (`rolldown`) or wasm (`@rolldown/browser`): the same adapter for both, so that
// the two backends differ only in the module passed in.

import type { OutputAsset, OutputChunk, Plugin, rolldown as rolldownFn } from 'rolldown'
import type { Engine, EngineInput, EngineOutput, MemoryFiles, OutputFile, SourceTransform } from './types.js'
import { loaderForPath } from './types.js'

export interface RolldownModule {
  rolldown: typeof rolldownFn
  VERSION: string
}

function filesPlugin(files: MemoryFiles, external: string[]): Plugin {
  return {
    name: 'nexxo:files',
    resolveId(source, importer) {
      if (external.includes(source)) return { id: source, external: true }
      if (!importer) return files.read(source) === undefined ? null : source
      const id = files.resolve(source, importer)
      if (id === null) this.error(`Could not resolve '${source}' from '${importer.slice(1)}'`)
      return id
    },
    load(id) {
      const code = files.read(id)
      if (code === undefined) return null
      const loader = loaderForPath(id)
      return loader === 'text' ? { code: `export default ${JSON.stringify(code)}`, moduleType: 'js' } : code
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
 * Rolldown 1.0 removed CSS bundling; this plugin keeps CSS imports working: each CSS module becomes
 * an empty JS module, and each entry gets one stylesheet (`[name].css` through `assetFileNames`)
 * with its CSS in evaluation order (depth-first over static imports, as the browser would apply
 * `<link>`s in that order), followed by the CSS of dynamically imported modules: loaded eagerly
 * rather than lost, as no runtime here injects stylesheets for lazy chunks yet.
 *
 * It works in `buildEnd`, not `generateBundle`: the mere presence of a `generateBundle` hook made
 * rolldown hand the whole bundle to JS, 5% of a react-10k build.
 */
function cssPlugin(entries: string[]): { plugin: Plugin; styles: Map<string, string> } {
  const styles = new Map<string, string>()
  const plugin: Plugin = {
    name: 'nexxo:css',
    // The filter keeps rolldown from calling into JS for every other module: that crossing, not
    // the work, is what a plugin costs a native bundler.
    transform: {
      filter: { id: /\.css$/ },
      handler(code, id) {
        styles.set(id, code)
        return { code: 'export {}', moduleType: 'js', moduleSideEffects: true }
      },
    },
    async buildEnd(error) {
      if (error || styles.size === 0) return
      for (const entry of entries) {
        const facade = (await this.resolve(entry))?.id
        if (!facade) continue
        const css: string[] = []
        const seen = new Set<string>([facade])
        const stack: [string, number][] = [[facade, 0]]
        while (stack.length > 0) {
          const top = stack[stack.length - 1]!
          const info = this.getModuleInfo(top[0])
          const deps = info ? [...info.importedIds, ...info.dynamicallyImportedIds] : []
          if (top[1] < deps.length) {
            const dep = deps[top[1]++]!
            if (!seen.has(dep)) {
              seen.add(dep)
              stack.push([dep, 0])
            }
          } else {
            stack.pop()
            const style = styles.get(top[0])
            if (style !== undefined) css.push(style)
          }
        }
        if (css.length === 0) continue
        const name = `${entry.slice(entry.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '')}.css`
        this.emitFile({ type: 'asset', name, source: css.join('\n') })
      }
    },
  }
  return { plugin, styles }
}

export function createRolldownEngine(mod: RolldownModule, packageName: string, maxImportDepth: number): Engine {
  return {
    name: 'rolldown',
    packageName,
    version: mod.VERSION,
    maxImportDepth,
    async build(input: EngineInput): Promise<EngineOutput> {
      const css = cssPlugin(input.entries)
      const plugins: Plugin[] = [css.plugin]
      if (input.sourceTransform) plugins.unshift(transformPlugin(input.sourceTransform))
      if (input.files) plugins.unshift(filesPlugin(input.files, input.external))
      const bundle = await mod.rolldown({
        input: input.entries,
        cwd: input.cwd,
        platform: 'browser',
        external: input.external,
        logLevel: 'silent',
        transform: { define: input.define, ...(input.target ? { target: input.target } : {}) },
        // In-memory projects must not pick up a tsconfig.json from the real disk.
        ...(input.files ? { tsconfig: false } : {}),
        plugins,
      })
      try {
        const { output } = await bundle.generate({
          format: input.format,
          ...(input.splitting ? {} : { codeSplitting: false }),
          minify: input.minify,
          sourcemap: input.sourcemap,
          entryFileNames: input.entryFileNames,
          chunkFileNames: input.chunkFileNames,
          assetFileNames: input.assetFileNames,
        })
        const outputs: OutputFile[] = []
        // Modules that reached the output, plus the CSS modules (whose JS stand-ins render nothing).
        // Asking rolldown for every graph id instead costs 3% of a large build.
        const moduleIds = new Set<string>(css.styles.keys())
        for (const item of output as (OutputChunk | OutputAsset)[]) {
          if (item.type === 'chunk') {
            for (const id of item.moduleIds) moduleIds.add(id)
            outputs.push({
              fileName: item.fileName,
              type: 'chunk',
              code: item.code,
              isEntry: item.isEntry,
              ...(item.map ? { map: item.map.toString() } : {}),
            })
          } else if (!item.fileName.endsWith('.map')) {
            outputs.push({ fileName: item.fileName, type: 'asset', code: item.source })
          }
        }
        return {
          outputs,
          moduleIds: [...moduleIds].filter((id) => !id.startsWith('\0') && !id.startsWith('rolldown:')),
          watchFiles: input.files ? [] : await bundle.watchFiles,
        }
      } finally {
        await bundle.close()
      }
    },
  }
}
