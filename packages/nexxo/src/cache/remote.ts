// A remote cache tier on a server that already exists: the Turborepo remote cache HTTP API
// (`GET`/`PUT /v8/artifacts/:hash`, a bearer token, a team), which turborepo-remote-cache (file
// system, S3, ...), Vercel's and others serve. Entries stay sealed as local ones are (their
// envelope's hash is checked where they are opened); with a shared signature key each upload also
// carries an `x-artifact-tag` HMAC, as Turborepo signs its own, and a download whose tag does not
// verify is a miss. A remote that is down, slow or refuses us never fails a build: the first
// fault turns the remote off for the rest of the process with one warning, and the build goes on
// with its local cache. Only `fetch` and Web Crypto: the same code runs on Node, Bun, Deno,
// workerd and in browsers.

import type { HashHex } from './envelope.js'
import { applyBatch, type BatchOp, type RawStore } from './store.js'

export interface RemoteCacheOptions {
  /** The server's base URL: `https://cache.example.com` (the API's paths go under it). */
  url: string
  /** The bearer token, when the server asks for one. */
  token?: string
  /** Where the token came from, to name it when the server refuses it (`NEXXO_REMOTE_CACHE_TOKEN`). */
  tokenSource?: string
  /** The team (`?teamId=`): artifacts are scoped to it. */
  team?: string
  /** A key every machine of the team shares: uploads are signed with it, downloads must verify. */
  signatureKey?: string
  /** Download only (machines that are not trusted to write, such as a contributor's laptop). */
  readOnly?: boolean
  /** Per request, in ms (2,000 by default); past it the remote is off for the process. */
  timeoutMs?: number
  /** The largest artifact taken, in bytes (512 MB by default); a larger one is a miss. */
  maxBytes?: number
}

/** What the remote did since it was opened: `nexxo cache stats` prints these. */
export interface RemoteStats {
  url: string
  hits: number
  misses: number
  /** Downloads refused: a signature that did not verify, a body over the bound. */
  refused: number
  /** Uploads begun, and those that reached the server. */
  started: number
  uploads: number
  bytesDown: number
  bytesUp: number
  readOnly: boolean
  /** Why the remote was turned off, if it was. */
  off?: string
}

export const DEFAULT_REMOTE_TIMEOUT_MS = 2000
/** The longest a closing bundler waits for its uploads. */
const DEFAULT_SETTLE_MS = 5000
const DEFAULT_REMOTE_MAX_BYTES = 512 * 1024 * 1024

const encoder = new TextEncoder()

/**
 * A remote cache: sealed entries by a hash of their keys. It reads and writes only (no listing, no
 * deletes), so it is never a store of its own: `RemoteTier` puts it behind one. What every kind
 * shares is here (counting, signing, the first fault turning it off, background uploads); each
 * kind says how an artifact travels.
 */
export abstract class RemoteStore {
  readonly stats: RemoteStats
  /** The remote as warnings name it (its URL, without credentials). */
  protected readonly base: string
  private readonly signing: Promise<CryptoKey> | undefined
  /** What went wrong since the last `takeWarnings`: a build reports them as its own. */
  private warnings: string[] = []
  private readonly uploads = new Set<Promise<void>>()

  constructor(
    protected readonly options: RemoteCacheOptions,
    private readonly hash: HashHex,
  ) {
    // Checked by the bundler's options (build/remote-cache.ts) before it gets here.
    const url = new URL(options.url)
    url.username = ''
    url.password = ''
    this.base = url.href.replace(/\/+$/, '')
    this.stats = {
      url: this.base,
      hits: 0,
      misses: 0,
      refused: 0,
      started: 0,
      uploads: 0,
      bytesDown: 0,
      bytesUp: 0,
      readOnly: options.readOnly === true,
    }
    this.signing = options.signatureKey
      ? crypto.subtle.importKey('raw', encoder.encode(options.signatureKey), { name: 'HMAC', hash: 'SHA-256' }, false, [
          'sign',
          'verify',
        ])
      : undefined
  }

  takeWarnings(): string[] {
    const taken = this.warnings
    this.warnings = []
    return taken
  }

  private warn(message: string) {
    this.warnings.push(message)
  }

  get usable(): boolean {
    return this.stats.off === undefined
  }

  /** The largest artifact taken (a larger one is refused, a miss). */
  protected get maxBytes(): number {
    return this.options.maxBytes ?? DEFAULT_REMOTE_MAX_BYTES
  }

  /**
   * The artifact `hash` and its tag (`x-artifact-tag`), or 'miss'; undefined after a fault or a
   * refusal, which it has turned the remote off for (`turnOff`) or counted (`refuse`).
   */
  protected abstract fetchArtifact(hash: string): Promise<{ body: Uint8Array; tag: string | null } | 'miss' | undefined>
  /** Stores the artifact `hash` (with its tag, when signing); false after a fault (turned off). */
  protected abstract storeArtifact(hash: string, body: Uint8Array, tag: string | undefined): Promise<boolean>
  /** Lets go of connections, once the uploads are settled. */
  async close(): Promise<void> {}

  async get(key: string): Promise<Uint8Array | undefined> {
    if (!this.usable) return undefined
    const hash = this.artifactHash(key)
    const found = await this.fetchArtifact(hash)
    if (found === undefined) return undefined
    if (found === 'miss') {
      this.stats.misses++
      return undefined
    }
    const { body, tag } = found
    this.stats.bytesDown += body.length
    if (body.length > this.maxBytes) return this.refuse(`an artifact over ${this.maxBytes} bytes`)
    if (this.signing && !(await this.verifies(hash, body, tag))) {
      return this.refuse('an artifact whose signature does not verify')
    }
    this.stats.hits++
    return body
  }

  private async put(key: string, value: Uint8Array): Promise<void> {
    if (!this.usable || this.options.readOnly) return
    this.stats.started++
    const hash = this.artifactHash(key)
    const tag = this.signing ? await this.tag(hash, value) : undefined
    if (!(await this.storeArtifact(hash, value, tag))) return
    this.stats.uploads++
    this.stats.bytesUp += value.length
  }

  /** Uploads `value` in the background: `settle` waits for it. */
  upload(key: string, value: Uint8Array): void {
    const going: Promise<void> = this.put(key, value)
      .catch(() => {})
      .finally(() => this.uploads.delete(going))
    this.uploads.add(going)
  }

  /**
   * Waits for the uploads still going, at most `waitMs` (each is bounded by the timeout too), so
   * that a build's exit is slowed by no more than that; those left are said in one warning.
   */
  async settle(waitMs = DEFAULT_SETTLE_MS): Promise<void> {
    if (this.uploads.size === 0) return
    let timer: ReturnType<typeof setTimeout> | undefined
    const settled = await Promise.race([
      Promise.all(this.uploads).then(() => true),
      new Promise<false>((done) => {
        timer = setTimeout(() => done(false), waitMs)
      }),
    ])
    clearTimeout(timer)
    if (!settled) {
      this.warn(
        `${this.uploads.size} upload(s) to the remote cache at ${this.base} did not finish within ${waitMs} ms.`,
      )
    }
  }

  /** The artifact's name on the server: a hex hash, as the API's are (keys hold colons). */
  private artifactHash(key: string): string {
    return this.hash(encoder.encode(key))
  }

  protected refuse(what: string): undefined {
    this.stats.refused++
    this.stats.misses++
    this.warn(`The remote cache at ${this.base} sent ${what}; it is a miss and was not used.`)
    return undefined
  }

  /**
   * The remote is off for the rest of the process: one warning, and local builds from here on.
   * `refused`: the remote refused the token (HTTP 401/403, Redis's NOAUTH/WRONGPASS).
   */
  protected turnOff(why: string, refused = false, status?: number): undefined {
    if (this.stats.off !== undefined) return
    this.stats.off = why
    const token = this.options.token
      ? `the token from ${this.options.tokenSource ?? 'the remote cache options'}`
      : 'no token (set NEXXO_REMOTE_CACHE_TOKEN)'
    this.warn(
      refused
        ? `The remote cache at ${this.base} refused ${token}${status ? ` (${status})` : ''}; building with the local cache only.`
        : `The remote cache at ${this.base} ${why}; building with the local cache only.`,
    )
  }

  private async tag(hash: string, body: Uint8Array): Promise<string> {
    const key = await this.signing!
    const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, signedBytes(hash, this.options.team, body)))
    return toBase64(signature)
  }

  private async verifies(hash: string, body: Uint8Array, tag: string | null): Promise<boolean> {
    if (!tag) return false
    const signature = fromBase64(tag)
    if (!signature) return false
    return crypto.subtle.verify('HMAC', await this.signing!, signature, signedBytes(hash, this.options.team, body))
  }
}

/**
 * The Turborepo remote cache API: `GET`/`PUT /v8/artifacts/:hash?teamId=`, a bearer token, the
 * tag in `x-artifact-tag`.
 */
export class TurboRemoteStore extends RemoteStore {
  protected async fetchArtifact(hash: string): Promise<{ body: Uint8Array; tag: string | null } | 'miss' | undefined> {
    const response = await this.request('GET', hash)
    if (!response) return undefined
    if (response.status === 404) return 'miss'
    if (!response.ok) {
      await response.body?.cancel()
      return this.turnOff(`answered GET with ${response.status}`, isRefusal(response.status), response.status)
    }
    if (Number(response.headers.get('content-length') ?? 0) > this.maxBytes) {
      await response.body?.cancel()
      return this.refuse(`an artifact over ${this.maxBytes} bytes`)
    }
    try {
      return { body: new Uint8Array(await response.arrayBuffer()), tag: response.headers.get('x-artifact-tag') }
    } catch (e) {
      // A body cut short (the server went away mid-download) or too slow: the timeout's abort.
      return this.turnOff(`broke off a download (${e instanceof Error ? e.message : String(e)})`)
    }
  }

  protected async storeArtifact(hash: string, body: Uint8Array, tag: string | undefined): Promise<boolean> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
    if (tag) headers['x-artifact-tag'] = tag
    const response = await this.request('PUT', hash, headers, body)
    if (!response) return false
    await response.body?.cancel()
    if (!response.ok) {
      this.turnOff(`answered PUT with ${response.status}`, isRefusal(response.status), response.status)
      return false
    }
    return true
  }

  private async request(
    method: 'GET' | 'PUT',
    hash: string,
    headers: Record<string, string> = {},
    body?: Uint8Array,
  ): Promise<Response | undefined> {
    const url = `${this.base}/v8/artifacts/${hash}${this.options.team ? `?teamId=${encodeURIComponent(this.options.team)}` : ''}`
    const timeout = this.options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS
    try {
      return await fetch(url, {
        method,
        headers: { ...headers, ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        // Entries are made in this process, never on a SharedArrayBuffer.
        ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}),
        signal: AbortSignal.timeout(timeout),
      })
    } catch (e) {
      const why =
        e instanceof Error && e.name === 'TimeoutError' ? `did not answer within ${timeout} ms` : 'is unreachable'
      this.turnOff(
        `${why} (${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)})`,
      )
      return undefined
    }
  }
}

const isRefusal = (status: number) => status === 401 || status === 403

/** What a tag signs, as Turborepo's own: the artifact's hash, the team, then its bytes. */
function signedBytes(hash: string, team: string | undefined, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(hash + (team ?? ''))
  const all = new Uint8Array(head.length + body.length)
  all.set(head)
  all.set(body, head.length)
  return all
}

const toBase64 = (bytes: Uint8Array) => {
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  return btoa(text)
}

const fromBase64 = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}

/**
 * A local store with a remote one behind it: reads go to the remote only on a local miss (and what
 * it sends is kept locally), writes land locally and go up in the background. Listing, stats and
 * deletes are the local store's: the remote can do none of them.
 */
export class RemoteTier implements RawStore {
  constructor(
    private readonly local: RawStore,
    readonly remote: RemoteStore,
    /** Which keys go up: sealed entries, not the local store's own bookkeeping. */
    private readonly shared: (key: string) => boolean,
  ) {}

  get maxBytes(): number | undefined {
    return this.local.maxBytes
  }

  async get(key: string, options?: { touch?: boolean }): Promise<Uint8Array | undefined> {
    const near = await this.local.get(key, options)
    if (near !== undefined || !this.shared(key) || options?.touch === false) return near
    const far = await this.remote.get(key)
    if (far !== undefined) await this.local.put(key, far)
    return far
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.local.put(key, value)
    if (this.shared(key)) this.remote.upload(key, value)
  }

  async batch(ops: BatchOp[]): Promise<void> {
    await applyBatch(this.local, ops)
    for (const op of ops) if (op.type === 'put' && this.shared(op.key)) this.remote.upload(op.key, op.value)
  }

  delete(key: string): Promise<void> {
    return this.local.delete(key)
  }

  keys(): AsyncIterable<string> {
    return this.local.keys()
  }

  /**
   * Closes the local store once the uploads are done (or waited for long enough). The remote is
   * not this tier's to close: one remote is behind every store of a bundler, which closes it.
   */
  async close(): Promise<void> {
    await this.remote.settle()
    await this.local.close()
  }
}
