// The scan of an in-memory project as the engine will meet it once the plugins have run. Two things
// only the plugins know: which imports they answer for (a virtual module, an alias), and what a
// file no scanner reads (`.vue`, `.svelte`) compiles to; that output imports what the compiler
// writes (`vue`, `svelte/internal/client`) and the components it names, which must be installed,
// resolved and hashed into the cache key like the app's own imports.

import type { Core, Project } from '../core/core.js'
import { hookRunner } from '../plugin/hooks.js'
import type { NexxoPlugin } from '../plugin/types.js'
import { engineError } from './diagnostics.js'
import { memoryFiles, memoryKey } from './files.js'
import type { NormalizedBuild } from './options.js'

/** What the core scans itself (`Lang::from_path` in the core). */
const SCANNED = /\.(?:[mc]?[jt]s|[jt]sx|css)$/
const LANGS = new Set(['js', 'jsx', 'ts', 'tsx', 'css'])

interface Compiled {
  /** The source it was compiled from: an edit of the file compiles it again. */
  source: string
  code: string
  /** The language to scan it as, when its extension does not say. */
  lang?: string
}

export interface PluginScanner {
  /** The project of `files`, with plugin-compiled files scanned as their output. */
  scan(files: Record<string, string>): Promise<Project>
  /** Whether a plugin's `resolveId` answered for `specifier` in a scan so far. */
  claims(specifier: string): boolean
  /** The plugin output a module was scanned as, if a plugin compiled it. */
  compiled(id: string): string | undefined
}

export function pluginScanner(
  core: Core,
  entries: string[],
  plugins: NexxoPlugin[],
  build: NormalizedBuild,
): PluginScanner {
  const compiled = new Map<string, Compiled>()
  /** Sources no plugin changed, by file: not offered again until edited. */
  const untouched = new Map<string, string>()
  const claimed = new Set<string>()
  /** Specifiers already offered to the plugins' resolveId, claimed or not. */
  const asked = new Set<string>()

  async function scan(files: Record<string, string>): Promise<Project> {
    const view = () => memoryFiles(files, core.projectFromFiles(files, entries), core)
    let resolver: ReturnType<typeof view> | undefined
    const hooks = hookRunner(plugins, {
      timeoutMs: build.pluginTimeout,
      warn: () => {},
      resolveDefault: async (specifier, importer) => {
        resolver ??= view()
        const id = importer ? resolver.resolve(specifier, importer) : null
        return id === null ? null : { id, external: false }
      },
    })
    for (;;) {
      const overlay = { ...files }
      const langs: Record<string, string> = {}
      for (const [key, c] of compiled) {
        if (files[key] !== c.source) continue
        overlay[key] = c.code
        if (c.lang) langs[key] = c.lang
      }
      const project = core.projectFromFiles(overlay, entries, langs)
      let changed = false
      for (const m of project.modules) {
        if (!m.reachable) continue
        if (hooks.resolves) {
          for (const imp of m.imports) {
            if (imp.resolved || imp.typeOnly || asked.has(imp.specifier) || build.external.includes(imp.specifier))
              continue
            asked.add(imp.specifier)
            if (await hooks.resolveId(imp.specifier, `/${m.id}`)) claimed.add(imp.specifier)
          }
        }
        const source = files[m.id]
        // Every module a plugin may change, scripts too: a `.svelte.ts` runes module compiles to
        // imports of Svelte's runtime that its source does not have.
        if (source === undefined || (!hooks.loads && !hooks.transforms)) continue
        if (compiled.get(m.id)?.source === source || untouched.get(m.id) === source) continue
        const out = await compile(hooks, m.id, source, files)
        if (out) {
          compiled.set(m.id, out)
          changed = true
        } else {
          untouched.set(m.id, source)
        }
      }
      if (!changed) return project
    }
  }

  return {
    scan,
    claims: (specifier) => claimed.has(specifier),
    compiled: (id) => compiled.get(id)?.code,
  }
}

/** A file through the plugins' load and transform, or undefined when no plugin changed it. */
async function compile(
  hooks: ReturnType<typeof hookRunner>,
  key: string,
  source: string,
  files: Record<string, string>,
): Promise<Compiled | undefined> {
  const id = `/${key}`
  try {
    const loaded = await hooks.load(id)
    const out = await hooks.transform(loaded ?? source, id)
    if (loaded === null && out.code === source) return undefined
    // What the plugin said it is; else a script stays what its extension says, anything else became JavaScript.
    const lang = out.moduleType && LANGS.has(out.moduleType) ? out.moduleType : SCANNED.test(key) ? undefined : 'js'
    return { source, code: out.code, ...(lang ? { lang } : {}) }
  } catch (e) {
    // As the engine reports a plugin's error: located in the file when the plugin said where.
    throw engineError({ errors: [e] }, 'rolldown', { read: (file) => files[memoryKey(file)], display: memoryKey }, '/')
  }
}
