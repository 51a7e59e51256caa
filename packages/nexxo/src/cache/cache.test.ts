// The cache store layer against a real RocksDB on disk and the in-memory LRU.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import 'fake-indexeddb/auto'
import { loadNativeCoreOnce } from '../build/backend.js'
import { BoundedStore, USAGE_PREFIX } from './bounded.js'
import { CacheApiStore } from './cache-api.js'
import { type HashHex, open, payloadBuffer, seal } from './envelope.js'
import { IdbStore } from './indexeddb.js'
import { boundedCache, IntegrityCache, KEY_PREFIX } from './integrity.js'
import { KeyValueRawStore } from './key-value.js'
import { MemoryStore } from './memory.js'
import { CacheCorruptError, CacheLockedError, FILE_VALUE_BYTES, RocksStore } from './rocksdb.js'
import type { RawStore } from './store.js'
import { TieredStore } from './tiered.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-cache-test-'))
after(() => rmSync(tmp, { recursive: true, force: true }))
let hash: HashHex
before(() => {
  const core = loadNativeCoreOnce()
  hash = (bytes) => core.hash(bytes)
})

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b))
let dirs = 0
const freshDir = () => join(tmp, `db-${dirs++}`)

describe('the envelope', () => {
  test('a payload made with room in front is sealed in place; any other is copied; both open', () => {
    const roomy = payloadBuffer(5)
    roomy.set(bytes('hello'))
    const sealed = seal(roomy, hash)
    assert.equal(sealed.buffer, roomy.buffer, 'no copy')
    assert.equal(text(open(sealed, hash)), 'hello')
    const plain = bytes('hello')
    const copied = seal(plain, hash)
    assert.notEqual(copied.buffer, plain.buffer)
    assert.deepEqual(copied, sealed)
    // Sealing the same roomy payload twice must not write into bytes it no longer owns the room of.
    assert.deepEqual(seal(roomy, hash), sealed)
  })
})

describe('MemoryStore', () => {
  test('evicts the least recently used entries beyond its byte budget', async () => {
    const store = new MemoryStore(10)
    await store.put('a', bytes('aaaa'))
    await store.put('b', bytes('bbbb'))
    await store.get('a') // a is now the most recently used
    await store.put('c', bytes('cccc'))
    assert.equal(text(await store.get('b')), undefined)
    assert.equal(text(await store.get('a')), 'aaaa')
    assert.equal(text(await store.get('c')), 'cccc')
    await store.put('huge', new Uint8Array(11))
    assert.equal(await store.get('huge'), undefined, 'a value over the budget is not stored')
    assert.equal(text(await store.get('a')), 'aaaa', 'and evicts nothing')
  })
})

const adapters: [string, () => Promise<RawStore>][] = [
  ['memory', async () => new MemoryStore()],
  ['rocksdb', () => RocksStore.open(freshDir())],
  // IndexedDB as fake-indexeddb implements it in Node; e2e/cache-browser.test.ts runs real Chromium.
  ['indexeddb', async () => IdbStore.open(`nexxo-test-${dirs++}`)],
  ['tiered (memory over rocksdb)', async () => new TieredStore(await RocksStore.open(freshDir()), 1024 * 1024)],
]

describe('a KV store (KeyValueRawStore)', () => {
  test('values round-trip sealed; a damaged one is a miss and is deleted; no LRU is kept on top', async () => {
    // A KV that hands back ArrayBuffers, as Workers KV does.
    const kv = new Map<string, ArrayBuffer>()
    const raw = new KeyValueRawStore({
      get: async (k) => kv.get(k) ?? null,
      put: async (k, v) => void kv.set(k, v.slice().buffer),
      delete: async (k) => void kv.delete(k),
    })
    const cache = boundedCache(new TieredStore(raw, 1024), hash, 10)
    await cache.put('k', bytes('a value longer than the bound of 10 bytes'))
    assert.equal(text(await cache.get('k')), 'a value longer than the bound of 10 bytes', 'the KV evicts, not nexxo')
    assert.deepEqual([...kv.keys()], [`${KEY_PREFIX}k`], 'one entry, no usage records')
    const fresh = new IntegrityCache(raw, hash)
    const stored = new Uint8Array(kv.get(`${KEY_PREFIX}k`)!)
    stored[stored.length - 1]! ^= 1
    kv.set(`${KEY_PREFIX}k`, stored.buffer)
    assert.equal(await fresh.get('k'), undefined)
    assert.equal(kv.size, 0, 'the damaged entry was deleted')
  })

  test('a KV without delete still works', async () => {
    const kv = new Map<string, Uint8Array>()
    const cache = new IntegrityCache(
      new KeyValueRawStore({ get: async (k) => kv.get(k), put: async (k, v) => void kv.set(k, v) }),
      hash,
    )
    await cache.put('k', bytes('v'))
    assert.equal(text(await cache.get('k')), 'v')
    await cache.delete('k')
  })
})

describe('TieredStore', () => {
  test('memory answers first; writes reach the store in the background; a miss in memory fills it', async () => {
    const back = new MemoryStore()
    const writes: string[] = []
    const slow: RawStore = {
      get: (k, o) => back.get(k, o),
      put: async (k, v) => {
        await new Promise((r) => setTimeout(r, 20))
        writes.push(k)
        await back.put(k, v)
      },
      delete: (k) => back.delete(k),
      keys: () => back.keys(),
      close: async () => {},
    }
    const tiered = new TieredStore(slow, 1024)
    await tiered.put('a', bytes('one'))
    assert.equal(text(await tiered.get('a')), 'one', 'from memory before the store has it')
    assert.deepEqual(writes, [])
    await tiered.flush()
    assert.deepEqual(writes, ['a'])
    await back.put('b', bytes('two'))
    const fresh = new TieredStore(slow, 1024)
    assert.equal(text(await fresh.get('b')), 'two', 'read through to the store')
    await back.delete('b')
    assert.equal(text(await fresh.get('b')), 'two', 'and kept in memory')
  })

  test('a store whose writes fail keeps the memory copy and never rejects a put', async () => {
    const failing: RawStore = {
      get: async () => undefined,
      put: async () => {
        throw new Error('quota exceeded')
      },
      delete: async () => {},
      async *keys() {},
      close: async () => {},
    }
    const tiered = new TieredStore(failing, 1024)
    await tiered.put('k', bytes('v'))
    await tiered.flush()
    assert.equal(text(await tiered.get('k')), 'v')
  })
})

for (const [name, openStore] of adapters) {
  describe(`IntegrityCache over ${name}`, () => {
    test('get, put, has, delete, stats', async () => {
      const cache = new IntegrityCache(await openStore(), hash)
      assert.equal(await cache.get('k'), undefined)
      await cache.put('k', bytes('value'))
      await cache.put('empty', new Uint8Array(0))
      assert.equal(text(await cache.get('k')), 'value')
      assert.equal(text(await cache.get('empty')), '')
      assert.ok(await cache.has('k'))
      await cache.delete('k')
      assert.ok(!(await cache.has('k')))
      const stats = await cache.stats()
      assert.deepEqual(
        { entries: stats.entries, hits: stats.hits, misses: stats.misses, corrupt: stats.corrupt },
        { entries: 1, hits: 2, misses: 1, corrupt: 0 },
      )
      assert.equal(stats.bytes, 36, 'the envelope of the empty value: magic + hash')
      await cache.close()
    })

    test('a flipped byte or a truncated value is a miss that deletes the entry', async () => {
      const raw = await openStore()
      const cache = new IntegrityCache(raw, hash)
      await cache.put('flip', bytes('payload to damage'))
      await cache.put('cut', bytes('payload to truncate'))
      const flipped = Uint8Array.from((await raw.get(`${KEY_PREFIX}flip`))!)
      flipped[flipped.length - 3]! ^= 0x01
      await raw.put(`${KEY_PREFIX}flip`, flipped)
      await raw.put(`${KEY_PREFIX}cut`, (await raw.get(`${KEY_PREFIX}cut`))!.subarray(0, 20))
      assert.equal(await cache.get('flip'), undefined)
      assert.equal(await cache.get('cut'), undefined)
      assert.equal(await raw.get(`${KEY_PREFIX}flip`), undefined, 'deleted')
      assert.equal((await cache.stats()).corrupt, 2)
      await cache.close()
    })

    test('verify finds damage; other format versions are ignored by stats and removed by clear', async () => {
      const raw = await openStore()
      const cache = new IntegrityCache(raw, hash)
      for (let i = 0; i < 10; i++) await cache.put(`k${i}`, bytes(`value ${i}`))
      const damaged = Uint8Array.from((await raw.get(`${KEY_PREFIX}k4`))!)
      damaged[10]! ^= 0xff
      await raw.put(`${KEY_PREFIX}k4`, damaged)
      await raw.put('nexxo:v0:old-entry', bytes('from an older nexxo'))
      assert.deepEqual(await cache.verify(), { checked: 10, corrupt: 1 })
      assert.equal((await cache.stats()).entries, 9)
      await cache.clear()
      const left: string[] = []
      for await (const key of raw.keys()) left.push(key)
      assert.deepEqual(left, [])
      await cache.close()
    })
  })
}

for (const [name, openStore] of adapters) {
  describe(`BoundedStore over ${name}`, () => {
    test('past its bound, the least recently used entries go; a read counts as a use, stats and verify do not', async () => {
      let clock = 0
      const store = new BoundedStore(
        await openStore(),
        1000,
        () => true,
        () => ++clock,
      )
      await store.put('a', new Uint8Array(300))
      await store.put('b', new Uint8Array(300))
      await store.put('c', new Uint8Array(300))
      await store.get('a')
      await store.get('b', { touch: false })
      await store.put('d', new Uint8Array(300)) // 1200 > 1000: evict down to 800, oldest use first
      assert.equal(await store.get('b', { touch: false }), undefined, 'b: written second, never used since')
      assert.equal(await store.get('c', { touch: false }), undefined)
      assert.ok(await store.get('a'), 'a was read after c was written')
      assert.ok(await store.get('d'))
      assert.equal(store.evicted, 2)
      const keys: string[] = []
      for await (const key of store.keys()) keys.push(key)
      assert.deepEqual(keys.sort(), ['a', 'd'], 'usage records stay out of keys()')
      await store.put('huge', new Uint8Array(1001))
      assert.equal(await store.get('huge'), undefined, 'a value over the whole bound is not stored')
      assert.ok(await store.get('a'), 'and evicts nothing')
      await store.close()
    })

    test('a read rewrites its usage record at most once per touch interval', async () => {
      const raw = await openStore()
      const writes: string[] = []
      const put = raw.put.bind(raw)
      raw.put = (key, value) => {
        writes.push(key)
        return put(key, value)
      }
      let clock = 0
      const store = new BoundedStore(
        raw,
        1000,
        () => true,
        () => clock,
        100,
      )
      await store.put('a', new Uint8Array(10))
      writes.length = 0
      for (let i = 0; i < 5; i++) await store.get('a')
      assert.deepEqual(writes, [`${USAGE_PREFIX}a`], 'the first read writes, the next four do not')
      clock = 100
      await store.get('a')
      await store.get('a', { touch: false })
      assert.equal(writes.length, 2, 'a read after the interval writes again')
      await store.close()
    })

    test('entries of another format version are evicted at the first write', async () => {
      const raw = await openStore()
      await raw.put('nexxo:v0:old', bytes('from an older nexxo'))
      await raw.put(`${USAGE_PREFIX}nexxo:v0:old`, new Uint8Array(16))
      await raw.put(`${USAGE_PREFIX}gone`, new Uint8Array(16)) // a record whose value was lost
      const cache = boundedCache(raw, hash, 1 << 20)
      await cache.put('new', bytes('current'))
      const left: string[] = []
      for await (const key of raw.keys()) left.push(key)
      assert.deepEqual(left.sort(), [`${USAGE_PREFIX}${KEY_PREFIX}new`, `${KEY_PREFIX}new`])
      assert.equal((await cache.stats()).maxBytes, 1 << 20)
      await cache.close()
    })
  })
}

describe('CacheApiStore', () => {
  const storage = (match: (url: string) => Promise<Response | undefined>) => {
    const kept = new Map<string, Response>()
    const cache = {
      match,
      put: async (url: string, r: Response) => void kept.set(url, r),
      delete: async (url: string) => kept.delete(url),
    }
    return { open: async () => cache, default: cache }
  }

  test('a Cache API that is there but unusable (workerd without a cache service) fails at open, not at the first build', async () => {
    const unusable = storage(() => Promise.reject(new Error('No Cache was configured')))
    await assert.rejects(CacheApiStore.open('x', unusable), /No Cache was configured/)
    const store = await CacheApiStore.open(
      'x',
      storage(async () => undefined),
    )
    assert.equal(store.selfEvicting, true, "Workers' caches.default evicts by itself")
  })
})

describe('RocksStore on disk', () => {
  test('the LRU order and the bound hold across processes: usage records are on disk', async () => {
    const dir = freshDir()
    const first = boundedCache(await RocksStore.open(dir), hash, 3000)
    for (const key of ['a', 'b', 'c']) {
      await first.put(key, new Uint8Array(900))
      await new Promise((r) => setTimeout(r, 5))
    }
    await first.close()
    const second = boundedCache(await RocksStore.open(dir), hash, 3000)
    assert.ok(await second.get('a'))
    await second.put('d', new Uint8Array(900)) // 4 x 936 bytes sealed > 3000
    assert.ok(await second.has('a'))
    assert.ok(!(await second.has('b')), 'b: the oldest use')
    assert.ok(await second.has('d'))
    await second.close()
  })

  test('large values live in files beside the database, replaced and removed with their keys', async () => {
    const dir = freshDir()
    const values = join(dir, 'values')
    const files = () => (existsSync(values) ? readdirSync(values) : [])
    const large = new Uint8Array(FILE_VALUE_BYTES).map((_, i) => i % 256)
    const store = await RocksStore.open(dir)
    await store.put('big', large)
    assert.equal(files().length, 1)
    assert.deepEqual(new Uint8Array((await store.get('big'))!), large)
    const logBytes = readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .reduce((sum, n) => sum + statSync(join(dir, n)).size, 0)
    assert.ok(logBytes < 4096, `the write-ahead log holds a marker, not the value (${logBytes} bytes)`)
    // A small value that looks like the marker is a value of its own.
    await store.put('looks-like-a-marker', bytes('NXF1'))
    assert.equal(text(await store.get('looks-like-a-marker')), 'NXF1')
    await store.put('big', bytes('small now'))
    assert.equal(text(await store.get('big')), 'small now')
    assert.equal(files().length, 1, "the replaced value's file is gone; the marker-like one has its own")
    await store.delete('looks-like-a-marker')
    assert.deepEqual(files(), [])
    await store.put('big', large)
    await store.close()
    const reopened = await RocksStore.open(dir)
    assert.deepEqual(new Uint8Array((await reopened.get('big'))!), large, 'files survive a reopen')
    await reopened.close()
  })

  test('a large value whose file is gone or damaged is a miss, and the entry is dropped', async () => {
    const dir = freshDir()
    const cache = new IntegrityCache(await RocksStore.open(dir), hash)
    const large = new Uint8Array(FILE_VALUE_BYTES + 10).fill(7)
    await cache.put('gone', large)
    await cache.put('damaged', large)
    // Named by the hash of the stored key (the cache's prefix and all).
    const fileOf = (key: string) =>
      join(
        dir,
        'values',
        createHash('sha256')
          .update(KEY_PREFIX + key)
          .digest('hex'),
      )
    const gone = fileOf('gone')
    const damaged = fileOf('damaged')
    rmSync(gone)
    assert.equal(await cache.get('gone'), undefined)
    const bytesOnDisk = readFileSync(damaged)
    bytesOnDisk[bytesOnDisk.length - 1] ^= 1
    writeFileSync(damaged, bytesOnDisk)
    assert.equal(await cache.get('damaged'), undefined, 'a flipped bit fails the envelope')
    assert.ok(!existsSync(damaged), 'the damaged entry is deleted, file and all')
    const keys: string[] = []
    for await (const key of (cache as unknown as { raw: RawStore }).raw.keys()) keys.push(key)
    assert.deepEqual(keys, [], 'no marker is left without its file')
    await cache.close()
  })

  test('entries survive closing and reopening', async () => {
    const dir = freshDir()
    const first = new IntegrityCache(await RocksStore.open(dir), hash)
    await first.put('persisted', bytes('still here'))
    await first.close()
    const second = new IntegrityCache(await RocksStore.open(dir), hash)
    assert.equal(text(await second.get('persisted')), 'still here')
    await second.close()
  })

  test('a held directory: the second opener waits, then gets CacheLockedError; after close it opens', async () => {
    const dir = freshDir()
    const holder = await RocksStore.open(dir)
    const started = Date.now()
    await assert.rejects(RocksStore.open(dir, { lockTimeoutMs: 300 }), CacheLockedError)
    assert.ok(Date.now() - started >= 300)
    const waiting = RocksStore.open(dir, { lockTimeoutMs: 5000 })
    setTimeout(() => void holder.close(), 200)
    await (await waiting).close()
  })

  test('damage on disk: reads throw CacheCorruptError; repair keeps what it can read; destroy removes only the store', async () => {
    const dir = freshDir()
    let store = await RocksStore.open(dir)
    const big = new Uint8Array(FILE_VALUE_BYTES).fill(7)
    await store.put('small', new Uint8Array(8_000).fill(1))
    await store.put('big', big)
    await store.close()
    // Reopening turns the log into a table file, which is then damaged where its data blocks are
    // (the first half: its index, properties and footer come last), as a bad sector would.
    await (await RocksStore.open(dir)).close()
    const tables = readdirSync(dir).filter((f) => f.endsWith('.sst'))
    assert.ok(tables.length > 0)
    for (const table of tables) {
      const file = readFileSync(join(dir, table))
      for (let i = 64; i < file.length / 2; i += 97) file[i]! ^= 0xff
      writeFileSync(join(dir, table), file)
    }
    store = await RocksStore.open(dir)
    const damaged = await store.get('small').catch((e: unknown) => e)
    assert.ok(damaged instanceof CacheCorruptError, String(damaged))
    assert.equal(damaged.dir, dir)
    assert.match(damaged.message, /damaged on disk \(Corruption: .*\); `nexxo cache verify` repairs it/)
    await store.close()

    await RocksStore.repair(dir)
    store = await RocksStore.open(dir)
    // The damaged table went with its entries; the store reads and writes again.
    assert.equal(await store.get('small'), undefined)
    await store.put('after', bytes('repaired'))
    assert.equal(text(await store.get('after')), 'repaired')
    await store.close()

    writeFileSync(join(dir, 'mine.txt'), 'not the cache')
    await RocksStore.destroy(dir)
    assert.deepEqual(readdirSync(dir), ['mine.txt'])
    const alone = freshDir()
    await (await RocksStore.open(alone)).close()
    await RocksStore.destroy(alone)
    assert.equal(existsSync(alone), false, 'a directory left empty goes too')
  })

  test('a process that died opening the store (RocksDB aborts on some damage) makes the next opener start it afresh', async () => {
    const dir = freshDir()
    let store = await RocksStore.open(dir)
    await store.put('kept', bytes('x'))
    await store.close()
    // A live process's mark is someone opening the store now: left alone.
    writeFileSync(join(dir, `nexxo-opening-${process.ppid}`), '')
    store = await RocksStore.open(dir)
    assert.equal(store.cleared, undefined)
    assert.equal(text(await store.get('kept')), 'x')
    await store.close()
    assert.ok(readdirSync(dir).includes(`nexxo-opening-${process.ppid}`))
    rmSync(join(dir, `nexxo-opening-${process.ppid}`))
    // A mark whose process is gone: it died between marking and opening.
    const child = spawn(process.execPath, ['-e', ''])
    const pid = child.pid!
    await new Promise((r) => child.once('exit', r))
    writeFileSync(join(dir, `nexxo-opening-${pid}`), '')
    store = await RocksStore.open(dir)
    assert.match(store.cleared ?? '', new RegExp(`removed: a process \\(pid ${pid}\\) died while opening it`))
    assert.equal(await store.get('kept'), undefined, 'the store starts afresh')
    await store.put('new', bytes('y'))
    assert.equal(text(await store.get('new')), 'y')
    await store.close()
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('nexxo-opening-')),
      [],
      'no mark is left behind by a clean open',
    )
  })

  test('34: a writer killed with SIGKILL at random moments (puts and evictions), 20 times, never leaves a damaged cache', async () => {
    const dir = freshDir()
    const writer = join(tmp, 'writer.mts')
    writeFileSync(
      writer,
      `import { boundedCache } from '${new URL('./integrity.ts', import.meta.url).pathname}'
import { FILE_VALUE_BYTES, RocksStore } from '${new URL('./rocksdb.ts', import.meta.url).pathname}'
import { loadNativeCoreOnce } from '${new URL('../build/backend.ts', import.meta.url).pathname}'
const core = loadNativeCoreOnce()
// Bounded below what the loop writes, so evictions run (and get killed) too.
const cache = boundedCache(await RocksStore.open(process.argv[2]), (b) => core.hash(b), 600_000)
process.stdout.write('open\\n')
for (let i = 0; ; i++) {
  // Every fifth value is large enough to be kept in a file beside the database.
  const value = new Uint8Array(i % 5 === 0 ? FILE_VALUE_BYTES + i : 4096 + (i % 7) * 1000).fill(i % 251)
  await cache.put('key-' + (i % 300), value)
}
`,
    )
    const tsx = join(new URL('../../../../', import.meta.url).pathname, 'node_modules/tsx/dist/loader.mjs')
    for (let round = 0; round < 20; round++) {
      const child = spawn(process.execPath, ['--import', tsx, writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 150))
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      await exited
    }
    const cache = new IntegrityCache(await RocksStore.open(dir), hash)
    const { checked, corrupt } = await cache.verify()
    assert.ok(checked > 0, 'the writers wrote something')
    assert.equal(corrupt, 0)
    for (let i = 0; i < 300; i++) {
      const value = await cache.get(`key-${i}`)
      if (value)
        assert.ok(
          value.every((b) => b === value[0]),
          `key-${i} holds one whole write`,
        )
    }
    await cache.close()
  })
})
