// The scan of an in-memory project as the engine will meet it once the plugins have run. Two things
// only the plugins know: which imports they answer for (a virtual module, an alias), and what a
// file no scanner reads (`.vue`, `.svelte`) compiles to; that output imports what the compiler
// writes (`vue`, `svelte/internal/client`) and the components it names, which must be installed,
// resolved and hashed into the cache key like the app's own imports.

import type { Core, Project, ScanOptions } from '../core/core.js'
import type { MemoryFiles } from '../engines/types.js'
import { hookRunner } from '../plugin/hooks.js'
import type { NexxoPlugin } from '../plugin/types.js'
import { engineError } from './diagnostics.js'
import { memoryFiles, memoryKey } from './files.js'
import type { NormalizedBuild } from './options.js'

/** What the core scans itself (`Lang::from_path` in the core). */
const SCANNED = /\.(?:[mc]?[jt]s|[jt]sx|css)$/
const LANGS = new Set(['js', 'jsx', 'ts', 'tsx', 'css'])

/** What the plugins made of one file's `source`: `code` when one of them changed it. */
interface Seen {
  source: string
  code?: string
  /** The language to scan `code` as, when the file's extension does not say. */
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
  options: ScanOptions = {},
): PluginScanner {
  /** By file, kept across scans: a file is offered to the plugins again only once edited. */
  const seen = new Map<string, Seen>()
  const claimed = new Set<string>()
  /** Specifiers already offered to the plugins' resolveId, claimed or not. */
  const asked = new Set<string>()

  /** `this.resolve` falls back to the resolution of the latest scan. */
  let resolver: MemoryFiles | undefined
  const hooks = hookRunner(plugins, {
    timeoutMs: build.pluginTimeout,
    warn: () => {},
    resolveDefault: async (specifier, importer) => {
      const id = importer ? (resolver?.resolve(specifier, importer) ?? null) : null
      return id === null ? null : { id, external: false }
    },
  })
  const compiles = hooks.loads || hooks.transforms

  async function scan(files: Record<string, string>): Promise<Project> {
    for (;;) {
      const overlay = { ...files }
      const langs: Record<string, string> = {}
      for (const [key, file] of seen) {
        if (file.code === undefined || files[key] !== file.source) continue
        overlay[key] = file.code
        if (file.lang) langs[key] = file.lang
      }
      const project = core.projectFromFiles(overlay, entries, { ...options, langs })
      resolver = memoryFiles(overlay, project, core)
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
        // Every module a plugin may change, scripts too: a `.svelte.ts` runes module compiles to
        // imports of Svelte's runtime that its source does not have.
        const source = files[m.id]
        if (!compiles || source === undefined || seen.get(m.id)?.source === source) continue
        const file = await compile(hooks, m.id, source, files)
        seen.set(m.id, file)
        if (file.code !== undefined) changed = true
      }
      if (!changed) return project
    }
  }

  return {
    scan,
    claims: (specifier) => claimed.has(specifier),
    compiled: (id) => seen.get(id)?.code,
  }
}

/** A file through the plugins' load and transform: its output, if a plugin changed it. */
async function compile(
  hooks: ReturnType<typeof hookRunner>,
  key: string,
  source: string,
  files: Record<string, string>,
): Promise<Seen> {
  const id = `/${key}`
  try {
    const loaded = await hooks.load(id)
    const out = await hooks.transform(loaded ?? source, id)
    if (loaded === null && out.code === source) return { source }
    // What the plugin said it is; else a script stays what its extension says, anything else became JavaScript.
    const lang = out.moduleType && LANGS.has(out.moduleType) ? out.moduleType : SCANNED.test(key) ? undefined : 'js'
    return { source, code: out.code, ...(lang ? { lang } : {}) }
  } catch (e) {
    // As the engine reports a plugin's error: located in the file when the plugin said where.
    throw engineError({ errors: [e] }, 'rolldown', { read: (file) => files[memoryKey(file)], display: memoryKey }, '/')
  }
}
