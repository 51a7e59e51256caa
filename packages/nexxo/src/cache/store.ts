// One cache interface for every home (RocksDB on Node and Bun, IndexedDB in browsers, the Cache API
// at the edge, memory anywhere). Adapters store raw bytes; `IntegrityCache` wraps any of them with
// what every cache needs alike: a format version in the key space, a hash inside every value, and
// statistics.

/** What an adapter implements: plain bytes by string key, nothing else. */
export interface RawStore {
  /** `touch: false` reads without counting as a use (stats and verify must not reorder the LRU). */
  get(key: string, options?: { touch?: boolean }): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  delete(key: string): Promise<void>
  /** Every key, for stats, verify and clear. */
  keys(): AsyncIterable<string>
  /** The store's size bound, when it enforces one. */
  readonly maxBytes?: number
  /**
   * The platform evicts entries on its own and the store cannot list its keys (Workers' Cache API,
   * a KV namespace): no LRU is kept on top of it.
   */
  readonly selfEvicting?: boolean
  /** Several writes that land all together or not at all, where the store can promise that. */
  batch?(ops: BatchOp[]): Promise<void>
  close(): Promise<void>
}

export type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

/** Runs `ops` atomically when the store can, else one by one in order. */
export async function applyBatch(store: RawStore, ops: BatchOp[]): Promise<void> {
  if (store.batch) return store.batch(ops)
  for (const op of ops) await (op.type === 'put' ? store.put(op.key, op.value) : store.delete(op.key))
}

export interface CacheStats {
  /** Entries of the current format (walks the store). */
  entries: number
  /** Bytes of those entries' values, envelopes included. */
  bytes: number
  /** Since this cache was opened. */
  hits: number
  misses: number
  /** Values whose hash did not match: each was deleted and counted as a miss. */
  corrupt: number
  /** The size bound, when the store has one. */
  maxBytes?: number
}

export interface Cache {
  get(key: string): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  has(key: string): Promise<boolean>
  delete(key: string): Promise<void>
  stats(): Promise<CacheStats>
  /** Reads every entry and checks its hash; corrupt ones are deleted. */
  verify(): Promise<{ checked: number; corrupt: number }>
  /** Deletes every entry, of any format version. */
  clear(): Promise<void>
  close(): Promise<void>
}

/**
 * A store found damage on disk (RocksDB: a checksum that fails, a table it cannot decode). It stays
 * unusable until repaired or removed; builds go on without it.
 */
export class CacheCorruptError extends Error {
  constructor(
    readonly dir: string,
    cause: Error,
  ) {
    super(
      `The cache at ${dir} is damaged on disk (${cause.message}); \`nexxo cache verify\` repairs it, \`nexxo cache clear\` removes it.`,
      { cause },
    )
    this.name = 'CacheCorruptError'
  }
}
