// The Cache API (`caches.default` in Workers, `caches.open` in Deno, browsers and service workers) as
// a RawStore: the cache at the edge. Keys become URLs under a host of our own; values are response
// bodies. Workers' Cache API cannot list its keys, so there `keys()` yields nothing: stats and
// verify see no entries and the platform, not Nexxo, evicts (do not wrap this store in BoundedStore
// there).

import type { RawStore } from './store.js'

/** Requests never leave the runtime: the Cache API matches by URL alone. */
const ORIGIN = 'https://cache.nexxo.invalid/'

interface CacheLike {
  match(request: string): Promise<Response | undefined>
  put(request: string, response: Response): Promise<void>
  delete(request: string): Promise<boolean>
  keys?(): Promise<readonly Request[]>
}

interface CacheStorageLike {
  open(name: string): Promise<CacheLike>
  default?: CacheLike
}

export class CacheApiStore implements RawStore {
  /** Workers' cache cannot be listed and evicts by itself; a listable one is bounded like any store. */
  get selfEvicting(): boolean {
    return !this.listable
  }

  private constructor(
    private readonly cache: CacheLike,
    /** Workers' `caches.default` has a `keys` method that throws "not implemented". */
    private readonly listable: boolean,
  ) {}

  /** `caches.default` where it exists (Workers), else the named cache from `caches.open`. */
  static async open(name = 'nexxo-cache', storage?: CacheStorageLike): Promise<CacheApiStore> {
    const caches = storage ?? (globalThis as { caches?: CacheStorageLike }).caches
    if (!caches) throw new Error('This runtime has no Cache API (globalThis.caches is undefined).')
    const store = caches.default
      ? new CacheApiStore(caches.default, false)
      : await caches.open(name).then((cache) => new CacheApiStore(cache, typeof cache.keys === 'function'))
    // workerd with no cache service configured has a `caches.default` whose every call throws ("No
    // Cache was configured"): found here, once, rather than in the first build.
    await store.get('nexxo-probe')
    return store
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const response = await this.cache.match(ORIGIN + encodeURIComponent(key))
    return response ? new Uint8Array(await response.arrayBuffer()) : undefined
  }

  put(key: string, value: Uint8Array): Promise<void> {
    const response = new Response(value as BufferSource, {
      // Workers keep a response only as long as its Cache-Control allows.
      headers: { 'content-type': 'application/octet-stream', 'cache-control': 'public, max-age=31536000' },
    })
    return this.cache.put(ORIGIN + encodeURIComponent(key), response)
  }

  async delete(key: string): Promise<void> {
    await this.cache.delete(ORIGIN + encodeURIComponent(key))
  }

  async *keys(): AsyncIterable<string> {
    if (!this.listable) return
    for (const request of await this.cache.keys!()) {
      if (request.url.startsWith(ORIGIN)) yield decodeURIComponent(request.url.slice(ORIGIN.length))
    }
  }

  async close(): Promise<void> {}
}
