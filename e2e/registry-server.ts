// A small npm-compatible registry on 127.0.0.1 for tests: abbreviated metadata and tarballs, the
// tarballs packed by `npm pack` from node_modules or by GNU tar from files given inline. Never the
// internet. CORS and CORP headers let pages (isolated or not) and their workers fetch from it.

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export interface PublishedVersion {
  manifest: { name: string; version: string; [field: string]: unknown }
  tgz: Uint8Array
  /** What the metadata claims; default: the tarball's real sha512. `null` leaves it (and the shasum) out. */
  integrity?: string | null
  /** A tarball URL for the metadata other than this registry's own (another origin, say). */
  tarballUrl?: string
  /** The tarball request is answered with a 302 to here. */
  redirectTo?: string
}

const sri = (bytes: Uint8Array) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`

/** A tarball of `files` under `package/`, as `npm pack` lays it out, with a package.json from `manifest`. */
export function packFiles(
  manifest: PublishedVersion['manifest'],
  files: Record<string, string>,
  /** Extra GNU tar arguments, e.g. a `--transform` that writes a hostile name. */
  tarArgs: string[] = [],
): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'nexxo-pack-'))
  try {
    const all = { 'package.json': JSON.stringify(manifest), ...files }
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(dirname(join(dir, 'package', path)), { recursive: true })
      writeFileSync(join(dir, 'package', path), text)
    }
    execFileSync('tar', ['czf', join(dir, 'out.tgz'), '-C', dir, ...tarArgs, 'package'])
    return new Uint8Array(readFileSync(join(dir, 'out.tgz')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** `npm pack` of an installed package directory (e.g. `node_modules/react`). */
export function packInstalled(packageDir: string): PublishedVersion {
  const dest = mkdtempSync(join(tmpdir(), 'nexxo-npm-pack-'))
  try {
    const out = execFileSync('npm', ['pack', packageDir, '--pack-destination', dest, '--json', '--ignore-scripts'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const [info] = JSON.parse(out) as { filename: string }[]
    const tgz = new Uint8Array(readFileSync(join(dest, info!.filename)))
    return { manifest: JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')), tgz }
  } finally {
    rmSync(dest, { recursive: true, force: true })
  }
}

export class TestRegistry {
  readonly packages = new Map<string, Map<string, PublishedVersion>>()
  /** Request paths in order, to tell what was fetched and what came from a cache. */
  readonly requests: string[] = []
  /** Package names whose metadata requests get a 503, to play an outage. */
  readonly down = new Set<string>()
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<TestRegistry> {
    let registry: TestRegistry | undefined
    const server = createServer((req, res) => registry!.handle(req.url ?? '/', res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    registry = new TestRegistry(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    return registry
  }

  publish(version: PublishedVersion, tags: Record<string, string> = {}): this {
    const { name } = version.manifest
    const versions = this.packages.get(name) ?? new Map()
    versions.set(version.manifest.version, version)
    this.packages.set(name, versions)
    Object.assign(this.tags(name), { latest: version.manifest.version, ...tags })
    return this
  }

  private readonly distTags = new Map<string, Record<string, string>>()
  private tags(name: string): Record<string, string> {
    const tags = this.distTags.get(name) ?? {}
    this.distTags.set(name, tags)
    return tags
  }

  private handle(rawPath: string, res: import('node:http').ServerResponse) {
    this.requests.push(rawPath)
    const headers = {
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    }
    const path = decodeURIComponent(rawPath.split('?')[0]!.slice(1))
    const tarball = /^(.+)\/-\/(.+)-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(path)
    if (tarball) {
      const found = this.packages.get(tarball[1]!)?.get(tarball[3]!)
      if (!found) return res.writeHead(404, headers).end('not found')
      if (found.redirectTo) return res.writeHead(302, { ...headers, location: found.redirectTo }).end()
      return res.writeHead(200, { ...headers, 'content-type': 'application/octet-stream' }).end(found.tgz)
    }
    if (this.down.has(path)) return res.writeHead(503, headers).end('down')
    const versions = this.packages.get(path)
    if (!versions) return res.writeHead(404, { ...headers, 'content-type': 'application/json' }).end('{}')
    const doc = {
      name: path,
      'dist-tags': this.tags(path),
      versions: Object.fromEntries(
        [...versions].map(([v, p]) => {
          const base = p.manifest.name.split('/').pop()
          const dist: Record<string, string> = {
            tarball: p.tarballUrl ?? `${this.url}${p.manifest.name}/-/${base}-${v}.tgz`,
          }
          if (p.integrity !== null) {
            dist.integrity = p.integrity ?? sri(p.tgz)
            dist.shasum = createHash('sha1').update(p.tgz).digest('hex')
          }
          return [v, { ...p.manifest, dist }]
        }),
      ),
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/vnd.npm.install-v1+json' }).end(JSON.stringify(doc))
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
