// Frameworks found in a project that names no plugin for them: a `.vue` (or `.svelte`) file under
// the root with the framework installed is compiled by nexxo's own plugin, and a note says so, so
// `nexxo build` works on a project with no config at all. Two plugins claiming one extension is
// an error: their outputs would be compiled twice.

import { type Dir, opendirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { NexxoError } from '../errors.js'
import type { NexxoPlugin } from '../plugin/types.js'

interface Framework {
  extension: string
  /** Plugins (by name) that compile the extension: nexxo's own and the official Vite one. */
  claimedBy: (name: string) => boolean
  /** The package that must be installed, and what its compiler is imported as. */
  pkg: string
  compiler: string
  /** Loaded only for a project that uses it: most builds need neither plugin's module. */
  plugin: () => Promise<NexxoPlugin>
  label: string
}

const FRAMEWORKS: Framework[] = [
  {
    extension: '.vue',
    claimedBy: (n) => n === 'nexxo:vue' || n === 'vite:vue',
    pkg: 'vue',
    compiler: 'vue/compiler-sfc',
    plugin: async () => (await import('../frameworks/vue.js')).default(),
    label: 'Vue',
  },
  {
    extension: '.svelte',
    claimedBy: (n) => n === 'nexxo:svelte' || n === 'vite-plugin-svelte:compile',
    pkg: 'svelte',
    compiler: 'svelte/compiler',
    plugin: async () => (await import('../frameworks/svelte.js')).default(),
    label: 'Svelte',
  },
]

/** Enough to find one component in any app; a tree larger than this is searched no further. */
const MAX_ENTRIES = 5000

/** Which of `extensions` some file under `root` has (node_modules, dist and dot-directories skipped). */
function extensionsUnder(root: string, extensions: string[]): Set<string> {
  const found = new Set<string>()
  let seen = 0
  const dirs = [root]
  while (dirs.length > 0 && seen < MAX_ENTRIES && found.size < extensions.length) {
    const path = dirs.pop()!
    let dir: Dir
    try {
      dir = opendirSync(path)
    } catch {
      continue
    }
    // Read entry by entry: a directory of 20,000 components is not listed whole to look at 5,000.
    try {
      for (let entry = dir.readSync(); entry !== null && seen < MAX_ENTRIES; entry = dir.readSync()) {
        seen++
        if (entry.isDirectory()) {
          if (!entry.name.startsWith('.') && entry.name !== 'node_modules' && entry.name !== 'dist') {
            dirs.push(join(path, entry.name))
          }
        } else {
          const ext = extensions.find((e) => entry!.name.endsWith(e))
          if (ext) found.add(ext)
        }
      }
    } finally {
      dir.closeSync()
    }
  }
  return found
}

const installed = (root: string, specifier: string) => {
  try {
    createRequire(join(root, 'package.json')).resolve(specifier)
    return true
  } catch {
    return false
  }
}

/**
 * `plugins` with nexxo's plugin added for each framework the project uses and no plugin compiles
 * (a note for each); an error when two plugins compile the same extension.
 */
export async function withDetectedFrameworks(
  root: string,
  plugins: NexxoPlugin[],
  note: (message: string) => void,
): Promise<NexxoPlugin[]> {
  const out = [...plugins]
  const missing: Framework[] = []
  for (const framework of FRAMEWORKS) {
    const claiming = plugins.filter((p) => framework.claimedBy(p.name)).map((p) => p.name)
    if (claiming.length > 1) {
      throw NexxoError.single(
        'PLUGIN_CONFLICT',
        `${claiming.map((n) => `'${n}'`).join(' and ')} both compile ${framework.extension} files: keep one of them in the config's plugins.`,
      )
    }
    if (claiming.length === 0) missing.push(framework)
  }
  // Resolving a package is cheap; walking a large tree is not, so only installed frameworks are looked for.
  const candidates = missing.filter((f) => installed(root, f.compiler))
  if (candidates.length === 0) return out
  const used = extensionsUnder(
    root,
    candidates.map((f) => f.extension),
  )
  for (const framework of candidates) {
    if (!used.has(framework.extension)) continue
    note(
      `${framework.label} detected (${framework.extension} files, ${framework.pkg} installed): compiled with nexxo/${framework.pkg}; name it in the config's plugins to configure it.`,
    )
    const plugin = await framework.plugin()
    // Its component ids hash paths from the project's root, as a config file's plugins get it.
    ;(plugin.configResolved as ((c: { root: string }) => void) | undefined)?.({ root })
    out.push(plugin)
  }
  return out
}
