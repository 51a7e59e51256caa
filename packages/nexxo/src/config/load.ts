// Finding and loading the config file. A TypeScript config is bundled by native rolldown into a
// temporary `.mjs` beside it and imported, then deleted, as Vite and rolldown's CLI do: one engine
// we already load, no loader hooks in the user's process (vite-node would be a second TypeScript
// pipeline, and a register hook changes how every later import resolves), and relative imports,
// `import.meta.url` and the project's node_modules all behave as they would for the file itself.
// Bare imports stay external: they are the project's packages, resolved by Node from there.

import { existsSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { engineError } from '../build/diagnostics.js'
import { type Diagnostic, NexxoError } from '../errors.js'
import type { VueOptions } from '../frameworks/vue.js'
import { flattenPlugins, handlerOf, selectPlugins } from '../plugin/container.js'
import type { ConfigEnv, NexxoPlugin } from '../plugin/types.js'
import { withDetectedFrameworks } from './detect.js'
import { resolvedConfig } from './resolved.js'
import { checkConfig, type UserConfig } from './schema.js'

export const NEXXO_CONFIG_FILES = ['nexxo.config.ts', 'nexxo.config.mts', 'nexxo.config.js', 'nexxo.config.mjs']
export const VITE_CONFIG_FILES = ['vite.config.ts', 'vite.config.mts', 'vite.config.js', 'vite.config.mjs']

export interface LoadedConfig {
  /** The file read, absolute; undefined when there is none. */
  file?: string
  config: UserConfig
  /** The configured plugins that apply to the command, flattened, in their order. */
  plugins: NexxoPlugin[]
  warnings: Diagnostic[]
}

/** The project's config file: `nexxo.config.*` first, else a `vite.config.*`. */
export function findConfig(root: string): { file: string; vite: boolean } | undefined {
  for (const name of NEXXO_CONFIG_FILES)
    if (existsSync(join(root, name))) return { file: join(root, name), vite: false }
  for (const name of VITE_CONFIG_FILES) if (existsSync(join(root, name))) return { file: join(root, name), vite: true }
  return undefined
}

/** The module's exports, bundled to a sibling temp file and imported (see the header). */
async function importConfig(file: string): Promise<Record<string, unknown>> {
  const { rolldown } = await import('rolldown')
  let code: string
  try {
    const bundle = await rolldown({
      input: file,
      platform: 'node',
      logLevel: 'silent',
      external: (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0'),
    })
    try {
      code = (await bundle.generate({ format: 'esm' })).output[0].code
    } finally {
      await bundle.close()
    }
  } catch (e) {
    throw engineError(
      e,
      'rolldown',
      { read: () => undefined, display: (id) => relative(dirname(file), id) || basename(file) },
      dirname(file),
    )
  }
  const temp = join(dirname(file), `${basename(file)}.timestamp-${Date.now()}-${process.pid}.mjs`)
  writeFileSync(temp, code)
  try {
    return (await import(pathToFileURL(temp).href)) as Record<string, unknown>
  } finally {
    try {
      unlinkSync(temp)
    } catch {}
  }
}

// The file is the diagnostic's `file`: printed before the message, so not repeated in it.
const fail = (file: string, message: string) => NexxoError.single('INVALID_CONFIG', message, { file: basename(file) })

/** Plain objects merge key by key (Vite's mergeConfig, minus its special cases); anything else replaces. */
function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    const old = out[key]
    const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
    out[key] =
      plain(old) && plain(value)
        ? merge(old, value)
        : Array.isArray(old) && Array.isArray(value)
          ? [...old, ...value]
          : value
  }
  return out
}

/**
 * Loads the root's config file for `env`. A `nexxo.config.*` must be right: an unknown key, a wrong
 * type, a throw or no export is an INVALID_CONFIG error naming the file and the key. A
 * `vite.config.*` is another tool's file: what Nexxo does not read is a warning, and one that cannot
 * load (it imports `vite`, which may not be installed) is skipped with a warning, never a crash.
 */
export async function loadConfig(root: string, env: ConfigEnv, explicit?: string): Promise<LoadedConfig> {
  const loaded = await readConfigFile(root, env, explicit)
  const plugins = await withDetectedFrameworks(root, loaded.plugins, (message) =>
    loaded.warnings.push({ code: 'FRAMEWORK_DETECTED', message }),
  )
  return { ...loaded, plugins }
}

async function readConfigFile(root: string, env: ConfigEnv, explicit?: string): Promise<LoadedConfig> {
  const found = explicit ? { file: resolve(root, explicit), vite: /vite\.config/.test(explicit) } : findConfig(root)
  if (!found) return { config: {}, plugins: [], warnings: [] }
  const { file, vite } = found
  if (explicit && !existsSync(file)) throw fail(file, 'not found')
  const warnings: Diagnostic[] = []
  const warn = (message: string) => warnings.push({ code: 'CONFIG_WARNING', message, file: basename(file) })
  let raw: unknown
  try {
    const mod = await importConfig(file)
    if (!('default' in mod) || mod.default === undefined)
      throw fail(file, 'exports nothing: add `export default defineConfig({ ... })`.')
    raw = mod.default
    if (typeof raw === 'function') raw = await (raw as (e: ConfigEnv) => unknown)(env)
    raw = await raw
  } catch (e) {
    const error =
      e instanceof NexxoError
        ? e
        : fail(file, `threw while loading: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
    if (!vite) throw error
    warn(`could not be loaded, so it was not read (${error.diagnostics[0]?.message ?? error.message}).`)
    return { file, config: {}, plugins: [], warnings }
  }
  const first = checkConfig(raw)
  if (first.wrong.length > 0 && !vite) {
    throw new NexxoError(
      'INVALID_CONFIG',
      first.wrong.map((w) => ({ code: 'INVALID_CONFIG', message: w.message, file: basename(file) })),
    )
  }
  if (first.unknown.length > 0) {
    if (!vite) {
      throw new NexxoError(
        'INVALID_CONFIG',
        first.unknown.map((u) => ({ code: 'INVALID_CONFIG', message: u.message, file: basename(file) })),
      )
    }
    warn(`Nexxo does not read ${first.unknown.map((u) => `'${u.key}'`).join(', ')}; left out.`)
  }
  for (const w of first.wrong) warn(`${w.message}; left out.`)
  // Vite allows nested arrays and promises of plugins.
  const listed = await Promise.all(((raw as { plugins?: unknown[] }).plugins ?? []).flat(Infinity).map((p) => p))
  const all = flattenPlugins(listed, basename(file))
  const selected = selectPlugins(all, env, raw as Record<string, unknown>)
  const replaced = new Map<string, string[]>()
  for (const name of selected.replaced)
    replaced.set(replacementNote(name), [...(replaced.get(replacementNote(name)) ?? []), name])
  for (const [note, names] of replaced) warn(`${names.map((n) => `'${n}'`).join(', ')} left out: ${note}`)
  const plugins = await officialPluginsSwapped([...selected.pre, ...selected.normal, ...selected.post], env, warn)
  // Vite's `config` hook: each plugin may add to the config; what it adds is checked like the file.
  let merged = first.config as Record<string, unknown>
  for (const plugin of plugins) {
    const hook = handlerOf(plugin.config)
    if (!hook) continue
    let extra: unknown
    try {
      extra = await hook(merged, env)
    } catch (e) {
      throw fail(file, `plugin '${plugin.name}' threw in its config hook: ${(e as Error).message}`)
    }
    if (extra && typeof extra === 'object') {
      const checked = checkConfig(extra)
      if (checked.unknown.length > 0) {
        warn(
          `plugin '${plugin.name}' set ${checked.unknown.map((u) => `'${u.key}'`).join(', ')}, which Nexxo does not read.`,
        )
      }
      merged = merge(merged, checked.config as Record<string, unknown>)
    }
  }
  const config = merged as UserConfig
  for (const plugin of plugins) {
    const hook = handlerOf(plugin.configResolved)
    if (!hook) continue
    try {
      await hook(resolvedConfig(config, env, root, plugins))
    } catch (e) {
      throw fail(file, `plugin '${plugin.name}' threw in configResolved: ${(e as Error).message}`)
    }
  }
  return { file, config, plugins, warnings }
}

/**
 * Official Vite framework plugins that cannot run here, as nexxo's own (the same compiler):
 * @vitejs/plugin-vue runs as it is in builds but its dev hooks need Vite's own server, and
 * @sveltejs/vite-plugin-svelte needs Vite's Environment API (`this.environment`) in every hook.
 */
async function officialPluginsSwapped(
  plugins: NexxoPlugin[],
  env: ConfigEnv,
  warn: (m: string) => void,
): Promise<NexxoPlugin[]> {
  const out: NexxoPlugin[] = []
  let svelteSwapped = false
  for (const p of plugins) {
    if (p.name === 'vite:vue' && env.command === 'serve') {
      warn(
        "'vite:vue' runs as nexxo/vue in nexxo dev (its dev hooks need Vite's own server: configureServer's server.config, watcher and module graph); builds run it as it is.",
      )
      const { default: vue } = await import('../frameworks/vue.js')
      out.push(vue({ features: (p as { api?: { options?: VueOptions } }).api?.options?.features ?? {} }))
    } else if (p.name.startsWith('vite-plugin-svelte')) {
      if (svelteSwapped) continue
      svelteSwapped = true
      warn(
        "@sveltejs/vite-plugin-svelte runs as nexxo/svelte (it needs Vite's Environment API, `this.environment`, in every hook); its options (preprocess, compilerOptions) are not carried over.",
      )
      const { default: svelte } = await import('../frameworks/svelte.js')
      out.push(svelte())
    } else {
      out.push(p)
    }
  }
  return out
}

function replacementNote(name: string): string {
  if (/^preact|^vite:preact|^prefresh/.test(name)) {
    return "Nexxo compiles Preact's JSX from tsconfig's jsxImportSource and runs Preact's Fast Refresh (prefresh) itself."
  }
  return 'Nexxo compiles React (JSX, Fast Refresh) itself.'
}
