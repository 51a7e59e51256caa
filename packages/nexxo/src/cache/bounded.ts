// A size bound over any RawStore: each value has a small record of its size and last use beside it,
// and once the values pass `maxBytes` the least recently used go until a fifth of the bound is free
// (so eviction does not rerun on every put). The same scan drops entries that `keep` rejects (other
// format versions) and records whose value is gone. A read rewrites its entry's record at most once
// per `touchEveryMs`: the LRU needs no finer order, and a hit that wrote every time cost a disk write
// per hit (Deno's Cache API, RocksDB).

import { applyBatch, type BatchOp, type RawStore } from './store.js'

/** Usage records live under this prefix, outside every format's key space. */
export const USAGE_PREFIX = 'nexxo-lru:'

const encodeUsage = (usedAt: number, size: number) => {
  const bytes = new Uint8Array(16)
  const view = new DataView(bytes.buffer)
  view.setFloat64(0, usedAt)
  view.setFloat64(8, size)
  return bytes
}

/** A damaged or missing record makes its entry look oldest, so it goes first. */
const decodeUsage = (bytes: Uint8Array | undefined) => {
  if (bytes?.length !== 16) return { usedAt: 0, size: undefined }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16)
  return { usedAt: view.getFloat64(0), size: view.getFloat64(8) }
}

export class BoundedStore implements RawStore {
  /** Bytes of values, as of the last scan plus what this process wrote since. */
  private usage: number | undefined
  private scanning: Promise<void> | undefined
  /** Entries dropped by eviction since this store was opened. */
  evicted = 0
  /** When this process last wrote each entry's record on a read. */
  private touched = new Map<string, number>()

  constructor(
    private readonly raw: RawStore,
    readonly maxBytes: number,
    private readonly keep: (key: string) => boolean = () => true,
    private readonly now: () => number = Date.now,
    private readonly touchEveryMs = 60_000,
  ) {}

  async get(key: string, options?: { touch?: boolean }): Promise<Uint8Array | undefined> {
    const value = await this.raw.get(key)
    if (value !== undefined && options?.touch !== false) {
      const now = this.now()
      const last = this.touched.get(key)
      if (last === undefined || now - last >= this.touchEveryMs) {
        // Bounded like the store: a process that reads very many keys starts its record over.
        if (this.touched.size >= 100_000) this.touched.clear()
        this.touched.set(key, now)
        await this.raw.put(USAGE_PREFIX + key, encodeUsage(now, value.length))
      }
    }
    return value
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    // A value larger than the whole bound would only evict everything else and then itself.
    if (value.length > this.maxBytes) return
    await applyBatch(this.raw, [
      { type: 'put', key, value },
      { type: 'put', key: USAGE_PREFIX + key, value: encodeUsage(this.now(), value.length) },
    ])
    if (this.usage !== undefined) this.usage += value.length
    if (this.usage === undefined || this.usage > this.maxBytes) await this.scan()
  }

  delete(key: string): Promise<void> {
    return applyBatch(this.raw, [
      { type: 'del', key },
      { type: 'del', key: USAGE_PREFIX + key },
    ])
  }

  async *keys(): AsyncIterable<string> {
    for await (const key of this.raw.keys()) if (!key.startsWith(USAGE_PREFIX)) yield key
  }

  /** Measures the store and evicts down to the bound; concurrent callers share one scan. */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => {
      this.scanning = undefined
    })
    return this.scanning
  }

  private async scanOnce(): Promise<void> {
    const usage = new Map<string, ReturnType<typeof decodeUsage>>()
    const values: string[] = []
    for await (const key of this.raw.keys()) {
      if (key.startsWith(USAGE_PREFIX)) usage.set(key.slice(USAGE_PREFIX.length), decodeUsage(await this.raw.get(key)))
      else values.push(key)
    }
    const drop: BatchOp[] = []
    const live: { key: string; usedAt: number; size: number }[] = []
    const present = new Set(values)
    for (const key of values) {
      if (!this.keep(key)) {
        drop.push({ type: 'del', key }, { type: 'del', key: USAGE_PREFIX + key })
        continue
      }
      const record = usage.get(key)
      const size = record?.size ?? (await this.raw.get(key))?.length ?? 0
      live.push({ key, usedAt: record?.usedAt ?? 0, size })
    }
    for (const key of usage.keys()) if (!present.has(key)) drop.push({ type: 'del', key: USAGE_PREFIX + key })
    let total = live.reduce((sum, e) => sum + e.size, 0)
    if (total > this.maxBytes) {
      live.sort((a, b) => a.usedAt - b.usedAt)
      for (const entry of live) {
        if (total <= this.maxBytes * 0.8) break
        drop.push({ type: 'del', key: entry.key }, { type: 'del', key: USAGE_PREFIX + entry.key })
        total -= entry.size
        this.evicted++
      }
    }
    if (drop.length > 0) await applyBatch(this.raw, drop)
    this.usage = total
  }

  close(): Promise<void> {
    return this.raw.close()
  }
}
