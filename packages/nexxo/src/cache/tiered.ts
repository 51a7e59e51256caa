// A memory tier in front of a slower store (the Cache API, a KV namespace): reads are answered from
// memory when they can be, writes land in memory at once and reach the store in the background.
// At the edge a Cache API read costs 3-6 ms (Deno's is on disk, workerd's a subrequest); a repeat
// request answered from memory costs well under one.

import { MemoryStore } from './memory.js'
import type { RawStore } from './store.js'

export class TieredStore implements RawStore {
  private readonly front: MemoryStore
  private readonly pending = new Set<Promise<unknown>>()

  constructor(
    private readonly back: RawStore,
    frontBytes: number,
  ) {
    this.front = new MemoryStore(frontBytes)
  }

  get selfEvicting(): boolean | undefined {
    return this.back.selfEvicting
  }

  get maxBytes(): number | undefined {
    return this.back.maxBytes
  }

  async get(key: string, options?: { touch?: boolean }): Promise<Uint8Array | undefined> {
    const near = await this.front.get(key, options)
    if (near !== undefined) return near
    const far = await this.back.get(key, options)
    if (far !== undefined) await this.front.put(key, far)
    return far
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.front.put(key, value)
    this.background(this.back.put(key, value))
  }

  async delete(key: string): Promise<void> {
    await this.front.delete(key)
    // A write still on its way would bring the entry back after the delete.
    await this.flush()
    await this.back.delete(key)
  }

  async *keys(): AsyncIterable<string> {
    await this.flush()
    yield* this.back.keys()
  }

  /** Settles when every write so far has reached the store (or failed: the memory copy stays). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending)
  }

  async close(): Promise<void> {
    await this.flush()
    await this.back.close()
  }

  private background(write: Promise<unknown>) {
    const tracked = write.catch(() => {}).finally(() => this.pending.delete(tracked))
    this.pending.add(tracked)
  }
}
