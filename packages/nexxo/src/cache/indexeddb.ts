// IndexedDB (through idb-keyval) as a RawStore: the cache in browsers and workers. Values are stored
// as Uint8Array, which structured clone keeps as bytes; a batch is one readwrite transaction, so it
// commits whole or not at all.

import { createStore, del, get, keys, promisifyRequest, set, type UseStore } from 'idb-keyval'
import type { BatchOp, RawStore } from './store.js'

export class IdbStore implements RawStore {
  private constructor(private readonly store: UseStore) {}

  /** The store in database `name` (one object store, `entries`); created on first use. */
  static open(name = 'nexxo-cache'): IdbStore {
    return new IdbStore(createStore(name, 'entries'))
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value: unknown = await get(key, this.store)
    // Anything else under our key (another app's data, a foreign format) is as good as absent.
    return value instanceof Uint8Array ? value : undefined
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return set(key, value, this.store)
  }

  delete(key: string): Promise<void> {
    return del(key, this.store)
  }

  async *keys(): AsyncIterable<string> {
    for (const key of await keys(this.store)) if (typeof key === 'string') yield key
  }

  batch(ops: BatchOp[]): Promise<void> {
    return this.store('readwrite', (store) => {
      for (const op of ops) {
        if (op.type === 'put') store.put(op.value, op.key)
        else store.delete(op.key)
      }
      return promisifyRequest(store.transaction)
    })
  }

  /** idb-keyval keeps one connection per database for the page's lifetime; nothing to release. */
  async close(): Promise<void> {}
}
