// nexxo/vue: Vue single-file components through Vue's own compiler (`vue/compiler-sfc`, shipped in
// the `vue` package the app already has), as @vitejs/plugin-vue compiles them: `<script setup>`
// with the template inlined in builds, the template compiled apart in dev (so an edit of it
// re-renders and keeps state), each `<style>` a CSS module of the graph that nexxo's lightningcss
// path compiles (scoped styles rewritten by Vue's compiler first, `<style module>` as a CSS module),
// and Vue's HMR runtime (`__VUE_HMR_RUNTIME__`) driven from `import.meta.hot`.

import type * as CompilerSfc from 'vue/compiler-sfc'
import type { NexxoPlugin } from '../plugin/types.js'
import { projectCompiler, shortHash } from './compiler.js'
import { workerSide } from './worker-side.js'

type Compiler = typeof CompilerSfc
type Descriptor = CompilerSfc.SFCDescriptor

export interface VueOptions {
  /**
   * Vue's SFC compiler. Default: `vue/compiler-sfc` from the project root; in nexxo/browser, the
   * one its build worker ships (a compiler given here runs on the page instead).
   */
  compiler?: Compiler
  /** Which files are components. Default: `/\.vue$/`. */
  include?: RegExp
  /** Vue's compile-time flags (defined in builds), as @vitejs/plugin-vue's `features`. */
  features?: { optionsAPI?: boolean; prodDevtools?: boolean; prodHydrationMismatchDetails?: boolean }
}

const STYLE_QUERY = /\?vue&type=style&index=(\d+)/
/** The plugin's own revision: part of the cache key with the compiler's version. */
const REVISION = '1'

interface Entry {
  descriptor: Descriptor
  /** `data-v-<id>` for scoped styles, `__hmrId` in dev. */
  id: string
}

export default function vue(options: VueOptions = {}): NexxoPlugin {
  const include = options.include ?? /\.vue$/
  let root = typeof process === 'undefined' ? '/' : process.cwd()
  let compiler = options.compiler
  const load = (): Compiler => {
    compiler ??= projectCompiler<Compiler>('vue/compiler-sfc', root, 'nexxo/vue', 'vue')
    return compiler
  }
  const entries = new Map<string, Entry>()
  const features = options.features ?? {}
  const plugin: NexxoPlugin = {
    name: 'nexxo:vue',
    get cacheKey() {
      return `${REVISION};vue/compiler-sfc@${load().version}`
    },
    config: () => ({
      define: {
        __VUE_OPTIONS_API__: JSON.stringify(features.optionsAPI ?? true),
        __VUE_PROD_DEVTOOLS__: JSON.stringify(features.prodDevtools ?? false),
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: JSON.stringify(features.prodHydrationMismatchDetails ?? false),
      },
    }),
    configResolved(config) {
      if (typeof config.root === 'string') root = config.root
    },
    resolveId: {
      filter: { id: STYLE_QUERY },
      handler: (id) => id,
    },
    load: {
      filter: { id: STYLE_QUERY },
      async handler(id) {
        const [file, query] = splitQuery(id)
        const entry = entries.get(file) ?? (await this.load?.({ id: file }), entries.get(file))
        const index = Number(STYLE_QUERY.exec(id)![1])
        const block = entry?.descriptor.styles[index]
        if (!entry || !block) return this.error(`${file}: no <style> block ${index} (query ${query}).`)
        const result = await load().compileStyleAsync({
          source: block.content,
          filename: file,
          id: `data-v-${entry.id}`,
          scoped: block.scoped === true,
          isProd: !this.meta.watchMode,
        })
        if (result.errors.length > 0) {
          const error = result.errors[0] as Error & { line?: number; column?: number }
          return this.error({
            message: `${file}: ${error.message}`,
            id: file,
            ...(error.line ? { loc: { line: block.loc.start.line + error.line - 1, column: error.column ?? 0 } } : {}),
          })
        }
        return { code: result.code }
      },
    },
    handleHotUpdate: async (ctx) =>
      include.test(ctx.file) ? hotModules(load(), entries, ctx.file, await ctx.read(), ctx.modules) : undefined,
    transform: {
      filter: { id: include },
      async handler(code, id) {
        const dev = this.meta.watchMode
        const compiler = load()
        const { descriptor, errors } = compiler.parse(code, { filename: id, sourceMap: false })
        if (errors.length > 0) return this.error(located(id, errors[0]!))
        const entry: Entry = { descriptor, id: await shortHash(relativeTo(root, id) + (dev ? '' : code)) }
        const previous = entries.get(id)
        entries.set(id, entry)
        const out = compileComponent(compiler, entry, id, dev, (e) => this.error(located(id, e)))
        if (dev) out.push(...hmrCode(entry, previous))
        out.push('export default _sfc_main')
        const lang = descriptor.scriptSetup?.lang ?? descriptor.script?.lang
        return { code: out.join('\n'), moduleType: lang === 'ts' || lang === 'tsx' ? lang : 'js' }
      },
    },
  }
  return options.compiler ? plugin : workerSide(plugin, 'vue', { include: options.include, features: options.features })
}

/** The component module's lines up to its default export: script, template, styles, attached fields. */
function compileComponent(
  compiler: Compiler,
  { descriptor, id }: Entry,
  file: string,
  dev: boolean,
  fail: (error: unknown) => never,
): string[] {
  const out: string[] = []
  const scoped = descriptor.styles.some((s) => s.scoped)
  const lang = descriptor.scriptSetup?.lang ?? descriptor.script?.lang
  const expressionPlugins: ('typescript' | 'jsx')[] = lang === 'ts' || lang === 'tsx' ? ['typescript'] : []
  const templateOptions = {
    scoped,
    slotted: descriptor.slotted,
    isProd: !dev,
    // Builds import `/x.png` too (a public file becomes its URL, as in Vite); dev leaves absolute
    // URLs to the server, which serves `public/` at `/`.
    transformAssetUrls: { includeAbsolute: !dev },
    compilerOptions: { ...(scoped ? { scopeId: `data-v-${id}` } : {}), expressionPlugins },
  }
  for (const block of [descriptor.script, descriptor.scriptSetup, descriptor.template, ...descriptor.styles]) {
    if (block?.src) fail(new Error(`<${block.type} src="${block.src}">: external blocks are not supported yet.`))
  }
  // In builds `<script setup>` gets its template inlined (smaller, faster); dev compiles it apart so
  // that a template edit swaps the render function alone.
  const inline = !dev && descriptor.scriptSetup !== null
  let bindings: CompilerSfc.BindingMetadata | undefined
  if (descriptor.script || descriptor.scriptSetup) {
    let script: CompilerSfc.SFCScriptBlock
    try {
      script = compiler.compileScript(descriptor, {
        id,
        isProd: !dev,
        inlineTemplate: inline,
        genDefaultAs: '_sfc_main',
        templateOptions,
      })
    } catch (e) {
      return fail(e)
    }
    bindings = script.bindings
    out.push(script.content)
  } else {
    out.push('const _sfc_main = {}')
  }
  if (descriptor.template && !inline) {
    const template = compiler.compileTemplate({
      ...templateOptions,
      source: descriptor.template.content,
      ast: descriptor.template.ast,
      filename: file,
      id,
      compilerOptions: { ...templateOptions.compilerOptions, ...(bindings ? { bindingMetadata: bindings } : {}) },
    })
    if (template.errors.length > 0) fail(template.errors[0])
    out.push(template.code.replace(/\nexport (function|const) render/, '\n$1 _sfc_render'))
    out.push('_sfc_main.render = _sfc_render')
  }
  const modules: string[] = []
  descriptor.styles.forEach((style, index) => {
    if (style.lang && style.lang !== 'css') {
      fail(
        new Error(
          `<style lang="${style.lang}">: nexxo/vue compiles plain CSS only (no ${style.lang} preprocessor yet).`,
        ),
      )
    }
    const request = JSON.stringify(styleRequest(file, id, style, index))
    if (style.module) {
      const name = style.module === true ? '$style' : style.module
      out.push(`import __style${index} from ${request}`)
      modules.push(`${JSON.stringify(name)}: __style${index}`)
    } else {
      out.push(`import ${request}`)
    }
  })
  if (modules.length > 0) out.push(`_sfc_main.__cssModules = { ${modules.join(', ')} }`)
  if (scoped) out.push(`_sfc_main.__scopeId = ${JSON.stringify(`data-v-${id}`)}`)
  if (dev) out.push(`_sfc_main.__file = ${JSON.stringify(file)}`)
  return out
}

/** The import of a component's style block: a stylesheet (or CSS module) of the graph, by its query. */
const styleRequest = (file: string, id: string, style: CompilerSfc.SFCStyleBlock, index: number) =>
  `${file}?vue&type=style&index=${index}${style.scoped ? `&scoped=${id}` : ''}&lang.${style.module ? 'module.css' : 'css'}`

/**
 * What an edit of a component changes, as @vitejs/plugin-vue decides it: a style block alone is
 * updated as the stylesheet it is (the component and its state untouched); anything else updates
 * the component, which re-renders or reloads itself (hmrCode). A CSS module's class names are the
 * component's too.
 */
function hotModules(compiler: Compiler, entries: Map<string, Entry>, file: string, text: string, main: string[]) {
  const previous = entries.get(file)
  if (!previous) return main
  const { descriptor, errors } = compiler.parse(text, { filename: file, sourceMap: false })
  if (errors.length > 0) return main
  const before = previous.descriptor
  const stylesOnly =
    sameBlock(before.script, descriptor.script) &&
    sameBlock(before.scriptSetup, descriptor.scriptSetup) &&
    sameBlock(before.template, descriptor.template) &&
    before.styles.length === descriptor.styles.length &&
    descriptor.styles.every((s, i) => JSON.stringify(s.attrs) === JSON.stringify(before.styles[i]!.attrs))
  if (!stylesOnly) return main
  const changed = descriptor.styles.flatMap((s, i) => (s.content === before.styles[i]!.content ? [] : [i]))
  if (changed.some((i) => descriptor.styles[i]!.module)) return main
  entries.set(file, { ...previous, descriptor })
  return changed.map((i) => styleRequest(file, previous.id, descriptor.styles[i]!, i))
}

/**
 * Vue's HMR: the component registered under its id; a new version re-renders in place when only
 * its template changed (state kept), else reloads the component (its instances re-created).
 */
function hmrCode({ descriptor, id }: Entry, previous: Entry | undefined): string[] {
  const templateOnly =
    previous !== undefined &&
    sameBlock(previous.descriptor.script, descriptor.script) &&
    sameBlock(previous.descriptor.scriptSetup, descriptor.scriptSetup) &&
    !sameBlock(previous.descriptor.template, descriptor.template)
  return [
    `_sfc_main.__hmrId = ${JSON.stringify(id)}`,
    "typeof __VUE_HMR_RUNTIME__ !== 'undefined' && __VUE_HMR_RUNTIME__.createRecord(_sfc_main.__hmrId, _sfc_main)",
    `export const _rerender_only = ${templateOnly}`,
    'import.meta.hot.accept((mod) => {',
    '  if (!mod) return',
    '  const { default: updated, _rerender_only } = mod',
    '  if (_rerender_only) __VUE_HMR_RUNTIME__.rerender(updated.__hmrId, updated.render)',
    '  else __VUE_HMR_RUNTIME__.reload(updated.__hmrId, updated)',
    '})',
  ]
}

const sameBlock = (a: CompilerSfc.SFCBlock | null, b: CompilerSfc.SFCBlock | null) =>
  a === b ||
  (a !== null && b !== null && a.content === b.content && JSON.stringify(a.attrs) === JSON.stringify(b.attrs))

/**
 * A compiler error as a located Rollup error. Template and parse errors carry Vue's 1-based
 * locations in the file; a script's (Babel's) are relative to its block, but the message's code
 * frame, which compiler-sfc draws over the file, marks the line and column (the last caret).
 */
function located(id: string, error: unknown): { message: string; id: string; loc?: { line: number; column: number } } {
  const e = error as {
    message?: string
    loc?: { start?: { line: number; column: number }; line?: number; column?: number }
  }
  const start = e.loc?.start ?? (e.loc?.line ? frameLocation(String(e.message)) : undefined)
  return {
    message: String(e.message ?? error).split('\n')[0]!,
    id,
    ...(start ? { loc: { line: start.line, column: Math.max(0, start.column - 1) } } : {}),
  }
}

/** The line and (1-based) column of the last `^` in compiler-sfc's frame: `5  |  code` then `   |  ^`. */
function frameLocation(message: string): { line: number; column: number } | undefined {
  const lines = message.split('\n')
  for (let i = lines.length - 1; i > 0; i--) {
    const caret = /^(\s*\|\s\s)(\s*)\^/.exec(lines[i]!)
    const above = /^(\d+)\s*\|/.exec(lines[i - 1]!)
    if (caret && above) return { line: Number(above[1]), column: caret[2]!.length + 1 }
  }
  return undefined
}

const splitQuery = (id: string): [string, string] => {
  const at = id.indexOf('?')
  return at < 0 ? [id, ''] : [id.slice(0, at), id.slice(at)]
}

const relativeTo = (root: string, id: string) => (id.startsWith(`${root}/`) ? id.slice(root.length + 1) : id)
