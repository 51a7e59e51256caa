// nexxo/solid: Solid's JSX through Solid's own compiler, Babel with `babel-preset-solid` (DOM
// output, `generate: 'dom'`), as vite-plugin-solid runs it; in dev, solid-refresh's Babel plugin
// adds its HMR (Vite's `import.meta.hot`, which nexxo dev implements). TypeScript is parsed, not
// stripped: the engine strips it after, as it does for any `.tsx`.

import type { NexxoPlugin } from '../plugin/types.js'
import { projectCompiler } from './compiler.js'
import { workerSide } from './worker-side.js'

/** The part of `@babel/core` this plugin calls. */
interface Babel {
  version: string
  transformAsync(code: string, options: object): Promise<{ code?: string | null; map?: unknown } | null>
}

/** Babel and the two Solid pieces it runs: what a browser worker bundles itself. */
export interface SolidCompiler {
  babel: Babel
  /** `babel-preset-solid`. */
  preset: unknown
  /** `solid-refresh/babel`, for dev. */
  refresh?: unknown
}

export interface SolidOptions {
  /** Default: `@babel/core`, `babel-preset-solid` and `solid-refresh/babel` from the project root. */
  compiler?: SolidCompiler
  /** Which files are Solid components. Default: `.jsx` and `.tsx` outside node_modules. */
  include?: RegExp
  /** babel-preset-solid's options (`generate: 'dom'` unless given). */
  solid?: Record<string, unknown>
}

const JSX = /\.[jt]sx$/
/** The plugin's own revision: part of the cache key with the compilers' versions. */
const REVISION = '1'

const defaultOf = (m: unknown) => ((m as { default?: unknown }).default ?? m) as unknown

export default function solid(options: SolidOptions = {}): NexxoPlugin {
  const include = options.include ?? JSX
  let root = typeof process === 'undefined' ? '/' : process.cwd()
  let compiler = options.compiler
  const load = (): SolidCompiler => {
    compiler ??= {
      babel: projectCompiler<Babel>('@babel/core', root, 'nexxo/solid', '@babel/core babel-preset-solid'),
      preset: defaultOf(projectCompiler('babel-preset-solid', root, 'nexxo/solid', 'babel-preset-solid')),
      refresh: defaultOf(projectCompiler('solid-refresh/babel', root, 'nexxo/solid', 'solid-refresh')),
    }
    return compiler
  }
  const plugin: NexxoPlugin = {
    name: 'nexxo:solid',
    get cacheKey() {
      return `${REVISION};@babel/core@${load().babel.version};${JSON.stringify(options.solid ?? {})}`
    },
    configResolved(config) {
      if (typeof config.root === 'string') root = config.root
    },
    transform: {
      filter: { id: include },
      async handler(code, id) {
        const file = id.split('?')[0]!
        if (file.includes('/node_modules/')) return null
        const dev = this.meta.watchMode
        const { babel, preset, refresh } = load()
        let result: Awaited<ReturnType<Babel['transformAsync']>>
        try {
          result = await babel.transformAsync(code, {
            filename: file,
            sourceFileName: file,
            presets: [[preset, { generate: 'dom', hydratable: false, ...options.solid }]],
            plugins: dev && refresh ? [[refresh, { bundler: 'vite' }]] : [],
            parserOpts: { plugins: /\.tsx$/.test(file) ? ['jsx', 'typescript'] : ['jsx'] },
            // Nothing from the disk (no babel.config.js, no .babelrc) and no environment lookups:
            // the same result on Node and in a browser worker.
            configFile: false,
            babelrc: false,
            envName: dev ? 'development' : 'production',
            cwd: root,
            ast: false,
            sourceMaps: true,
          })
        } catch (e) {
          const error = e as Error & { loc?: { line: number; column: number } }
          return this.error({
            // Babel's first line is `<file>: <message> (<line>:<column>)`: the location travels apart.
            message: String(error.message)
              .split('\n')[0]!
              .replace(/^[^:]*: /, '')
              .replace(/ \(\d+:\d+\)$/, ''),
            id: file,
            ...(error.loc ? { loc: { line: error.loc.line, column: error.loc.column } } : {}),
          })
        }
        if (!result?.code) return null
        return { code: result.code, ...(result.map ? { map: result.map as never } : {}) }
      },
    },
  }
  return options.compiler ? plugin : workerSide(plugin, 'solid', { include: options.include, solid: options.solid })
}
