// RocksDB (npm `rocksdb`, a prebuilt Node-API binary) as a RawStore: the native cache on Node and Bun.
// Each put is atomic through RocksDB's write-ahead log, so a killed process leaves whole entries.

import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { BatchOp, RawStore } from './store.js'

type Callback<T = void> = (error: Error | null | undefined, value: T) => void

interface RocksIterator {
  next(callback: (error: Error | null | undefined, key?: string) => void): void
  end(callback: Callback): void
}

interface RocksDB {
  open(options: { createIfMissing: boolean }, callback: Callback): void
  get(key: string, options: { asBuffer: true }, callback: Callback<Buffer>): void
  put(key: string, value: Uint8Array, callback: Callback): void
  del(key: string, callback: Callback): void
  batch(ops: ({ type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string })[], callback: Callback): void
  iterator(options: { keys: true; values: false; keyAsBuffer: false }): RocksIterator
  close(callback: Callback): void
}

const call = <T>(fn: (callback: Callback<T>) => void) =>
  new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))))

/** Thrown when another process holds the cache directory for longer than we were willing to wait. */
export class CacheLockedError extends Error {
  constructor(
    readonly dir: string,
    waitedMs: number,
  ) {
    super(`The cache at ${dir} is in use by another process (waited ${waitedMs} ms).`)
    this.name = 'CacheLockedError'
  }
}

// abstract-leveldown stores anything that is not a Buffer as String(value): "1,2,3".
const toBuffer = (value: Uint8Array) => Buffer.from(value.buffer, value.byteOffset, value.byteLength)

const isLockError = (e: unknown) => /lock/i.test(String((e as Error)?.message))

export class RocksStore implements RawStore {
  private constructor(private readonly db: RocksDB) {}

  /** Opens (creating) the store in `dir`; if another process holds it, retries until `lockTimeoutMs`. */
  static async open(dir: string, { lockTimeoutMs = 5000 } = {}): Promise<RocksStore> {
    mkdirSync(dir, { recursive: true })
    const rocksdb = createRequire(import.meta.url)('rocksdb') as (location: string) => RocksDB
    const started = Date.now()
    for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
      const db = rocksdb(dir)
      try {
        await call((cb) => db.open({ createIfMissing: true }, cb))
        return new RocksStore(db)
      } catch (e) {
        if (!isLockError(e)) throw e
        const waited = Date.now() - started
        if (waited >= lockTimeoutMs) throw new CacheLockedError(dir, waited)
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await call<Buffer>((cb) => this.db.get(key, { asBuffer: true }, cb))
    } catch (e) {
      if (/NotFound/i.test(String((e as Error).message))) return undefined
      throw e
    }
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return call((cb) => this.db.put(key, toBuffer(value), cb))
  }

  delete(key: string): Promise<void> {
    return call((cb) => this.db.del(key, cb))
  }

  /** One RocksDB write batch: all of it reaches the log, or none. */
  batch(ops: BatchOp[]): Promise<void> {
    const rocksOps = ops.map((op) =>
      op.type === 'put' ? { type: 'put' as const, key: op.key, value: toBuffer(op.value) } : op,
    )
    return call((cb) => this.db.batch(rocksOps, cb))
  }

  async *keys(): AsyncIterable<string> {
    const it = this.db.iterator({ keys: true, values: false, keyAsBuffer: false })
    try {
      for (;;) {
        const key = await new Promise<string | undefined>((resolve, reject) =>
          it.next((error, k) => (error ? reject(error) : resolve(k))),
        )
        if (key === undefined) return
        yield key
      }
    } finally {
      await call((cb) => it.end(cb))
    }
  }

  close(): Promise<void> {
    return call((cb) => this.db.close(cb))
  }
}
