// Rolldown, native (`rolldown`) or wasm (`@rolldown/browser`): the same adapter for both, so that
// the two backends differ only in the module passed in.

import type { OutputAsset, OutputChunk, Plugin, rolldown as rolldownFn } from 'rolldown'
import type { Engine, EngineInput, EngineOutput, MemoryFiles, OutputFile } from './types.js'
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

/**
 * Rolldown 1.0 removed CSS bundling; this plugin keeps CSS imports working: each CSS module becomes
 * an empty JS module, and each entry chunk gets one stylesheet with its CSS in evaluation order
 * (depth-first over static imports, as the browser would apply `<link>`s in that order), followed
 * by the CSS of dynamically imported modules: loaded eagerly rather than lost, as no runtime here
 * injects stylesheets for lazy chunks yet.
 */
function cssPlugin(): Plugin {
  const styles = new Map<string, string>()
  return {
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
    generateBundle(_options, bundle) {
      // The walk asks rolldown for every module's info; apps without CSS should not pay for it.
      if (styles.size === 0) return
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !chunk.isEntry || !chunk.facadeModuleId) continue
        const css: string[] = []
        const seen = new Set<string>()
        const stack: [string, number][] = [[chunk.facadeModuleId, 0]]
        seen.add(chunk.facadeModuleId)
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
        this.emitFile({ type: 'asset', fileName: chunk.fileName.replace(/\.[cm]?js$/, '.css'), source: css.join('\n') })
      }
    },
  }
}

export function createRolldownEngine(mod: RolldownModule, packageName: string, maxImportDepth: number): Engine {
  return {
    name: 'rolldown',
    packageName,
    version: mod.VERSION,
    maxImportDepth,
    async build(input: EngineInput): Promise<EngineOutput> {
      // Every module in the graph, including those that render no code (chunk.moduleIds omits them).
      let graphIds: string[] = []
      const plugins: Plugin[] = [
        cssPlugin(),
        {
          name: 'nexxo:module-ids',
          buildEnd() {
            graphIds = [...this.getModuleIds()]
          },
        },
      ]
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
          minify: input.minify,
          sourcemap: input.sourcemap,
          entryFileNames: input.entryFileNames,
          chunkFileNames: input.chunkFileNames,
          assetFileNames: input.assetFileNames,
        })
        const outputs: OutputFile[] = []
        for (const item of output as (OutputChunk | OutputAsset)[]) {
          if (item.type === 'chunk') {
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
        return { outputs, moduleIds: graphIds.filter((id) => !id.startsWith('\0') && !id.startsWith('rolldown:')) }
      } finally {
        await bundle.close()
      }
    },
  }
}
