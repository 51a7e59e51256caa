// Any RawStore made into a Cache: versioned keys, sealed values, hit/miss/corrupt counts.

import { BoundedStore } from './bounded.js'
import { type HashHex, open, seal } from './envelope.js'
import { type RemoteStore, RemoteTier } from './remote.js'
import type { Cache, CacheStats, RawStore } from './store.js'

/** Keys of this format live under this prefix; entries of other formats are ignored (and cleared). */
export const KEY_PREFIX = 'nexxo:v1:'

const isEntry = (key: string) => key.startsWith(KEY_PREFIX)

/**
 * `raw` bounded to `maxBytes` (least recently used out first, other formats out on the first scan),
 * sealed; with `remote`, a tier behind the bounded store that is asked on a local miss and sent
 * every new entry (sealed: the remote's bytes are opened and checked like local ones).
 */
export function boundedCache(raw: RawStore, hash: HashHex, maxBytes: number, remote?: RemoteStore): IntegrityCache {
  return new IntegrityCache(withRemote(raw.selfEvicting ? raw : new BoundedStore(raw, maxBytes, isEntry), remote), hash)
}

/** Builds are shared through a remote; the last-build record and registry entries stay this machine's. */
const isShared = (key: string) => key.startsWith(`${KEY_PREFIX}build:`)

/** `local`, with `remote` (if any) behind it for the builds it holds. */
export const withRemote = (local: RawStore, remote: RemoteStore | undefined): RawStore =>
  remote ? new RemoteTier(local, remote, isShared) : local

export class IntegrityCache implements Cache {
  private hits = 0
  private misses = 0
  private corrupt = 0

  constructor(
    private readonly raw: RawStore,
    private readonly hash: HashHex,
  ) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const stored = await this.raw.get(KEY_PREFIX + key)
    if (stored === undefined) {
      this.misses++
      return undefined
    }
    const payload = open(stored, this.hash)
    if (payload === undefined) {
      // A damaged entry is worse than none: drop it so the next build rewrites it.
      this.corrupt++
      this.misses++
      await this.raw.delete(KEY_PREFIX + key)
      return undefined
    }
    this.hits++
    return payload
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.raw.put(KEY_PREFIX + key, seal(value, this.hash))
  }

  async has(key: string): Promise<boolean> {
    const stored = await this.raw.get(KEY_PREFIX + key)
    return stored !== undefined && open(stored, this.hash) !== undefined
  }

  async delete(key: string): Promise<void> {
    await this.raw.delete(KEY_PREFIX + key)
  }

  async stats(): Promise<CacheStats> {
    let entries = 0
    let bytes = 0
    for await (const key of this.raw.keys()) {
      if (!key.startsWith(KEY_PREFIX)) continue
      entries++
      bytes += (await this.raw.get(key, { touch: false }))?.length ?? 0
    }
    const stats: CacheStats = { entries, bytes, hits: this.hits, misses: this.misses, corrupt: this.corrupt }
    if (this.raw.maxBytes !== undefined) stats.maxBytes = this.raw.maxBytes
    return stats
  }

  async verify(): Promise<{ checked: number; corrupt: number }> {
    let checked = 0
    let corrupt = 0
    for await (const key of this.raw.keys()) {
      if (!key.startsWith(KEY_PREFIX)) continue
      checked++
      const stored = await this.raw.get(key, { touch: false })
      if (stored === undefined || open(stored, this.hash) === undefined) {
        corrupt++
        await this.raw.delete(key)
      }
    }
    this.corrupt += corrupt
    return { checked, corrupt }
  }

  async clear(): Promise<void> {
    const all: string[] = []
    for await (const key of this.raw.keys()) all.push(key)
    for (const key of all) await this.raw.delete(key)
  }

  close(): Promise<void> {
    return this.raw.close()
  }
}
