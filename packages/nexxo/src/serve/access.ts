// What Nexxo's servers (`nexxo dev`, `nexxo preview`) let through. Vite shipped some fourteen
// `server.fs` bypasses since 2023, each a check applied to one path shape and not another; here every
// request for a file goes through one function, on the fully decoded and resolved absolute path, at
// the moment the file is read.

import { lstatSync, realpathSync } from 'node:fs'
import { isIP } from 'node:net'
import { basename, dirname, join, resolve, sep } from 'node:path'

/** Names never served, in any directory: secrets and keys. Dot-names are refused separately. */
const SENSITIVE = [/^\.env/i, /\.pem$/i, /\.crt$/i, /\.key$/i, /\.p12$/i, /\.pfx$/i]

export type Refusal = { status: 400 | 403 | 404; reason: string }

/** `request.url` as the client sent it: a `#` never reaches a server from a browser (attacks.md 6). */
export function checkRequestTarget(rawUrl: string): Refusal | null {
  if (!rawUrl.startsWith('/')) return { status: 400, reason: 'request target must be a path' }
  if (rawUrl.includes('#')) return { status: 400, reason: "'#' in the request target" }
  return null
}

/** The host part of a `Host` or `Origin` value: `localhost`, `[::1]`, `a.b`. Null when malformed. */
function hostname(value: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value)
  return match ? match[1]!.toLowerCase() : null
}

/**
 * DNS rebinding: a page on `attacker.example` that resolves to 127.0.0.1 sends its own name as
 * `Host`. Loopback names, `*.localhost`, IP literals and the configured names pass.
 */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (!host) return false
  const name = hostname(host)
  if (!name) return false
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  if (isIP(name.replace(/^\[|\]$/g, ''))) return true
  return allowed.includes(name)
}

/** A WebSocket's `Origin` must be a page of this server: a loopback or configured host, this port. */
export function originAllowed(origin: string | undefined, port: number, allowed: readonly string[]): boolean {
  if (!origin) return false
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  if (Number(url.port || (url.protocol === 'https:' ? 443 : 80)) !== port) return false
  const name = url.hostname.toLowerCase()
  const loopback = name === 'localhost' || name.endsWith('.localhost') || name === '127.0.0.1' || name === '[::1]'
  return loopback || allowed.includes(name)
}

/** The directories a server may read from, as given and as real paths: resolved once, not per request. */
export interface ServedDirs {
  /** Absolute; the first is the root that URL paths name. */
  readonly dirs: readonly string[]
  readonly real: readonly string[]
}

export function servedDirs(dirs: readonly string[]): ServedDirs {
  const real = dirs.map((d) => {
    try {
      return realpathSync.native(d)
    } catch {
      return d
    }
  })
  return { dirs, real }
}

/** `file`'s real path: its directory's (kept in `realDirs`) and its own name, unless it is a link itself. */
function realViaDir(file: string, realDirs: Map<string, string>): string {
  // No exception for a missing file: building one costs more than the lstat (a bundle asks thousands).
  const stat = lstatSync(file, { throwIfNoEntry: false })
  if (!stat) throw new Error(`${file} does not exist`)
  if (stat.isSymbolicLink()) return realpathSync.native(file)
  const dir = dirname(file)
  let realDir = realDirs.get(dir)
  if (realDir === undefined) {
    realDir = realpathSync.native(dir)
    realDirs.set(dir, realDir)
  }
  return join(realDir, basename(file))
}

const inside = (p: string, dirs: readonly string[]) => dirs.some((d) => p === d || p.startsWith(d + sep))

/**
 * The file a URL path names, or why not. The path is decoded once; `.`/`..` segments, encoded
 * separators, NUL and backslashes are refused before any resolution; dot-names and sensitive names
 * in any segment are refused; the resolved path, and its real path after symlinks, must lie inside
 * one of the served directories. `realDirs`: real paths of directories found before, which a caller
 * that hears of every change under them (the dev server's watcher) may keep: a file that is no
 * link then costs one lstat instead of a realpath's walk of every component.
 */
export function fileFor(
  urlPath: string,
  served: ServedDirs,
  realDirs?: Map<string, string>,
): { file: string } | Refusal {
  let path: string
  try {
    path = decodeURIComponent(urlPath)
  } catch {
    // A path that cannot be decoded names no file.
    return { status: 404, reason: 'not found' }
  }
  if (/[\0\\]/.test(path)) return { status: 403, reason: 'forbidden character in path' }
  const segments = path.split('/').slice(1)
  // Names first: `/.env/.` is refused for `.env`, whatever follows it.
  for (const segment of segments) {
    if (segment === '.' || segment === '..') break
    if (segment.startsWith('.') || SENSITIVE.some((re) => re.test(segment))) {
      return { status: 403, reason: 'this name is never served' }
    }
  }
  if (segments.some((s) => s === '.' || s === '..')) return { status: 404, reason: 'not found' }
  const file = resolve(served.dirs[0]!, `.${path}`)
  if (!inside(file, served.dirs)) return { status: 403, reason: 'outside the served directories' }
  let real: string
  try {
    real = realDirs ? realViaDir(file, realDirs) : realpathSync.native(file)
  } catch {
    return { file }
  }
  if (!inside(real, served.real)) return { status: 403, reason: 'a link out of the served directories' }
  const name = real.slice(real.lastIndexOf(sep) + 1)
  if (name.startsWith('.') || SENSITIVE.some((re) => re.test(name))) {
    return { status: 403, reason: 'a link to a name that is never served' }
  }
  return { file: real }
}
