// RocksDB (npm `rocksdb`, a prebuilt Node-API binary) as a RawStore: the native cache on Node and Bun.
// Each put is atomic through RocksDB's write-ahead log, so a killed process leaves whole entries.
// Large values (a build's chunks and source maps) live in files beside the database, named by their
// key, with a marker in RocksDB: copying 25 MB into a write batch, its log and its memtable cost
// more time and memory than the build's other caching put together, and the log is replayed on
// every open. Damage on disk (a table file whose checksum fails) surfaces as CacheCorruptError
// from whichever call reads it; `repair` and `destroy` are what `nexxo cache verify|clear` do then.

import { createHash } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type BatchOp, CacheCorruptError, type RawStore } from './store.js'

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

interface RocksModule {
  (location: string): RocksDB
  repair(location: string, callback: Callback): void
  destroy(location: string, callback: Callback): void
}
const loadRocks = () => createRequire(import.meta.url)('rocksdb') as RocksModule

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

/** `<dir>/nexxo-opening-<pid>`: that process is opening the store (see `RocksStore.open`). */
const OPENING = 'nexxo-opening-'

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: alive, another user's.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes the store in `dir` if a process died opening it; says so, or undefined when none did. */
async function clearIfItKilled(dir: string): Promise<string | undefined> {
  const marks = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(OPENING))
  const dead = marks.filter((n) => {
    const pid = Number(n.slice(OPENING.length))
    return Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)
  })
  if (dead.length === 0) return undefined
  const pids = dead.map((n) => n.slice(OPENING.length)).join(', ')
  await RocksStore.destroy(dir)
  mkdirSync(dir, { recursive: true })
  for (const mark of dead) rmSync(join(dir, mark), { force: true })
  return `The cache at ${dir} was removed: a process (pid ${pids}) died while opening it, which RocksDB does on some damage on disk. This build starts it afresh.`
}
const isCorruption = (e: unknown) => /^Corruption:/.test(String((e as Error)?.message))

/** Values from this size on are kept in files. */
export const FILE_VALUE_BYTES = 256 * 1024
/** What RocksDB holds for a value kept in a file; a small value that looks like it goes to a file too. */
const MARKER = Uint8Array.from([0x4e, 0x58, 0x46, 0x31]) // "NXF1"
const isMarker = (value: Uint8Array) => value.length === MARKER.length && MARKER.every((b, i) => value[i] === b)
const inFile = (value: Uint8Array) => value.length >= FILE_VALUE_BYTES || isMarker(value)
const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT'

export { CacheCorruptError }

export class RocksStore implements RawStore {
  private readonly values: string
  private temps = 0

  private constructor(
    private readonly db: RocksDB,
    private readonly dir: string,
  ) {
    this.values = join(dir, 'values')
  }

  /** RocksDB's error, or CacheCorruptError when it is damage on disk. */
  private rocks<T>(fn: (callback: Callback<T>) => void): Promise<T> {
    return call(fn).catch((e: Error) => {
      throw isCorruption(e) ? new CacheCorruptError(this.dir, e) : e
    })
  }

  /** Temporary files that processes killed mid-write left (an hour old: no write takes that long). */
  private async sweepTemps(): Promise<void> {
    const stale = Date.now() - 60 * 60 * 1000
    const names = await readdir(this.values).catch(() => [] as string[])
    for (const name of names.filter((n) => n.includes('.tmp-'))) {
      const file = join(this.values, name)
      const info = await stat(file).catch(() => undefined)
      if (info && info.mtimeMs < stale) await rm(file, { force: true })
    }
  }

  /** The file a key's large value is kept in. */
  private fileOf(key: string): string {
    return join(this.values, createHash('sha256').update(key).digest('hex'))
  }

  /**
   * Writes the value's file whole before its marker is put, through a temporary name, so a reader
   * sees the old value or the new one and a killed process leaves at most a stray temporary file.
   */
  private async writeValue(key: string, value: Uint8Array): Promise<void> {
    mkdirSync(this.values, { recursive: true })
    const file = this.fileOf(key)
    const temp = `${file}.tmp-${process.pid}-${this.temps++}`
    try {
      await writeFile(temp, value)
      await rename(temp, file)
    } catch (e) {
      await rm(temp, { force: true })
      throw e
    }
  }

  /**
   * Set when opening found that a process had died opening this store before (its marker left
   * behind), so the store was removed and opened empty: what happened, for a warning.
   */
  cleared: string | undefined

  /**
   * Opens (creating) the store in `dir`; if another process holds it, retries until `lockTimeoutMs`.
   * Some damage makes RocksDB abort the process while it opens the store (a failed assertion in its
   * version set) rather than return an error, which nothing here can catch. So each opener marks
   * the directory first and unmarks it once open: a mark whose process is gone means the store
   * killed it, and the next opener removes the store instead of dying the same way.
   */
  static async open(dir: string, { lockTimeoutMs = 5000 } = {}): Promise<RocksStore> {
    mkdirSync(dir, { recursive: true })
    const cleared = await clearIfItKilled(dir)
    const rocksdb = loadRocks()
    const started = Date.now()
    const mark = join(dir, `${OPENING}${process.pid}`)
    writeFileSync(mark, '')
    try {
      for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
        const db = rocksdb(dir)
        try {
          await call((cb) => db.open({ createIfMissing: true }, cb))
          const store = new RocksStore(db, dir)
          store.cleared = cleared
          void store.sweepTemps()
          return store
        } catch (e) {
          if (isCorruption(e)) throw new CacheCorruptError(dir, e as Error)
          if (!isLockError(e)) throw e
          const waited = Date.now() - started
          if (waited >= lockTimeoutMs) throw new CacheLockedError(dir, waited)
          await new Promise((r) => setTimeout(r, delay))
        }
      }
    } finally {
      rmSync(mark, { force: true })
    }
  }

  /**
   * RocksDB's repair of a closed store in `dir`: what can be read is kept, damaged tables go (to its
   * `lost/`). The entries' seals then decide what of the rest is whole (`verify`).
   */
  static repair(dir: string): Promise<void> {
    return call((cb) => loadRocks().repair(dir, cb))
  }

  /** Removes the closed store in `dir`: RocksDB's own files, the value files and what repair set aside; nothing else there. */
  static async destroy(dir: string): Promise<void> {
    await call((cb) => loadRocks().destroy(dir, cb))
    await rm(join(dir, 'values'), { recursive: true, force: true })
    await rm(join(dir, 'lost'), { recursive: true, force: true })
    // The directory itself only if that left it empty: it may be one the user named, holding more.
    await rmdir(dir).catch(() => {})
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    let value: Buffer
    try {
      value = await this.rocks<Buffer>((cb) => this.db.get(key, { asBuffer: true }, cb))
    } catch (e) {
      if (/NotFound/i.test(String((e as Error).message))) return undefined
      throw e
    }
    if (!isMarker(value)) return value
    try {
      return await readFile(this.fileOf(key))
    } catch (e) {
      if (!isMissing(e)) throw e
      // The file went (deleted by hand, or by another process's delete racing this one's put).
      await this.rocks((cb) => this.db.del(key, cb))
      return undefined
    }
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.batch([{ type: 'put', key, value }])
  }

  delete(key: string): Promise<void> {
    return this.batch([{ type: 'del', key }])
  }

  /** One RocksDB write batch: all of it reaches the log, or none. Large values' files are written first. */
  async batch(ops: BatchOp[]): Promise<void> {
    await Promise.all(
      ops.map((op) => (op.type === 'put' && inFile(op.value) ? this.writeValue(op.key, op.value) : null)),
    )
    const rocksOps = ops.map((op) =>
      op.type === 'put'
        ? { type: 'put' as const, key: op.key, value: toBuffer(inFile(op.value) ? MARKER : op.value) }
        : op,
    )
    await this.rocks((cb) => this.db.batch(rocksOps, cb))
    // A value that is now small, or gone, leaves no file behind.
    await Promise.all(
      ops.map((op) =>
        op.type === 'del' || !inFile(op.value)
          ? unlink(this.fileOf(op.key)).catch((e: unknown) => {
              if (!isMissing(e)) throw e
            })
          : null,
      ),
    )
  }

  async *keys(): AsyncIterable<string> {
    const it = this.db.iterator({ keys: true, values: false, keyAsBuffer: false })
    try {
      for (;;) {
        const key = await this.rocks<string | undefined>((cb) => it.next(cb))
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
