// esbuild, native (`esbuild`) or wasm (`esbuild-wasm`): one adapter, the module passed in.

import type * as esbuild from 'esbuild'
import { toBase64 } from '../bytes.js'
import { DEFAULT_HOOK_TIMEOUT_MS } from '../plugin/container.js'
import type { NexxoPlugin } from '../plugin/types.js'
import { rollupPluginsForEsbuild } from './esbuild-plugins.js'
import type { Engine, EngineInput, EngineOutput, MemoryFiles, OutputFile, SourceTransform } from './types.js'
import { loaderForPath } from './types.js'

export type EsbuildModule = Pick<typeof esbuild, 'build' | 'version'> & { stop?: () => void }

/** `contents` as esbuild should load it: rewritten by `transform` (with an inline map) or as is. */
async function transformed(
  contents: string,
  path: string,
  transform: SourceTransform | undefined,
  loader: esbuild.Loader = loaderForPath(path),
): Promise<esbuild.OnLoadResult> {
  const out =
    loader === 'css' || loader === 'json' || loader === 'text' ? undefined : await transform?.apply(contents, path)
  if (!out) return { contents, loader }
  const map = out.map
    ? `\n//# sourceMappingURL=data:application/json;base64,${toBase64(new TextEncoder().encode(out.map))}`
    : ''
  return { contents: out.code + map, loader: 'js' }
}

/** Disk builds: modules `transform` may rewrite are read here, the rest by esbuild. */
function transformPlugin(transform: SourceTransform, read: (path: string) => string | undefined): esbuild.Plugin {
  return {
    name: 'nexxo:transform',
    setup(build) {
      build.onLoad({ filter: transform.id, namespace: 'file' }, async (args) => {
        if (args.path.includes('/node_modules/')) return undefined
        const contents = read(args.path)
        return contents === undefined ? undefined : transformed(contents, args.path, transform)
      })
    },
  }
}

function filesPlugin(files: MemoryFiles, external: string[], transform: SourceTransform | undefined): esbuild.Plugin {
  return {
    name: 'nexxo:files',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return files.read(args.path) === undefined ? undefined : { path: args.path }
        if (external.includes(args.path)) return { path: args.path, external: true }
        const id = files.resolve(args.path, args.importer)
        if (id === null)
          return { errors: [{ text: `Could not resolve '${args.path}' from '${args.importer.slice(1)}'` }] }
        return { path: id }
      })
      build.onLoad({ filter: /.*/ }, (args) => {
        const contents = files.read(args.path)
        if (contents === undefined) return undefined
        if (files.isBinary(args.path)) {
          return {
            errors: [
              {
                text: `${args.path.slice(1)} is a binary file: asset imports need the rolldown engine (the esbuild engine has no asset pipeline yet).`,
              },
            ],
          }
        }
        return transformed(contents, args.path, transform)
      })
    },
  }
}

/** esbuild names outputs without their extension: `assets/[name]-[hash].js` -> `assets/[name]-[hash]`. */
const withoutExt = (pattern: string) => pattern.replace(/\.(js|mjs|cjs)$/, '').replace(/\[extname\]|\[ext\]/g, '')

export function createEsbuildEngine(mod: EsbuildModule, packageName: string, maxImportDepth: number): Engine {
  return {
    name: 'esbuild',
    packageName,
    version: mod.version,
    maxImportDepth,
    async build(input: EngineInput): Promise<EngineOutput> {
      const outdir = `${input.cwd.replace(/\/$/, '')}/.nexxo-out`
      const emitted: OutputFile[] = []
      const { files, readSource } = input
      const userPlugins = input.plugins?.length
        ? rollupPluginsForEsbuild(input.plugins as NexxoPlugin[], {
            cwd: input.cwd.replace(/\/$/, '') || '/',
            read: files ? (path) => files.read(path) : (path) => readSource?.(path),
            ...(files ? { resolve: (specifier: string, importer: string) => files.resolve(specifier, importer) } : {}),
            warn: (message, id) => input.onWarning?.({ message, ...(id ? { id } : {}) }),
            finish: (contents, path, loader) => transformed(contents, path, input.sourceTransform, loader),
            assets: emitted,
            timeoutMs: input.pluginTimeout ?? DEFAULT_HOOK_TIMEOUT_MS,
          })
        : undefined
      const ownPlugins = files
        ? [filesPlugin(files, input.external, input.sourceTransform)]
        : input.sourceTransform && readSource
          ? [transformPlugin(input.sourceTransform, readSource)]
          : []
      const result = await mod.build({
        entryPoints: input.entries,
        absWorkingDir: input.cwd,
        bundle: true,
        write: false,
        outdir,
        format: input.format,
        splitting: input.format === 'esm' && input.splitting,
        minify: input.minify,
        sourcemap: input.sourcemap ? 'linked' : false,
        platform: 'browser',
        ...(input.conditions ? { conditions: [...input.conditions, 'module'] } : {}),
        // The automatic runtime, as rolldown (oxc) and Vite default to: no `React` in scope needed.
        jsx: 'automatic',
        ...(input.jsx ? { jsxImportSource: input.jsx.importSource } : {}),
        // No browser or Node runs standard decorators yet, whatever the target: always lower them.
        supported: { decorators: false },
        define: input.define,
        external: input.external,
        entryNames: withoutExt(input.entryFileNames),
        chunkNames: withoutExt(input.chunkFileNames),
        assetNames: withoutExt(input.assetFileNames),
        metafile: true,
        logLevel: 'silent',
        ...(input.target ? { target: input.target.split(',') } : {}),
        plugins: userPlugins ? [userPlugins, ...ownPlugins] : ownPlugins,
      })
      const maps = new Map<string, string>()
      const outputs: OutputFile[] = []
      const entryOutputs = new Set(
        Object.entries(result.metafile.outputs)
          .filter(([, o]) => o.entryPoint !== undefined)
          .map(([path]) => path),
      )
      for (const file of result.outputFiles) {
        const fileName = file.path.slice(outdir.length + 1).replace(/\\/g, '/')
        if (fileName.endsWith('.map')) {
          maps.set(fileName.slice(0, -4), file.text)
        } else if (/\.[cm]?js$/.test(fileName)) {
          const isEntry = [...entryOutputs].some((p) => p.endsWith(fileName))
          outputs.push({ fileName, type: 'chunk', code: file.text, isEntry })
        } else {
          outputs.push({ fileName, type: 'asset', code: fileName.endsWith('.css') ? file.text : file.contents })
        }
      }
      outputs.push(...emitted)
      for (const out of outputs) {
        const map = maps.get(out.fileName)
        if (map) out.map = map
      }
      const inputs = Object.keys(result.metafile.inputs)
      return {
        outputs,
        moduleIds: inputs,
        watchFiles: input.files
          ? []
          : inputs.map((p) => (p.startsWith('/') ? p : `${input.cwd.replace(/\/$/, '')}/${p}`)),
      }
    },
    async close() {
      mod.stop?.()
    },
  }
}
