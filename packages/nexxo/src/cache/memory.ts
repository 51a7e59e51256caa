// A bounded in-memory store: least recently used entries go first once `maxBytes` is reached.

import type { RawStore } from './store.js'

export class MemoryStore implements RawStore {
  // A Map iterates in insertion order; re-inserting on every read keeps the oldest use first.
  private readonly entries = new Map<string, Uint8Array>()
  private bytes = 0

  constructor(readonly maxBytes = 50 * 1024 * 1024) {}

  async get(key: string, options?: { touch?: boolean }): Promise<Uint8Array | undefined> {
    const value = this.entries.get(key)
    if (value !== undefined && options?.touch !== false) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.delete(key)
    if (value.length > this.maxBytes) return
    this.entries.set(key, value)
    this.bytes += value.length
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= old.length
    }
  }

  async delete(key: string): Promise<void> {
    const old = this.entries.get(key)
    if (old === undefined) return
    this.entries.delete(key)
    this.bytes -= old.length
  }

  async *keys(): AsyncIterable<string> {
    yield* [...this.entries.keys()]
  }

  async close(): Promise<void> {
    this.entries.clear()
    this.bytes = 0
  }
}
