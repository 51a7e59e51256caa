// Any KV-like store (a Workers KV namespace through a three-line wrapper, Deno KV, Redis…) as a
// RawStore. Such stores cannot list their keys here and evict (or expire) on their own, so stats and
// verify see no entries and no LRU is kept on top.

import type { RawStore } from './store.js'

/** What a KV store must offer: bytes by string key. */
export interface KeyValueStore {
  get(key: string): Promise<Uint8Array | ArrayBuffer | null | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  delete?(key: string): Promise<void>
}

export class KeyValueRawStore implements RawStore {
  readonly selfEvicting = true

  constructor(private readonly kv: KeyValueStore) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const value = await this.kv.get(key)
    return value ? new Uint8Array(value) : undefined
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.kv.put(key, value)
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete?.(key)
  }

  async *keys(): AsyncIterable<string> {}

  async close(): Promise<void> {}
}
