// A client of npm-compatible registries (registry.npmjs.org, verdaccio, a test server) that needs
// nothing but `fetch`: package metadata, a range resolved to one version, the tarball checked
// against its integrity and unpacked in memory. Runs in browsers, workers, edge runtimes and Node.

import semver from 'semver'
import { readBounded, toBase64 } from '../bytes.js'
import type { Cache } from '../cache/store.js'
import { NexxoError } from '../errors.js'
import { DEFAULT_REGISTRY, registryUrl } from './default-registry.js'
import { unpackTarball } from './tar.js'

export { DEFAULT_REGISTRY }

export interface RegistryLimits {
  /** Bytes of one package's metadata document (default 32 MiB; react's is under 1 MiB). */
  maxMetadataBytes: number
  /** Bytes of one gzipped tarball (default 32 MiB). */
  maxTarballBytes: number
  /** Bytes of one tarball's unpacked contents (default 128 MiB). */
  maxUnpackedBytes: number
}

export interface RegistryOptions {
  /** Base URL of the registry. Default: the public npm registry. */
  url?: string
  /** Where metadata and package files are kept between builds and page loads. */
  cache?: Cache
  /** How long cached metadata answers without asking the registry (default 10 minutes). */
  metadataMaxAgeMs?: number
  limits?: Partial<RegistryLimits>
  fetch?: typeof fetch
}

export interface ResolvedVersion {
  name: string
  version: string
  tarball: string
  /** Subresource-integrity string (`sha512-…`), or undefined for registries that only give a shasum. */
  integrity?: string
  shasum?: string
}

/** A package's files that a bundle can use (code, JSON, CSS), as text by package-relative path. */
export interface PackageFiles {
  name: string
  version: string
  files: Record<string, string>
  /** Whether this came from the cache rather than the registry. */
  cached: boolean
}

interface Metadata {
  fetchedAt: number
  distTags: Record<string, string>
  versions: Record<string, { tarball: string; integrity?: string; shasum?: string }>
}

const DEFAULT_LIMITS: RegistryLimits = {
  maxMetadataBytes: 32 * 1024 * 1024,
  maxTarballBytes: 32 * 1024 * 1024,
  maxUnpackedBytes: 128 * 1024 * 1024,
}
/** What a bundle can read from a package; type declarations and source maps are left behind. */
const BUNDLEABLE = /\.(m?js|cjs|jsx|tsx?|mts|cts|json|css)$/
const DECLARATION = /\.d\.[mc]?ts$/
const NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const strict = new TextDecoder('utf-8', { fatal: true })

function registryError(code: string, message: string): NexxoError {
  return NexxoError.single(code, message)
}

export class RegistryClient {
  readonly url: string
  private readonly limits: RegistryLimits
  private readonly maxAge: number
  private readonly fetchFn: typeof fetch
  /** This client's lifetime: one answer per metadata document and per package version. */
  private readonly metadata = new Map<string, Promise<Metadata>>()
  private readonly packages = new Map<string, Promise<PackageFiles>>()

  constructor(private readonly options: RegistryOptions = {}) {
    this.url = registryUrl(options.url)
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.maxAge = options.metadataMaxAgeMs ?? 10 * 60 * 1000
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init))
  }

  /** The newest version of `name` that `range` (a semver range or a dist-tag) allows. */
  async resolve(name: string, range: string): Promise<ResolvedVersion> {
    if (!NAME.test(name)) throw registryError('INVALID_PACKAGE', `'${name}' is not a valid npm package name.`)
    const spec = range.trim() === '' ? 'latest' : range.trim()
    if (/^(npm:|file:|link:|workspace:|git|github:|https?:)|\//.test(spec)) {
      throw registryError(
        'UNSUPPORTED_SPEC',
        `${name}@${spec}: only registry versions, ranges and dist-tags can be installed in memory.`,
      )
    }
    const meta = await this.metadataOf(name)
    const version = pickVersion(meta, spec)
    if (!version) {
      const known = Object.keys(meta.versions)
      throw registryError(
        'NO_MATCHING_VERSION',
        `No version of ${name} matches '${spec}' (the registry has ${known.length}: ${known.slice(-5).join(', ')}${known.length > 5 ? ', …' : ''}).`,
      )
    }
    return { name, version, ...meta.versions[version]! }
  }

  /** The bundleable files of `name@range`, from the cache or the registry. */
  async install(name: string, range: string): Promise<PackageFiles> {
    const resolved = await this.resolve(name, range)
    return singleFlight(this.packages, `${resolved.name}@${resolved.version}`, () => this.filesOf(resolved))
  }

  private cacheKey(kind: 'meta' | 'files', id: string): string {
    return `npm:${kind}:${this.url}${id}`
  }

  private metadataOf(name: string): Promise<Metadata> {
    return singleFlight(this.metadata, name, () => this.loadMetadata(name))
  }

  /** Fresh cached metadata, else the registry's; stale cached metadata if the registry cannot answer. */
  private async loadMetadata(name: string): Promise<Metadata> {
    const { cache } = this.options
    const key = this.cacheKey('meta', name)
    const stored = await cache?.get(key).catch(() => undefined)
    const cached = stored ? parseCachedMetadata(stored) : undefined
    if (cached && Date.now() - cached.fetchedAt < this.maxAge) return cached
    let fresh: Metadata
    try {
      fresh = await this.fetchMetadata(name)
    } catch (e) {
      if (cached && e instanceof NexxoError && e.code === 'REGISTRY_UNREACHABLE') return cached
      throw e
    }
    await cache?.put(key, encoder.encode(JSON.stringify(fresh))).catch(() => {})
    return fresh
  }

  private async fetchMetadata(name: string): Promise<Metadata> {
    const url = `${this.url}${name.replace('/', '%2f')}`
    // The abbreviated document ("corgi"): a tenth of the full one, and all an installer needs.
    const body = await this.get(url, this.limits.maxMetadataBytes, `metadata of ${name}`, {
      accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8',
    })
    let doc: { versions?: Record<string, { dist?: { tarball?: string; integrity?: string; shasum?: string } }> } & {
      'dist-tags'?: Record<string, string>
    }
    try {
      doc = JSON.parse(decoder.decode(body))
    } catch {
      throw registryError('REGISTRY_ERROR', `The metadata of ${name} from ${url} is not JSON.`)
    }
    const versions: Metadata['versions'] = {}
    for (const [version, info] of Object.entries(doc.versions ?? {})) {
      const tarball = info?.dist?.tarball
      if (!semver.valid(version) || typeof tarball !== 'string') continue
      versions[version] = {
        tarball,
        ...(typeof info.dist?.integrity === 'string' ? { integrity: info.dist.integrity } : {}),
        ...(typeof info.dist?.shasum === 'string' ? { shasum: info.dist.shasum } : {}),
      }
    }
    const distTags: Record<string, string> = {}
    for (const [tag, v] of Object.entries(doc['dist-tags'] ?? {})) if (typeof v === 'string') distTags[tag] = v
    return { fetchedAt: Date.now(), distTags, versions }
  }

  private async filesOf(resolved: ResolvedVersion): Promise<PackageFiles> {
    const { cache } = this.options
    const id = `${resolved.name}@${resolved.version}`
    const key = this.cacheKey('files', id)
    const stored = await cache?.get(key).catch(() => undefined)
    if (stored) {
      try {
        const entry = JSON.parse(decoder.decode(stored)) as { integrity?: string; files: Record<string, string> }
        if (entry.integrity === (resolved.integrity ?? resolved.shasum)) {
          return { name: resolved.name, version: resolved.version, files: entry.files, cached: true }
        }
      } catch {
        // A foreign or older entry: fetch again and overwrite it.
      }
    }
    const tgz = await this.get(resolved.tarball, this.limits.maxTarballBytes, `tarball of ${id}`)
    await checkIntegrity(tgz, resolved)
    const unpacked = await unpackTarball(tgz, { maxBytes: this.limits.maxUnpackedBytes })
    const files: Record<string, string> = {}
    for (const [path, bytes] of unpacked.files) {
      if (!BUNDLEABLE.test(path) || DECLARATION.test(path)) continue
      try {
        files[path] = strict.decode(bytes)
      } catch {
        // Not UTF-8: no bundle could read it as code anyway.
      }
    }
    const entry = { integrity: resolved.integrity ?? resolved.shasum, files }
    await cache?.put(key, encoder.encode(JSON.stringify(entry))).catch(() => {})
    return { name: resolved.name, version: resolved.version, files, cached: false }
  }

  /** GET with a size bound that holds while the body streams, not only by Content-Length. */
  private async get(url: string, maxBytes: number, what: string, headers: Record<string, string> = {}) {
    let response: Response
    try {
      response = await this.fetchFn(url, { headers, redirect: 'follow' })
    } catch (e) {
      // A refusal by the fetch itself (the edge's origin check) keeps its own code.
      if (e instanceof NexxoError) throw e
      throw registryError('REGISTRY_UNREACHABLE', `Fetching the ${what} from ${url} failed: ${(e as Error).message}`)
    }
    if (response.status === 404) {
      throw registryError('PACKAGE_NOT_FOUND', `The registry has no ${what} (404 from ${url}).`)
    }
    if (!response.ok) {
      const code = response.status >= 500 ? 'REGISTRY_UNREACHABLE' : 'REGISTRY_ERROR'
      throw registryError(code, `The registry answered ${response.status} for the ${what} (${url}).`)
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN)
    const tooBig = () =>
      registryError('TOO_LARGE', `The ${what} is larger than ${maxBytes} bytes (${url}); raise the registry limits.`)
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw tooBig()
    }
    return response.body ? readBounded(response.body, maxBytes, tooBig) : new Uint8Array()
  }
}

/** One answer per key for the map's lifetime; a failure is forgotten, so the next call tries again. */
function singleFlight<T>(answers: Map<string, Promise<T>>, key: string, work: () => Promise<T>): Promise<T> {
  let pending = answers.get(key)
  if (!pending) {
    pending = work()
    answers.set(key, pending)
    pending.catch(() => answers.delete(key))
  }
  return pending
}

/** npm's choice: the `latest` tag when the range allows it, else the highest matching version. */
export function pickVersion(meta: Pick<Metadata, 'distTags' | 'versions'>, spec: string): string | undefined {
  const tagged = meta.distTags[spec]
  if (tagged !== undefined) return meta.versions[tagged] ? tagged : undefined
  if (semver.valid(spec)) return meta.versions[spec] ? semver.clean(spec)! : undefined
  if (!semver.validRange(spec)) return undefined
  const latest = meta.distTags.latest
  if (latest && meta.versions[latest] && semver.satisfies(latest, spec)) return latest
  return semver.maxSatisfying(Object.keys(meta.versions), spec) ?? undefined
}

function parseCachedMetadata(bytes: Uint8Array): Metadata | undefined {
  try {
    const m = JSON.parse(decoder.decode(bytes)) as Metadata
    return typeof m.fetchedAt === 'number' && m.versions && m.distTags ? m : undefined
  } catch {
    return undefined
  }
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/** The tarball against the metadata's integrity (sha512 SRI) or, for old registries, its sha1 shasum. */
async function checkIntegrity(tgz: Uint8Array, resolved: ResolvedVersion): Promise<void> {
  const id = `${resolved.name}@${resolved.version}`
  const sri = resolved.integrity
    ?.split(/\s+/)
    .map((s) => /^(sha512|sha384|sha256)-(.+)$/.exec(s))
    .find((m) => m !== null)
  let ok: boolean
  if (sri) {
    const algorithm = { sha512: 'SHA-512', sha384: 'SHA-384', sha256: 'SHA-256' }[sri[1] as 'sha512']
    ok = toBase64(new Uint8Array(await crypto.subtle.digest(algorithm, tgz as BufferSource))) === sri[2]
  } else if (resolved.shasum) {
    ok = toHex(new Uint8Array(await crypto.subtle.digest('SHA-1', tgz as BufferSource))) === resolved.shasum
  } else {
    throw registryError(
      'INTEGRITY',
      `The registry gave no integrity or shasum for ${id}; refusing an unchecked tarball.`,
    )
  }
  if (!ok) {
    throw registryError('INTEGRITY', `The tarball of ${id} does not match its integrity in the registry's metadata.`)
  }
}
