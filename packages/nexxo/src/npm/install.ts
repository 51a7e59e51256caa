// Installs what an in-memory project imports but does not hold: each bare import that resolves to
// nothing names a package, which is fetched from the registry and placed under `node_modules/` in
// the files map, until every reachable bare import resolves (or cannot). The core's resolver then
// honours `exports`, `browser` and `module` as for packages on disk.

import semver from 'semver'
import { diagnosticAt, isBare } from '../build/files.js'
import type { Project } from '../core/core.js'
import { type Diagnostic, NexxoError } from '../errors.js'
import type { RegistryClient } from './registry.js'

export interface InstalledPackage {
  name: string
  version: string
  /** Where its files are in the map, e.g. `node_modules/react`. */
  dir: string
  cached: boolean
}

export interface Installed {
  /** The project's files with the installed packages' files added. */
  files: Record<string, string>
  /** The project graph of `files` (so that the caller need not scan it again). */
  project: Project
  packages: InstalledPackage[]
}

/** More packages than any playground needs; a runaway dependency tree stops here. */
const MAX_PACKAGES = 300
/** Fetches in flight at once: browsers allow six connections per host. */
const CONCURRENCY = 6

interface Want {
  name: string
  range: string
  dir: string
  /** The first import asking for it (its file and byte offset), for the diagnostic if it cannot be had. */
  file: string
  specifier: string
  start: number
}

function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/** The package directory a file belongs to (`node_modules/a/node_modules/@s/b`), or undefined for the project's own files. */
function packageDirOf(id: string): string | undefined {
  const at = id.lastIndexOf('node_modules/')
  if (at < 0) return undefined
  const rest = id.slice(at + 'node_modules/'.length).split('/')
  const name = rest[0]?.startsWith('@') ? rest.slice(0, 2).join('/') : rest[0]
  return `${id.slice(0, at)}node_modules/${name}`
}

type Manifest = Record<'dependencies' | 'peerDependencies' | 'optionalDependencies' | 'devDependencies', unknown>

function manifest(files: Record<string, string>, dir: string | undefined): Partial<Manifest> {
  const text = files[dir ? `${dir}/package.json` : 'package.json']
  if (text === undefined) return {}
  try {
    const json: unknown = JSON.parse(text)
    return json && typeof json === 'object' ? (json as Partial<Manifest>) : {}
  } catch {
    return {}
  }
}

function declared(m: Partial<Manifest>, name: string, fields: (keyof Manifest)[]): string | undefined {
  for (const field of fields) {
    const deps = m[field]
    if (deps && typeof deps === 'object' && typeof (deps as Record<string, unknown>)[name] === 'string') {
      return (deps as Record<string, string>)[name]
    }
  }
  return undefined
}

/**
 * Where `name` goes for an import from a file of package `owner` (or of the project): hoisted to the
 * top `node_modules/` when free, nested under the owner when the copy the import reaches (`resolved`,
 * or the hoisted one) is a version the owner's range does not allow (npm's layout). Peer
 * dependencies are never nested: the host's copy is the one to share. Copies the project brought in
 * its own `node_modules/` keys are left alone.
 */
function placement(
  files: Record<string, string>,
  manifestOf: (dir: string | undefined) => Partial<Manifest>,
  installed: Map<string, InstalledPackage>,
  name: string,
  owner: string | undefined,
  resolved: string | null,
): { dir: string; range: string } | undefined {
  const top = `node_modules/${name}`
  const ownManifest = manifestOf(owner)
  const range =
    declared(ownManifest, name, ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) ??
    declared(manifestOf(undefined), name, ['dependencies', 'devDependencies', 'peerDependencies']) ??
    'latest'
  let reached: InstalledPackage | undefined
  if (resolved) {
    const dir = packageDirOf(resolved)
    reached = dir ? installed.get(dir) : undefined
  } else {
    reached = installed.get(top)
    if (!reached && !Object.hasOwn(files, `${top}/package.json`)) return { dir: top, range }
  }
  if (!owner || !reached || declared(ownManifest, name, ['peerDependencies']) !== undefined) return undefined
  if (!semver.validRange(range) || semver.satisfies(reached.version, range)) return undefined
  const nested = `${owner}/node_modules/${name}`
  return installed.has(nested) || Object.hasOwn(files, `${nested}/package.json`) ? undefined : { dir: nested, range }
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await work(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, lane))
  return out
}

/**
 * `scan` gives the project of a files map (the core's scan, seeing what plugins compile); imports
 * `external` says yes to are not installed.
 */
export async function installImports(
  input: Record<string, string>,
  scan: (files: Record<string, string>) => Promise<Project>,
  external: (specifier: string) => boolean,
  registry: RegistryClient,
): Promise<Installed> {
  const files = { ...input }
  const installed = new Map<string, InstalledPackage>()
  for (;;) {
    const project = await scan(files)
    const wants = new Map<string, Want>()
    const manifests = new Map<string, Partial<Manifest>>()
    const manifestOf = (dir: string | undefined) => {
      const key = dir ?? ''
      if (!manifests.has(key)) manifests.set(key, manifest(files, dir))
      return manifests.get(key)!
    }
    for (const m of project.modules) {
      if (!m.reachable) continue
      const owner = packageDirOf(m.id)
      for (const imp of m.imports) {
        if (imp.typeOnly || imp.kind === 'css-url' || !isBare(imp.specifier)) continue
        // Resolved imports matter only from installed packages, whose copy may be the wrong version.
        if ((imp.resolved && !owner) || external(imp.specifier)) continue
        const name = packageName(imp.specifier)
        const place = placement(files, manifestOf, installed, name, owner, imp.resolved)
        if (!place || wants.has(place.dir)) continue
        wants.set(place.dir, { name, ...place, file: m.id, specifier: imp.specifier, start: imp.start })
      }
    }
    if (wants.size === 0) return { files, project, packages: [...installed.values()] }
    if (installed.size + wants.size > MAX_PACKAGES) {
      throw NexxoError.single(
        'TOO_MANY_PACKAGES',
        `The project needs more than ${MAX_PACKAGES} packages from the registry; bundle fewer, or mark some external.`,
      )
    }
    const failures: Diagnostic[] = []
    await inBatches([...wants.values()], CONCURRENCY, async (want) => {
      try {
        const pkg = await registry.install(want.name, want.range)
        for (const [path, text] of Object.entries(pkg.files)) files[`${want.dir}/${path}`] = text
        // A package without a manifest still marks its directory as taken.
        files[`${want.dir}/package.json`] ??= '{}'
        installed.set(want.dir, { name: pkg.name, version: pkg.version, dir: want.dir, cached: pkg.cached })
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e)
        const code = e instanceof NexxoError ? e.code : 'REGISTRY_ERROR'
        const message = `Could not install '${want.name}@${want.range}' for '${want.specifier}': ${reason}`
        failures.push(diagnosticAt(files[want.file] ?? '', want.file, want.start, code, message))
      }
    })
    if (failures.length > 0) throw new NexxoError(failures[0]!.code!, failures)
  }
}
