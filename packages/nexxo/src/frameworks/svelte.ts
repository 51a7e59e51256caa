// nexxo/svelte: Svelte 5 components and runes modules through Svelte's own compiler
// (`svelte/compiler`, from the `svelte` the app has), as @sveltejs/vite-plugin-svelte compiles
// them: `.svelte` files to client JavaScript with their `<style>` emitted as a stylesheet of the
// graph (so nexxo's lightningcss path lowers and minifies it), `.svelte.ts` / `.svelte.js` runes
// modules, and in dev Svelte's built-in HMR (`hmr: true`), which keeps component state.

import type * as SvelteCompiler from 'svelte/compiler'
import type { NexxoPlugin } from '../plugin/types.js'
import { nodeRequire, projectCompiler } from './compiler.js'
import { workerSide } from './worker-side.js'

type Compiler = typeof SvelteCompiler

export interface SvelteOptions {
  /**
   * Svelte's compiler. Default: `svelte/compiler` from the project root; in nexxo/browser, the one
   * its build worker ships (a compiler given here runs on the page instead).
   */
  compiler?: Compiler
  /**
   * Strips TypeScript from a `.svelte.ts` module before Svelte compiles it (Svelte reads
   * JavaScript there). Default: oxc-transform on Node and Bun (nexxo already carries it), swc in
   * nexxo/browser's worker.
   */
  stripTypes?: (code: string, id: string) => string | Promise<string>
}

const COMPONENT = /\.svelte$/
const MODULE = /\.svelte\.[jt]s$/
const STYLE = /\?svelte&type=style&lang\.css$/
/** The plugin's own revision: part of the cache key with the compiler's version. */
const REVISION = '1'

interface CompileError {
  message: string
  code?: string
  start?: { line: number; column: number }
}

export default function svelte(options: SvelteOptions = {}): NexxoPlugin {
  let root = typeof process === 'undefined' ? '/' : process.cwd()
  let compiler = options.compiler
  const load = (): Compiler => {
    compiler ??= projectCompiler<Compiler>('svelte/compiler', root, 'nexxo/svelte', 'svelte')
    return compiler
  }
  /** Each component's compiled CSS, served as its stylesheet module. */
  const styles = new Map<string, string>()
  const plugin: NexxoPlugin = {
    name: 'nexxo:svelte',
    get cacheKey() {
      return `${REVISION};svelte/compiler@${load().VERSION}`
    },
    configResolved(config) {
      if (typeof config.root === 'string') root = config.root
    },
    resolveId: {
      filter: { id: STYLE },
      handler: (id) => id,
    },
    load: {
      filter: { id: STYLE },
      handler(id) {
        const file = id.slice(0, id.indexOf('?'))
        const css = styles.get(file)
        if (css === undefined) return this.error(`${file}: no compiled <style> (the component was not compiled first).`)
        return { code: css }
      },
    },
    handleHotUpdate: (ctx) =>
      // The component updates itself (Svelte's HMR); its stylesheet is a module of its own.
      COMPONENT.test(ctx.file) && styles.has(ctx.file)
        ? [...ctx.modules, `${ctx.file}?svelte&type=style&lang.css`]
        : undefined,
    transform: {
      filter: { id: [COMPONENT, MODULE] },
      async handler(code, id) {
        const dev = this.meta.watchMode
        const svelte = load()
        const fail = (e: unknown): never => {
          const error = e as CompileError
          return this.error({
            message: `${error.code ? `${error.code}: ` : ''}${String(error.message).split('\n')[0]}`,
            id,
            ...(error.start ? { loc: { line: error.start.line, column: error.start.column } } : {}),
          })
        }
        if (MODULE.test(id)) {
          const source = id.endsWith('.ts') ? await (options.stripTypes ?? oxcStripTypes)(code, id) : code
          let compiled: ReturnType<Compiler['compileModule']>
          try {
            compiled = svelte.compileModule(source, { filename: id, generate: 'client', dev })
          } catch (e) {
            return fail(e)
          }
          for (const w of compiled.warnings) this.warn(warningText(w))
          return { code: compiled.js.code, map: compiled.js.map, moduleType: 'js' }
        }
        let compiled: ReturnType<Compiler['compile']>
        try {
          compiled = svelte.compile(code, {
            filename: id,
            generate: 'client',
            dev,
            hmr: dev,
            css: 'external',
            // Vite's (and vite-plugin-svelte's) class hash: from the file name, stable across edits.
            cssHash: ({ hash, filename }) => `svelte-${hash(relativeTo(root, filename ?? id))}`,
          })
        } catch (e) {
          return fail(e)
        }
        for (const w of compiled.warnings) this.warn(warningText(w))
        let js = compiled.js.code
        if (compiled.css?.code) {
          styles.set(id, compiled.css.code)
          // Last, so that Svelte's source map still holds (an import is hoisted wherever it is).
          js = `${js}\nimport ${JSON.stringify(`${id}?svelte&type=style&lang.css`)}\n`
        } else {
          styles.delete(id)
        }
        return { code: js, map: compiled.js.map, moduleType: 'js' }
      },
    },
  }
  return options.compiler || options.stripTypes ? plugin : workerSide(plugin, 'svelte', {})
}

const warningText = (w: { code?: string; message: string; start?: { line: number; column: number } }) =>
  `${w.start ? `${w.start.line}:${w.start.column}: ` : ''}${w.code ? `${w.code}: ` : ''}${w.message}`

/**
 * TypeScript stripped by oxc-transform (Node and Bun): what a `.svelte.ts` module needs before
 * Svelte. Required, not imported, so that bundling nexxo/svelte for a page (the playground) never
 * pulls in a native binding; there the worker passes `stripTypes` itself.
 */
async function oxcStripTypes(code: string, id: string): Promise<string> {
  const require = nodeRequire(import.meta.url)
  if (!require) {
    throw new Error(
      `${id}: nexxo/svelte strips TypeScript with oxc-transform on Node and Bun; pass \`stripTypes\` here.`,
    )
  }
  const { transformSync } = require('oxc-transform') as typeof import('oxc-transform')
  const result = transformSync(id, code, { typescript: { onlyRemoveTypeImports: false } })
  if (result.errors.length > 0) throw new Error(`${id}: ${result.errors[0]!.message}`)
  return result.code
}

const relativeTo = (root: string, id: string) => (id.startsWith(`${root}/`) ? id.slice(root.length + 1) : id)
