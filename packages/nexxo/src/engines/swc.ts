// @swc/wasm-web does what the bundling engines cannot:
// - ES5: both engines stop at ES2015, so `target: 'es5'` builds at es2015 and swc takes each output
//   chunk the rest of the way (classes, arrows, spread, async functions, template literals);
// - decorators: TypeScript's legacy ones (`experimentalDecorators`, with `emitDecoratorMetadata`)
//   on both engines, and standard ones on rolldown, which leaves them in its output untouched.
// The same wasm runs in Node, browsers and edge runtimes, so every backend gives the same bytes.

import swcManifest from '@swc/wasm-web/package.json' with { type: 'json' }
import { NexxoError } from '../errors.js'
import type { OutputFile, OutputOptions, SourceTransform } from './types.js'

/** The part of @swc/wasm-web this module calls. */
export interface SwcModule {
  transformSync(code: string, options: object): { code: string; map?: string }
}

export const SWC_PACKAGE = '@swc/wasm-web'
export const SWC_VERSION: string = swcManifest.version

/** swc, loaded on the first build that needs it; its version is known before (cache keys). */
export interface SwcLoader {
  readonly packageName: string
  readonly version: string
  load(): Promise<SwcModule>
}

/**
 * swc's loader for one home: `wasm` gives its `wasm_bg.wasm` (bytes in Node, a URL in browsers, a
 * compiled module at the edge).
 * The module is compiled on the first load and kept; a failed load is retried by the next build.
 */
export function swcLoader(wasm: () => Promise<BufferSource | URL | WebAssembly.Module>): SwcLoader {
  let loaded: Promise<SwcModule> | undefined
  return {
    packageName: SWC_PACKAGE,
    version: SWC_VERSION,
    load() {
      loaded ??= (async () => {
        const swc = await import('@swc/wasm-web')
        await swc.default({ module_or_path: await wasm() })
        return swc
      })().catch((e: unknown) => {
        loaded = undefined
        const reason = e instanceof Error ? e.message.split('\n')[0] : String(e)
        throw NexxoError.single('BACKEND_UNAVAILABLE', `${SWC_PACKAGE}@${SWC_VERSION} could not load: ${reason}`)
      })
      return loaded
    },
  }
}

/** TypeScript's types stripped, nothing else lowered (`.svelte.ts` modules, which Svelte reads as JavaScript). */
export async function stripTypes(swc: SwcLoader, code: string, id: string): Promise<string> {
  const compiler = await swc.load()
  return compiler.transformSync(code, {
    filename: id,
    isModule: true,
    jsc: { target: 'esnext', parser: { syntax: 'typescript' }, transform: { verbatimModuleSyntax: false } },
  }).code
}

const SOURCE_MAP_COMMENT = /\n?\/\/# sourceMappingURL=\S+\s*$/

/** The chunks of `outputs` lowered to ES5; assets pass through. */
export function lowerToEs5(
  swc: SwcModule,
  outputs: OutputFile[],
  options: Pick<OutputOptions, 'format' | 'minify' | 'sourcemap'>,
): OutputFile[] {
  return outputs.map((output) => {
    if (output.type !== 'chunk' || typeof output.code !== 'string') return output
    const linked = SOURCE_MAP_COMMENT.test(output.code)
    const withMap = options.sourcemap && output.map !== undefined
    let lowered: { code: string; map?: string }
    try {
      lowered = swc.transformSync(output.code.replace(SOURCE_MAP_COMMENT, ''), {
        filename: output.fileName,
        // esm keeps its import/export statements: swc lowers everything else.
        isModule: options.format === 'esm',
        jsc: {
          target: 'es5',
          parser: { syntax: 'ecmascript' },
          // Helpers are inlined per chunk: an import of @swc/helpers would be a dependency the
          // bundle does not have.
          externalHelpers: false,
          ...(options.minify ? { minify: { compress: true, mangle: true } } : {}),
        },
        minify: options.minify,
        sourceMaps: withMap,
        ...(withMap ? { inputSourceMap: output.map } : {}),
      })
    } catch (e) {
      throw NexxoError.single(
        'LOWERING_FAILED',
        `SwcLoader ${output.fileName} to ES5 with @swc/wasm-web failed: ${e instanceof Error ? e.message : String(e)}`,
      )
    }
    const name = output.fileName.slice(output.fileName.lastIndexOf('/') + 1)
    const code = linked && withMap ? `${lowered.code}\n//# sourceMappingURL=${name}.map\n` : lowered.code
    const { map: _old, ...rest } = output
    return { ...rest, code, ...(withMap && lowered.map ? { map: lowered.map } : {}) }
  })
}

/**
 * Decorators compiled before the engine parses the module. Only the project's own modules are
 * asked (packages ship compiled code), and only those with what looks like a decorator outside a
 * comment line; swc loads on the first such module, so a project without decorators never fetches
 * it. A module swc cannot parse is left to the engine, which reports the syntax error with its
 * place and frame.
 */
/** An `@name` outside a comment line, a string or an email-like word: what a decorator looks like. */
const DECORATED = /^(?![ \t]*(?:\*|\/\/)).*?(?:^|[^\w$.'"`@])(?<!\/\*\s*)@[A-Za-z_$]/m

export function decoratorTransform(swc: () => Promise<SwcModule>, mode: 'standard' | 'legacy'): SourceTransform {
  return {
    id: /\.[cm]?[jt]sx?$/,
    // A plain pre-filter the engine runs natively; DECORATED itself as rolldown's code filter made
    // native react-1k builds 15-20% slower (266 vs 218 ms median). It skips an `@` that only
    // follows `*` and blanks, JSDoc's ` * @param`, which otherwise sent nearly every module of
    // three.js (3,691 in three10x) across into JS for DECORATED to turn down.
    code: /(?:^|[^*\s])[ \t]*@[A-Za-z_$]/m,
    async apply(source, id) {
      if (id.includes('/node_modules/') || !DECORATED.test(source)) return undefined
      const ts = /\.[cm]?tsx?$/.test(id)
      const jsx = /x$/.test(id)
      const options = {
        filename: id,
        isModule: true,
        sourceMaps: true,
        jsc: {
          // Decorators, types and JSX only: the engine lowers the rest to the build's target.
          target: 'esnext',
          parser: ts
            ? { syntax: 'typescript', tsx: jsx, decorators: true }
            : { syntax: 'ecmascript', jsx, decorators: true },
          transform: {
            ...(mode === 'legacy' ? { legacyDecorator: true, decoratorMetadata: ts } : { decoratorVersion: '2022-03' }),
            // The engines' JSX: the automatic runtime.
            ...(jsx ? { react: { runtime: 'automatic' } } : {}),
          },
        },
      }
      const compiler = await swc()
      try {
        return compiler.transformSync(source, options)
      } catch {
        return undefined
      }
    },
  }
}
