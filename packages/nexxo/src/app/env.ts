// `import.meta.env`, as Vite has it: MODE, DEV, PROD, BASE_URL, SSR, and the variables of `.env`,
// `.env.local`, `.env.[mode]` and `.env.[mode].local` (later files win; the process environment
// wins over all of them) whose names carry a client prefix. Everything else stays on the machine:
// only prefixed names are ever copied into `define`.

import { NexxoError } from '../errors.js'

export const DEFAULT_ENV_PREFIXES = ['NEXXO_', 'VITE_']

/**
 * Nexxo's own settings, which share the client prefix but configure the tool, not the app: taken
 * from the shell they would reach client code and change every build's cache key with the machine.
 */
export const TOOL_VARIABLES: ReadonlySet<string> = new Set(['NEXXO_BACKEND', 'NEXXO_NATIVE_PATH'])

export interface EnvOptions {
  mode: string
  base: string
  /** Names starting with one of these reach client code. Default: NEXXO_ and VITE_. */
  prefixes?: string[]
  /** Reads a file of the project (relative to its root) as text; undefined if it does not exist. */
  read(file: string): string | undefined
  /** The process environment (Node's `process.env`), which wins over the files. */
  processEnv?: Record<string, string | undefined>
}

const LINE = /^\s*(?:export\s+)?([\w.-]+)\s*(?:=\s*?(.*))?$/

/**
 * A `.env` file as dotenv reads it (`KEY=value`, quotes, `#` comments, multi-line double-quoted
 * values), but strict: a line that is none of these is an error naming the file and line, where
 * dotenv would skip it silently and the variable would just be missing.
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (/^\s*(?:#.*)?$/.test(line)) continue
    const m = LINE.exec(line)
    if (!m || m[2] === undefined) {
      throw NexxoError.single('ENV_SYNTAX', `${file}:${i + 1}: expected KEY=value, got '${line.slice(0, 80)}'`, {
        file,
        line: i + 1,
        column: 1,
      })
    }
    let value = m[2].trim()
    const quote = value[0]
    if (quote === '"' || quote === "'" || quote === '`') {
      // A quoted value may span lines up to its closing quote.
      let rest = value.slice(1)
      let end = rest.indexOf(quote)
      while (end < 0 && i + 1 < lines.length) {
        rest += `\n${lines[++i]}`
        end = rest.indexOf(quote)
      }
      if (end < 0) {
        throw NexxoError.single('ENV_SYNTAX', `${file}: the value of ${m[1]} has no closing ${quote}`, { file })
      }
      value = rest.slice(0, end)
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r')
    } else {
      value = value.replace(/\s+#.*$/, '')
    }
    out[m[1]!] = value
  }
  return out
}

/** The prefixed variables of the mode's `.env` files (and of the process environment). */
export function loadEnv(options: EnvOptions): Record<string, string> {
  const prefixes = options.prefixes ?? DEFAULT_ENV_PREFIXES
  if (prefixes.some((p) => p === '')) {
    throw NexxoError.single('INVALID_OPTION', 'envPrefix must not be empty: every variable would reach client code.')
  }
  const merged: Record<string, string> = {}
  for (const file of ['.env', '.env.local', `.env.${options.mode}`, `.env.${options.mode}.local`]) {
    const text = options.read(file)
    if (text !== undefined) Object.assign(merged, parseEnvFile(text, file))
  }
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(merged)) if (prefixes.some((p) => key.startsWith(p))) out[key] = value
  for (const [key, value] of Object.entries(options.processEnv ?? {})) {
    if (value !== undefined && !TOOL_VARIABLES.has(key) && prefixes.some((p) => key.startsWith(p))) out[key] = value
  }
  return out
}

/**
 * `define` entries for `import.meta.env`: each key on its own (so that `import.meta.env.VITE_X`
 * is replaced by a literal and dead branches fold) and the whole object for code that reads it
 * as one.
 */
export function envDefine(
  vars: Record<string, string>,
  /** `dev`: the dev server (DEV true), not a build, whatever the mode is called (as in Vite). */
  options: { mode: string; base: string; dev: boolean; ssr?: boolean },
): Record<string, string> {
  const { dev } = options
  const env: Record<string, string | boolean> = {
    BASE_URL: options.base,
    MODE: options.mode,
    DEV: dev,
    PROD: !dev,
    SSR: options.ssr ?? false,
    ...vars,
  }
  const define: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) define[`import.meta.env.${key}`] = JSON.stringify(value)
  define['import.meta.env'] = JSON.stringify(env)
  return define
}
