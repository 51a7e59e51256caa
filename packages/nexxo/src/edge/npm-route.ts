// `GET /npm/<name>@<version>[/<subpath>]`: which package a path names, and the entry module that
// re-exports it as one ES module (named exports included when the package is CommonJS).

import semver from 'semver'
import type { Core } from '../core/core.js'
import { cjsExports, exportableName } from './cjs-exports.js'
import { fail } from './http.js'

export interface PackageRequest {
  name: string
  /** As written: an exact version, a range, a dist-tag, or '' (latest). */
  version: string
  /** '' or `/sub/path`. */
  subpath: string
}

// npm's rules for new package names: lowercase, URL-safe, at most 214 characters.
const NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/
const SUBPATH_SEGMENT = /^[\w.@+-]+$/
const TAG = /^[a-z][\w.-]*$/i

/** The package a `/npm/` path names; a bad name, version or subpath is a 400. */
export function parsePackagePath(path: string): PackageRequest {
  let rest: string
  try {
    rest = decodeURIComponent(path)
  } catch {
    throw fail('INVALID_PACKAGE', 'The package path is not valid percent-encoding.')
  }
  const scoped = rest.startsWith('@')
  const nameEnd = scoped ? rest.indexOf('/', rest.indexOf('/') + 1) : rest.indexOf('/')
  const head = nameEnd === -1 ? rest : rest.slice(0, nameEnd)
  const subpath = nameEnd === -1 ? '' : rest.slice(nameEnd)
  const at = head.indexOf('@', scoped ? 1 : 0)
  const name = at === -1 ? head : head.slice(0, at)
  const version = at === -1 ? '' : head.slice(at + 1)
  if (name.length === 0 || name.length > 214 || !NAME.test(name)) {
    throw fail('INVALID_PACKAGE', `'${name}' is not a valid npm package name.`)
  }
  if (version !== '' && !semver.valid(version) && !semver.validRange(version) && !TAG.test(version)) {
    throw fail('INVALID_PACKAGE', `'${version}' is not a version, range or dist-tag of ${name}.`)
  }
  if (subpath !== '') {
    const segments = subpath.slice(1).split('/')
    if (segments.some((s) => s === '.' || s === '..' || !SUBPATH_SEGMENT.test(s))) {
      throw fail('INVALID_PACKAGE', `'${subpath}' is not a subpath inside ${name}.`)
    }
  }
  return { name, version, subpath }
}

export const isExact = (version: string): boolean => semver.valid(version) !== null && semver.clean(version) === version

// Minified ESM (lit's `export*from"..."`) has no blank after `export`.
const ESM_SYNTAX = /(?:^|[\n;])\s*(?:import\s*[\w{*'"]|export\s+\w|export\s*[{*])/
const HAS_DEFAULT = /\bexport\s+default\b|\bexport\s*\{[^}]*\bdefault\b[^}]*\}/

/**
 * The entry module for `specifier` (`name` + subpath) given the package's files (keys under
 * `node_modules/`): `export *` (and the default) of an ES module, or the default plus every named
 * export the CommonJS text shows.
 */
export function entryModule(core: Core, files: Record<string, string>, specifier: string): string {
  return analyzeEntry(core, files, specifier).code
}

/** The entry module and the files its text was read from, so that a caller can tell when it is stale. */
export function analyzeEntry(
  core: Core,
  files: Record<string, string>,
  specifier: string,
): { code: string; inputs: string[] } {
  const probe = '__nexxo_probe.js'
  const project = core.projectFromFiles({ ...files, [probe]: `import ${JSON.stringify(specifier)}` }, [probe])
  const resolved = project.modules.find((m) => m.id === probe)?.imports[0]?.resolved
  const quoted = JSON.stringify(specifier)
  if (!resolved) throw fail('NOT_FOUND', `${specifier} does not resolve to a module of the package.`)
  const source = files[resolved] ?? ''
  const esm = /\.mjs$/.test(resolved) || (!/\.cjs$/.test(resolved) && ESM_SYNTAX.test(source))
  if (esm) {
    const code = `export * from ${quoted}\n${HAS_DEFAULT.test(source) ? `export { default } from ${quoted}\n` : ''}`
    return { code, inputs: [resolved] }
  }
  // The core already resolved every require() of the reachable modules: follow its answers.
  const modules = new Map(project.modules.map((m) => [m.id, m]))
  const names = new Set<string>()
  const seen = new Set<string>()
  const read = (id: string) => {
    if (seen.has(id) || files[id] === undefined) return
    seen.add(id)
    const found = cjsExports(files[id]!)
    for (const n of found.names) names.add(n)
    for (const target of found.reexports) {
      const to = modules.get(id)?.imports.find((i) => i.kind === 'require' && i.specifier === target)?.resolved
      if (to) read(to)
    }
  }
  read(resolved)
  const exported = [...names].filter(exportableName).sort()
  const code = `import m from ${quoted}\nexport default m\n${exported.length ? `export const { ${exported.join(', ')} } = m\n` : ''}`
  return { code, inputs: [...seen] }
}
