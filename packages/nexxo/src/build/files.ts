// In-memory projects: validating a `files` map and serving it to the engines, with imports resolved
// by the core (relative paths and `node_modules/` packages), so both backends resolve identically.

import type { Core, Project, ScanFailure } from '../core/core.js'
import { lineColumn, utf16Index } from '../core/offsets.js'
import type { MemoryFiles } from '../engines/types.js'
import { codeFrame, type Diagnostic, NexxoError } from '../errors.js'

/**
 * Why an untrusted name (a `files` key, a tarball entry) could land outside the directory it is
 * meant for, or null. Backslashes count as separators, as Windows would take them.
 */
export function escapeReason(path: string): string | null {
  if (path.includes('\0')) return 'contains a NUL byte'
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:/.test(path)) return 'is absolute'
  if (path.split(/[/\\]/).includes('..')) return "contains '..'"
  return null
}

/** Checks every key is a relative path inside the project; returns the map with normalized keys. */
export function validateFiles(files: Record<string, string | Uint8Array>): Record<string, string | Uint8Array> {
  const out: Record<string, string | Uint8Array> = {}
  const bad: Diagnostic[] = []
  for (const [key, content] of Object.entries(files)) {
    const normalized = key.replace(/^(\.\/)+/, '')
    const reason =
      key === ''
        ? 'is empty'
        : (escapeReason(key) ??
          (key.includes('\\')
            ? 'contains a backslash (use /)'
            : normalized.split('/').some((s) => s === '' || s === '.')
              ? 'has an empty or "." segment'
              : typeof content !== 'string' && !(content instanceof Uint8Array)
                ? 'has content that is neither a string nor a Uint8Array'
                : null))
    if (reason) bad.push({ code: 'INVALID_PATH', message: `files key ${JSON.stringify(key)} ${reason}`, file: key })
    else out[normalized] = content
  }
  if (bad.length > 0) throw new NexxoError('INVALID_PATH', bad)
  return out
}

/**
 * A project's text files, with a stand-in for each binary one, and the binary ones' bytes. The
 * core, the engines and the checks before them read text; a stand-in carries the bytes' hash, so
 * the project's graph hash (the cache key) sees a binary edit, and the asset pipeline reads the
 * bytes themselves.
 */
export interface SplitFiles {
  text: Record<string, string>
  binary: Map<string, Uint8Array>
}

const BINARY_STAND_IN = '\0nexxo:binary '

export function splitFiles(
  files: Record<string, string | Uint8Array>,
  hash: (bytes: Uint8Array) => string,
): SplitFiles {
  const text: Record<string, string> = {}
  const binary = new Map<string, Uint8Array>()
  for (const [key, content] of Object.entries(files)) {
    if (typeof content === 'string') {
      text[key] = content
    } else {
      binary.set(key, content)
      text[key] = `${BINARY_STAND_IN}${hash(content)}`
    }
  }
  return { text, binary }
}

/** Engine ids are `/` + key; `/` keeps them absolute-looking, which both engines expect. */
const toId = (key: string) => `/${key}`
const toKey = (id: string) => id.slice(1)

export function memoryFiles(
  files: Record<string, string>,
  project: Project,
  core?: Pick<Core, 'relativeCandidates'>,
  binary?: ReadonlyMap<string, Uint8Array>,
): MemoryFiles {
  const resolved = new Map<string, string | null>()
  for (const m of project.modules) {
    for (const imp of m.imports) resolved.set(`${m.id}\0${imp.specifier}`, imp.resolved)
  }
  // Ids keep an import's query (`/a.png?raw`), as rolldown's resolver keeps it on disk: the asset,
  // CSS and worker plugins read it. The file itself is the id without it.
  const fileKey = (id: string) => toKey(withoutQuery(id))
  return {
    read: (id) => {
      const key = fileKey(id)
      return Object.hasOwn(files, key) ? files[key] : undefined
    },
    isBinary: (id) => binary?.has(fileKey(id)) === true,
    resolve(specifier, importer) {
      const query = specifier.slice(withoutQuery(specifier).length)
      const from = fileKey(importer)
      const found = resolved.get(`${from}\0${specifier}`)
      if (found) return toId(found) + query
      // An import the scan never saw (a plugin's `this.resolve`, code a plugin wrote): the core's
      // candidates in its order, so it resolves as a scanned one would.
      const candidates = found === undefined ? core?.relativeCandidates(from, specifier) : null
      const hit = candidates?.find((key) => Object.hasOwn(files, key))
      return hit === undefined ? null : toId(hit) + query
    },
  }
}

const withoutQuery = (id: string) => {
  const at = id.indexOf('?')
  return at < 0 ? id : id.slice(0, at)
}

/** Entries as engine ids; a missing entry is an error naming what exists. */
export function memoryEntries(files: Record<string, string>, entries: string[]): string[] {
  return entries.map((entry) => {
    const key = entry.replace(/^(\.\/)+/, '').replace(/^\//, '')
    if (!Object.hasOwn(files, key)) {
      const known = Object.keys(files).filter((k) => !k.startsWith('node_modules/'))
      const hint = known.length
        ? ` Files: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}`
        : ' The files map is empty.'
      throw NexxoError.single('MISSING_ENTRY', `Entry '${entry}' is not in files.${hint}`, { file: entry })
    }
    return toId(key)
  })
}

/**
 * A specifier naming a package (`react`, `@scope/x/sub`): not relative, absolute, a URL scheme, or
 * a `#name` subpath import of the importer's own package.
 */
export const isBare = (specifier: string): boolean =>
  !/^[./#]/.test(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier)

/** A diagnostic at a UTF-8 byte offset of `source` (the core's offsets), with line, column and frame. */
export function diagnosticAt(source: string, file: string, offset: number, code: string, message: string): Diagnostic {
  const { line, column } = lineColumn(source, utf16Index(source, offset))
  return { code, message, file, line, column, frame: codeFrame(source, line, column) }
}

/**
 * Imports reachable from the entries that resolve to nothing, reported before the engine runs so
 * that both engines give the same diagnostic: the importer, the specifier, line, column and frame.
 */
export function unresolvedImports(
  project: Project,
  files: Record<string, string>,
  external: (specifier: string) => boolean,
  publicDir: string | false = false,
  /** A plugin's output a module was scanned as: offsets point into it, not into the file. */
  compiled: (id: string) => string | undefined = () => undefined,
): Diagnostic[] {
  const out: Diagnostic[] = []
  // `/x.svg` naming `public/x.svg` is the public file's URL (the app pipeline answers it).
  const isPublic = (specifier: string) =>
    publicDir !== false &&
    specifier.startsWith('/') &&
    Object.hasOwn(files, `${publicDir}${specifier.replace(/[?#].*$/, '')}`)
  for (const m of project.modules) {
    if (!m.reachable) continue
    for (const imp of m.imports) {
      if (imp.resolved || imp.typeOnly || imp.kind === 'css-url' || external(imp.specifier)) continue
      if (isPublic(imp.specifier)) continue
      if (/^[a-z][a-z0-9+.-]*:/i.test(imp.specifier)) continue
      const bare = isBare(imp.specifier)
      const hint =
        imp.kind === 'jsx-runtime'
          ? ' (JSX compiles to imports of the automatic runtime: add the package, or name another with a @jsxImportSource pragma)'
          : imp.specifier.startsWith('#')
            ? " (a subpath import: no key of the `imports` field in the importer's package.json matches it)"
            : bare
              ? ' (add the package under node_modules/ in files, or list it in external)'
              : ''
      const message = `Could not resolve '${imp.specifier}' from '${m.id}'${hint}`
      const output = compiled(m.id)
      out.push(
        output === undefined
          ? diagnosticAt(files[m.id] ?? '', m.id, imp.start, 'UNRESOLVED_IMPORT', message)
          : {
              code: 'UNRESOLVED_IMPORT',
              message: `${message}, an import of what its plugin compiled it to`,
              file: m.id,
            },
      )
    }
  }
  return out
}

/** Scan failures of the files the entries reach (the core marks them): a stray elsewhere in the map must not block the build. */
export function reachableFailures(project: Project): ScanFailure[] {
  const live = new Set(project.modules.filter((m) => m.reachable).map((m) => m.id))
  return project.errors.filter((e) => live.has(e.id))
}

/**
 * Files the engines must not see: nesting deep enough to overflow a native parser's stack (which
 * kills the process rather than failing the build) and bytes that are not UTF-8. Other scan errors
 * are left to the engine, whose parser reports them better. `failures` should be those of files
 * the entries reach: a stray fixture elsewhere in the project must not block the build.
 */
export function refusedFiles(failures: ScanFailure[], read: (id: string) => string | undefined): Diagnostic[] {
  return failures
    .filter((e) => e.code === 'TOO_DEEP' || e.code === 'NOT_UTF8')
    .map((e) => {
      const source = e.code === 'NOT_UTF8' ? undefined : read(e.id)
      if (source === undefined) return { code: e.code, message: `${e.message} (at byte ${e.offset})`, file: e.id }
      return diagnosticAt(source, e.id, e.offset, e.code, e.message)
    })
}

export { toKey as memoryKey }
