// Compiled modules kept across dev server starts, so that a second start serves a bundle of 20,000
// modules without compiling them again. An entry is keyed by the hash of everything that went into
// it: what the compiler made of one module's text (its code with Fast Refresh, and the scan of its
// imports), and what bundled dev made of a linked module (its factory). Linking itself (which
// depends on the files around it) is redone at every start.
//
// One file holds them all, read where an entry is asked for (never held in memory: react-10k's is
// some 80 MB). New entries are appended a moment after they are made; a graceful close rewrites
// the file with only what the session used, under a temporary name then renamed. Each entry
// carries the hash of its bytes: a damaged one, or one cut short by a killed server, is a miss,
// never code that runs.

import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import type { ScanResult } from '../core/core.js'

/** What `compileScript` made of a module that does not depend on anything but its inputs. */
export interface CachedCompile {
  code: string
  registersComponents: boolean
  usesEnv: boolean
  scan: ScanResult
}

/** The file, in the pre-bundles' directory; named by the format of its entries' code. */
export const MODULE_CACHE_FILE = 'modules-1.bin'
/** Part of every key: raise it when what the dev compiler makes of a module changes shape. */
export const DEV_COMPILE_FORMAT = 1

const MAGIC = Buffer.from('NXM1')
const HASH_BYTES = 64
/** A record: key, payload hash (hex), payload length (u32), then the payload. */
const HEAD_BYTES = 2 * HASH_BYTES + 4
/** Past this, a rewrite keeps no more (and only what the session used is kept anyway). */
const MAX_BYTES = 256 * 1024 * 1024
/** Records are written in pieces of about this size. */
const BATCH_BYTES = 1024 * 1024

interface Stored {
  at: number
  length: number
  sum: string
}

export class ModuleCache {
  /** The file, open for reading and appending; undefined until there is one. */
  private fd: number | undefined
  /** Where the next record goes; 0: the file has no valid header yet. */
  private end = 0
  /** Entries in the file, by key. */
  private readonly stored = new Map<string, Stored>()
  /** Entries made in this session and not yet appended. */
  private readonly made = new Map<string, object>()
  /** Keys this session read or made: what a rewrite keeps. */
  private readonly used = new Set<string>()
  private timer: ReturnType<typeof setTimeout> | undefined

  private constructor(
    private readonly file: string,
    private readonly hash: (bytes: Uint8Array) => string,
  ) {}

  /** The cache in `file` (none yet, or unreadable: an empty one). */
  static open(file: string, hash: (bytes: Uint8Array) => string): ModuleCache {
    const cache = new ModuleCache(file, hash)
    try {
      cache.fd = openSync(file, 'r+')
      cache.readIndex(cache.fd)
    } catch {
      cache.stored.clear()
      cache.end = 0
    }
    return cache
  }

  /** The records' places, from their heads alone; a record cut short ends the file (the next append overwrites it). */
  private readIndex(fd: number) {
    const size = fstatSync(fd).size
    const head = Buffer.alloc(HEAD_BYTES)
    if (readSync(fd, head, 0, MAGIC.length, 0) !== MAGIC.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
      return
    }
    let at = MAGIC.length
    while (at + HEAD_BYTES <= size) {
      readSync(fd, head, 0, HEAD_BYTES, at)
      const length = head.readUInt32LE(2 * HASH_BYTES)
      const start = at + HEAD_BYTES
      if (start + length > size) break
      const key = head.toString('latin1', 0, HASH_BYTES)
      this.stored.set(key, { at: start, length, sum: head.toString('latin1', HASH_BYTES, 2 * HASH_BYTES) })
      at = start + length
    }
    this.end = at
  }

  /** The key of a compile of `source` with `inputs` (everything else it depends on). */
  key(inputs: unknown, source: string | Uint8Array): string {
    const head = Buffer.from(`${JSON.stringify(inputs)}\0`)
    return this.hash(typeof source === 'string' ? Buffer.from(head + source) : Buffer.concat([head, source]))
  }

  /** The value kept under `key` (the caller's key says what kind it is: a `CachedCompile`, a `Factory`). */
  get<T = CachedCompile>(key: string): T | undefined {
    const made = this.made.get(key)
    if (made) return made as T
    const payload = this.read(key)
    if (!payload) return undefined
    let value: T
    try {
      value = JSON.parse(payload.toString('utf8')) as T
    } catch {
      return undefined
    }
    this.used.add(key)
    return value
  }

  /** A stored entry's payload, if its bytes still hash to its sum. */
  private read(key: string, fd = this.fd): Buffer | undefined {
    const entry = this.stored.get(key)
    if (!entry || fd === undefined) return undefined
    const payload = Buffer.allocUnsafe(entry.length)
    try {
      if (readSync(fd, payload, 0, entry.length, entry.at) !== entry.length) return undefined
    } catch {
      return undefined
    }
    return this.hash(payload) === entry.sum ? payload : undefined
  }

  /** Keeps `value` (JSON) under `key`; encoded when appended, after the first load is served. */
  set(key: string, value: object): void {
    this.made.set(key, value)
    this.used.add(key)
    // Appended a moment after the last new entry, not only at close: a killed server keeps them.
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.flush(), 3000)
    this.timer.unref()
  }

  /** Appends the entries made since the last flush; a failure costs only the cache. */
  flush(): void {
    clearTimeout(this.timer)
    if (this.made.size === 0) return
    const made = [...this.made]
    this.made.clear()
    try {
      if (this.fd === undefined) {
        mkdirSync(dirname(this.file), { recursive: true })
        this.fd = openSync(this.file, 'w+')
      }
      const fd = this.fd
      if (this.end === 0) {
        ftruncateSync(fd, 0)
        writeSync(fd, MAGIC, 0, MAGIC.length, 0)
        this.end = MAGIC.length
      }
      this.end = writeRecords(
        fd,
        this.end,
        // Encoded one by one as they are written: a cold start's 20,000 at once would be its peak.
        (function* (hash) {
          for (const [key, value] of made) {
            const payload = Buffer.from(JSON.stringify(value))
            yield { key, sum: hash(payload), payload }
          }
        })(this.hash),
        (key, entry) => this.stored.set(key, entry),
      )
    } catch {
      // The entries are lost to the cache, not to this session: they were used already.
    }
  }

  /**
   * Appends what is new, then rewrites the file with only what this session used when the rest
   * is a quarter of it or more; the file is closed.
   */
  close(): void {
    this.flush()
    const fd = this.fd
    if (fd === undefined) return
    this.fd = undefined
    const used = this.used
    let live = 0
    for (const key of used) live += (this.stored.get(key)?.length ?? 0) + HEAD_BYTES
    const size = this.end
    const temporary = `${this.file}.${process.pid}.tmp`
    let out: number | undefined
    try {
      if (size - MAGIC.length - live >= size / 4) {
        out = openSync(temporary, 'w')
        writeSync(out, MAGIC)
        const stored = this.stored
        const read = (key: string) => this.read(key, fd)
        writeRecords(
          out,
          MAGIC.length,
          (function* () {
            for (const key of used) {
              const payload = read(key)
              if (payload) yield { key, sum: stored.get(key)!.sum, payload }
            }
          })(),
          () => {},
          MAX_BYTES,
        )
        closeSync(out)
        out = undefined
        renameSync(temporary, this.file)
      }
    } catch {
      if (out !== undefined) closeSync(out)
      rmSync(temporary, { force: true })
    } finally {
      closeSync(fd)
    }
  }
}

/**
 * Writes `records` from `at` on in pieces of about `BATCH_BYTES` (up to `limit` bytes), telling
 * `placed` where each payload went; returns the end.
 */
function writeRecords(
  fd: number,
  at: number,
  records: Iterable<{ key: string; sum: string; payload: Buffer }>,
  placed: (key: string, entry: Stored) => void,
  limit = Number.POSITIVE_INFINITY,
): number {
  let parts: Buffer[] = []
  let batched = 0
  const drain = () => {
    const bytes = Buffer.concat(parts)
    writeSync(fd, bytes, 0, bytes.length, at)
    at += bytes.length
    parts = []
    batched = 0
  }
  for (const { key, sum, payload } of records) {
    if (at + batched > limit) break
    const head = Buffer.alloc(HEAD_BYTES)
    head.write(key, 0, 'latin1')
    head.write(sum, HASH_BYTES, 'latin1')
    head.writeUInt32LE(payload.length, 2 * HASH_BYTES)
    placed(key, { at: at + batched + HEAD_BYTES, length: payload.length, sum })
    parts.push(head, payload)
    batched += HEAD_BYTES + payload.length
    if (batched >= BATCH_BYTES) drain()
  }
  drain()
  return at
}
