// The few tsconfig.json options Nexxo must know itself. Rolldown reads tsconfig natively for disk
// builds (paths, jsx, experimentalDecorators, useDefineForClassFields, `extends`, `references`), so
// this reader only answers what changes Nexxo's own choices: whether decorators are legacy (then
// rolldown compiles them, not swc) and whether `jsx: preserve` would leave JSX in the output.

export interface TsconfigFacts {
  /** The file the facts came from (the root tsconfig, or the reference that compiles the app). */
  file: string
  jsx?: string
  jsxImportSource?: string
  experimentalDecorators?: boolean
  useDefineForClassFields?: boolean
}

import { NexxoError } from '../errors.js'

/** A tsconfig file that cannot be read as tsc would read it. */
export class TsconfigError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} ${reason}`)
  }
}

/** JSON with comments and trailing commas, as tsc accepts it. */
export function parseJsonc(text: string): unknown {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"') {
      const start = i
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
      out += text.slice(start, i + 1)
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? text.length : end + 1
    } else {
      out += c
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'))
}

interface RawConfig {
  extends?: string | string[]
  compilerOptions?: Record<string, unknown>
  references?: { path: string }[]
  files?: string[]
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/'))

function join(dir: string, rel: string): string {
  const parts = `${dir}/${rel}`.split('/')
  const out: string[] = []
  for (const part of parts) {
    if (part === '..') out.pop()
    else if (part !== '.' && part !== '') out.push(part)
  }
  return `/${out.join('/')}`
}

/**
 * Reads `file` with its `extends` chain (relative paths; packages under the nearest
 * node_modules). A solution-style config (`files: []` with `references`) answers with the first
 * reference that sets `jsx` or `experimentalDecorators`: that one compiles the app.
 */
export function readTsconfig(file: string, read: (path: string) => string | undefined): TsconfigFacts | undefined {
  const options = compilerOptions(file, read, 0)
  if (!options) return undefined
  const facts = factsOf(file, options.merged)
  if (options.raw.files?.length === 0 && options.raw.references) {
    for (const ref of options.raw.references) {
      let path = join(dirOf(file), ref.path)
      if (!path.endsWith('.json')) path = `${path}/tsconfig.json`
      const sub = compilerOptions(path, read, 0)
      if (sub && (sub.merged.jsx !== undefined || sub.merged.experimentalDecorators !== undefined)) {
        return factsOf(path, sub.merged)
      }
    }
  }
  return facts
}

function factsOf(file: string, o: Record<string, unknown>): TsconfigFacts {
  const facts: TsconfigFacts = { file }
  if (typeof o.jsx === 'string') facts.jsx = o.jsx.toLowerCase()
  if (typeof o.jsxImportSource === 'string') facts.jsxImportSource = o.jsxImportSource
  if (typeof o.experimentalDecorators === 'boolean') facts.experimentalDecorators = o.experimentalDecorators
  if (typeof o.useDefineForClassFields === 'boolean') facts.useDefineForClassFields = o.useDefineForClassFields
  return facts
}

function compilerOptions(
  file: string,
  read: (path: string) => string | undefined,
  depth: number,
): { raw: RawConfig; merged: Record<string, unknown> } | undefined {
  const text = read(file)
  if (text === undefined || depth > 16) return undefined
  let raw: RawConfig
  try {
    raw = parseJsonc(text) as RawConfig
  } catch (e) {
    throw new TsconfigError(file, `is not valid JSON: ${(e as Error).message}`)
  }
  let merged: Record<string, unknown> = {}
  for (const base of typeof raw.extends === 'string' ? [raw.extends] : (raw.extends ?? [])) {
    const path =
      base.startsWith('.') || base.startsWith('/') ? join(dirOf(file), base) : packageConfig(file, base, read)
    const parent = path ? compilerOptions(path.endsWith('.json') ? path : `${path}.json`, read, depth + 1) : undefined
    // As tsc: a base that is not there is an error, not an empty base (rolldown's own message for
    // it, "Tsconfig not found", names neither the file nor the base).
    if (!parent) {
      const hint =
        base.startsWith('.') || base.startsWith('/') ? '' : ` (is the package '${packageName(base)}' installed?)`
      throw new TsconfigError(file, `extends '${base}', which was not found${hint}.`)
    }
    merged = { ...merged, ...parent.merged }
  }
  return { raw, merged: { ...merged, ...raw.compilerOptions } }
}

const packageName = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/')

/** `@tsconfig/strictest` or `pkg/tsconfig.base.json` from the nearest node_modules that has it. */
function packageConfig(from: string, spec: string, read: (path: string) => string | undefined): string | undefined {
  for (let dir = dirOf(from); dir !== ''; dir = dirOf(dir)) {
    const base = `${dir}/node_modules/${spec}`
    for (const candidate of [base, `${base}.json`, `${base}/tsconfig.json`]) {
      if (candidate.endsWith('.json') && read(candidate) !== undefined) return candidate
    }
  }
  return undefined
}

/** The root's `tsconfig.json` facts for a build or the dev server; a broken config is a TSCONFIG_ERROR naming its file. */
export function projectTsconfig(root: string, read: (path: string) => string | undefined): TsconfigFacts | undefined {
  try {
    return readTsconfig(`${root}/tsconfig.json`, read)
  } catch (e) {
    if (!(e instanceof TsconfigError)) throw e
    const file = e.file.startsWith(`${root}/`) ? e.file.slice(root.length + 1) : e.file
    throw NexxoError.single('TSCONFIG_ERROR', e.reason, { file })
  }
}
