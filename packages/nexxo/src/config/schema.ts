// The config file's keys, named as Vite names them, with their types: one table that checks a
// `nexxo.config.*` (an unknown key or a wrong type is an error naming it) and reads a `vite.config.*`
// (keys that mean the same are taken, the rest are warnings, nothing crashes).

import type { NexxoPlugin } from '../plugin/types.js'

export interface UserConfig {
  root?: string
  base?: string
  mode?: string
  publicDir?: string | false
  envPrefix?: string | string[]
  define?: Record<string, unknown>
  resolve?: { alias?: Record<string, string> | { find: string; replacement: string }[] }
  build?: {
    outDir?: string
    minify?: boolean
    sourcemap?: boolean
    target?: string | string[]
    cssTarget?: string | string[]
    assetsInlineLimit?: number
    /** Gzip sizes in the build report: true for every file, false for none (default: files up to 1 MB). */
    reportCompressedSize?: boolean
    rollupOptions?: { input?: string | string[] | Record<string, string> }
  }
  server?: { port?: number; host?: string | boolean; strictPort?: boolean; allowedHosts?: string[] | true }
  /**
   * `nexxo build`'s cache. `remote`: a Turborepo remote cache API server shared by the team and CI
   * (`--remote-cache` and `NEXXO_REMOTE_CACHE` override its URL); keep the token out of the file,
   * in `NEXXO_REMOTE_CACHE_TOKEN`.
   */
  cache?: {
    remote?: {
      url: string
      token?: string
      team?: string
      signatureKey?: string
      readOnly?: boolean
      timeoutMs?: number
    }
  }
  plugins?: unknown[]
}

export type ConfigExport =
  | UserConfig
  | Promise<UserConfig>
  | ((env: { command: 'build' | 'serve'; mode: string }) => UserConfig | Promise<UserConfig>)

/** `export default defineConfig({...})`: only types; the object is returned as is (as in Vite). */
export function defineConfig<T extends ConfigExport>(config: T): T {
  return config
}

type Check = (value: unknown) => string | null

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const string: Check = (v) => (typeof v === 'string' ? null : 'a string')
const boolean: Check = (v) => (typeof v === 'boolean' ? null : 'true or false')
const port: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535 ? null : 'a port (0-65535)'
const bytes: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 ? null : 'a whole number of bytes')
const strings: Check = (v) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? null : 'a list of strings')
const oneOrMany: Check = (v) => (string(v) === null || strings(v) === null ? null : 'a string or a list of strings')
const either =
  (...checks: Check[]): Check =>
  (v) => {
    const fails = checks.map((c) => c(v))
    return fails.includes(null) ? null : fails.join(' or ')
  }
const literal =
  (value: unknown, shown: string): Check =>
  (v) =>
    v === value ? null : shown
const record: Check = (v) => (isObject(v) ? null : 'an object')
const alias: Check = (v) =>
  (isObject(v) && Object.values(v).every((s) => typeof s === 'string')) ||
  (Array.isArray(v) && v.every((a) => isObject(a) && typeof a.find === 'string' && typeof a.replacement === 'string'))
    ? null
    : 'an object of strings, or a list of { find, replacement } (find as a string; Nexxo takes no RegExp aliases yet)'
const list: Check = (v) => (Array.isArray(v) ? null : 'a list')
const input: Check = (v) =>
  oneOrMany(v) === null || (isObject(v) && Object.values(v).every((s) => typeof s === 'string'))
    ? null
    : 'a string, a list of strings or an object of names to files'

/** A nested object's keys, or a leaf's check. */
type Schema = { [key: string]: Schema | Check }

const SCHEMA: Schema = {
  root: string,
  base: string,
  mode: string,
  publicDir: either(string, literal(false, 'false')),
  envPrefix: oneOrMany,
  define: record,
  resolve: { alias },
  build: {
    outDir: string,
    minify: boolean,
    sourcemap: boolean,
    target: oneOrMany,
    cssTarget: oneOrMany,
    assetsInlineLimit: bytes,
    reportCompressedSize: boolean,
    rollupOptions: { input },
  },
  server: {
    port,
    host: either(string, boolean),
    strictPort: boolean,
    allowedHosts: either(strings, literal(true, 'true')),
  },
  plugins: list,
}

export interface ConfigIssue {
  key: string
  message: string
}

/**
 * The config with only the keys Nexxo knows; `unknown` lists every other key (and `wrong` every
 * value of the wrong type), each with its dotted name, for the caller to make errors or warnings of.
 */
export function checkConfig(config: unknown): { config: UserConfig; unknown: ConfigIssue[]; wrong: ConfigIssue[] } {
  const unknown: ConfigIssue[] = []
  const wrong: ConfigIssue[] = []
  const walk = (value: unknown, schema: Schema, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    if (!isObject(value)) {
      wrong.push({ key: prefix.slice(0, -1) || '(config)', message: 'must be an object' })
      return out
    }
    for (const [key, v] of Object.entries(value)) {
      const name = `${prefix}${key}`
      const rule = Object.hasOwn(schema, key) ? schema[key] : undefined
      if (rule === undefined) {
        unknown.push({ key: name, message: `'${name}' is not a key Nexxo reads` })
      } else if (v === undefined) {
      } else if (typeof rule === 'function') {
        const expected = rule(v)
        if (expected) wrong.push({ key: name, message: `'${name}' must be ${expected}, got ${describe(v)}` })
        else out[key] = v
      } else {
        out[key] = walk(v, rule, `${name}.`)
      }
    }
    return out
  }
  const checked = walk(config, SCHEMA, '') as UserConfig
  return { config: checked, unknown, wrong }
}

const describe = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v).slice(0, 40) : typeof v

/** `resolve.alias` in either of Vite's shapes, as the one engines take. */
export function aliasMap(alias: NonNullable<UserConfig['resolve']>['alias']): Record<string, string> | undefined {
  if (!alias) return undefined
  if (Array.isArray(alias)) return Object.fromEntries(alias.map((a) => [a.find, a.replacement]))
  return alias
}

/** `define` values as Vite takes them: strings are code, anything else is JSON. */
export function defineMap(define: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!define) return undefined
  return Object.fromEntries(Object.entries(define).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
}

export type { NexxoPlugin }
