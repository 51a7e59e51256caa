// A framework's compiler, from the project that uses the framework: the version the app's runtime
// expects (Vue's compiler ships inside `vue`, Svelte's inside `svelte`). Resolved from the root on
// Node and Bun; in a browser there is no project to resolve from, so the page passes its own.

import { NexxoError } from '../errors.js'

/**
 * `specifier` required from `root`, synchronously (a plugin's cache key names the compiler's
 * version before any hook runs); a MISSING_PACKAGE error naming `install` when the project does
 * not have it.
 */
export function projectCompiler<T>(specifier: string, root: string, plugin: string, install: string): T {
  const require = nodeRequire(`${root.replace(/\/$/, '')}/package.json`)
  if (!require) {
    throw NexxoError.single(
      'MISSING_PACKAGE',
      `${plugin} has no project to load ${specifier} from here: pass the compiler as the plugin's \`compiler\` option.`,
    )
  }
  try {
    return require(specifier) as T
  } catch (e) {
    if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e
    throw NexxoError.single(
      'MISSING_PACKAGE',
      `${plugin} needs ${specifier}, which is not installed in ${root}: run \`npm install ${install}\`.`,
    )
  }
}

/**
 * `require` relative to `from` (a path or file URL) on Node and Bun, reached through
 * `process.getBuiltinModule` so that bundling a framework plugin for a page pulls in nothing of
 * Node's; undefined where there is no `node:module`.
 */
export function nodeRequire(from: string): NodeJS.Require | undefined {
  const nodeModule =
    typeof process === 'undefined'
      ? undefined
      : (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:module')
  return nodeModule ? (nodeModule as typeof import('node:module')).createRequire(from) : undefined
}

/** Vite's component ids: the first 8 hex digits of SHA-256 (Web Crypto, there on Node and in browsers). */
export async function shortHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest).subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
