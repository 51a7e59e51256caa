// Compiled modules kept across dev server starts, so that a second start serves a bundle of 20,000
// modules without compiling them again. An entry is what the compiler made of one module's text
// (its code with Fast Refresh, and the scan of its imports), keyed by the hash of everything that
// went into it; linking (which depends on the files around it) is redone at every start. One file
// holds them all: read once at start, written whole under a temporary name and renamed, so a
// killed server leaves the previous file or the new one. Each entry carries the hash of its bytes:
// a damaged one is a miss, never code that runs.

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
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
/** Past this, entries of this session only are kept (and only what this session used is kept anyway). */
const MAX_BYTES = 256 * 1024 * 1024

export class ModuleCache {
  /** Entries of the file read at start, by key: the payload's hash and the payload. */
  private readonly stored = new Map<string, { sum: string; payload: Buffer }>()
  /** Entries made or used in this session, by key: the ones the next file keeps. */
  private readonly live = new Map<string, { sum: string; payload: Buffer }>()
  private dirty = false
  private timer: ReturnType<typeof setTimeout> | undefined

  private constructor(
    private readonly file: string,
    private readonly hash: (bytes: Uint8Array) => string,
  ) {}

  /** The cache in `file` (none yet, or unreadable: an empty one). */
  static open(file: string, hash: (bytes: Uint8Array) => string): ModuleCache {
    const cache = new ModuleCache(file, hash)
    let bytes: Buffer
    try {
      bytes = readFileSync(file)
    } catch {
      return cache
    }
    if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return cache
    // key, payload hash (hex), payload length (u32), payload; a record cut short ends the reading.
    for (let at = MAGIC.length; at + 2 * HASH_BYTES + 4 <= bytes.length; ) {
      const key = bytes.toString('latin1', at, at + HASH_BYTES)
      const sum = bytes.toString('latin1', at + HASH_BYTES, at + 2 * HASH_BYTES)
      const length = bytes.readUInt32LE(at + 2 * HASH_BYTES)
      const start = at + 2 * HASH_BYTES + 4
      if (start + length > bytes.length) break
      cache.stored.set(key, { sum, payload: bytes.subarray(start, start + length) })
      at = start + length
    }
    return cache
  }

  /** The key of a compile of `source` with `inputs` (everything else it depends on). */
  key(inputs: unknown, source: string): string {
    return this.hash(Buffer.from(`${JSON.stringify(inputs)}\0${source}`))
  }

  get(key: string): CachedCompile | undefined {
    const entry = this.live.get(key) ?? this.stored.get(key)
    if (!entry || this.hash(entry.payload) !== entry.sum) return undefined
    let value: CachedCompile
    try {
      value = JSON.parse(entry.payload.toString('utf8')) as CachedCompile
    } catch {
      return undefined
    }
    this.live.set(key, entry)
    return value
  }

  set(key: string, value: CachedCompile): void {
    const payload = Buffer.from(JSON.stringify(value))
    this.live.set(key, { sum: this.hash(payload), payload })
    this.dirty = true
    // Written a moment after the last new entry too, not only at close: a killed server keeps them.
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.save(), 3000)
    this.timer.unref()
  }

  /** Writes what this session made or used, if it made anything; a failure costs only the cache. */
  save(): void {
    clearTimeout(this.timer)
    if (!this.dirty) return
    this.dirty = false
    const parts: Buffer[] = [MAGIC]
    let size = 0
    for (const [key, { sum, payload }] of this.live) {
      if (size > MAX_BYTES) break
      const head = Buffer.alloc(2 * HASH_BYTES + 4)
      head.write(key, 0, 'latin1')
      head.write(sum, HASH_BYTES, 'latin1')
      head.writeUInt32LE(payload.length, 2 * HASH_BYTES)
      parts.push(head, payload)
      size += head.length + payload.length
    }
    const temporary = `${this.file}.${process.pid}.tmp`
    try {
      mkdirSync(dirname(this.file), { recursive: true })
      writeFileSync(temporary, Buffer.concat(parts))
      renameSync(temporary, this.file)
    } catch {
      rmSync(temporary, { force: true })
    }
  }
}
