import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { loadNativeCoreOnce } from '../build/backend.js'
import { type CachedCompile, ModuleCache } from './module-cache.js'

const work = mkdtempSync(join(tmpdir(), 'nexxo-module-cache-'))
after(() => rmSync(work, { recursive: true, force: true }))
const core = loadNativeCoreOnce()
const hash = (bytes: Uint8Array) => core.hash(bytes)
const compiled = (code: string): CachedCompile => ({
  code,
  usesEnv: false,
  registersComponents: true,
  scan: { imports: [], hot: { usesHot: false, selfAccepting: false, acceptedDeps: [] } } as never,
})

describe('the dev server module cache', () => {
  test('entries survive a restart; what a session did not use is not kept', () => {
    const file = join(work, 'a/modules.bin')
    const first = ModuleCache.open(file, hash)
    const a = first.key(['inputs'], 'const a = 1')
    const b = first.key(['inputs'], 'const b = 2')
    assert.notEqual(a, first.key(['other inputs'], 'const a = 1'), 'the inputs are part of the key')
    first.set(a, compiled('A'))
    first.set(b, compiled('B'))
    first.close()
    const second = ModuleCache.open(file, hash)
    assert.deepEqual(second.get(a), compiled('A'))
    second.set(second.key(['inputs'], 'const c = 3'), compiled('C'))
    second.close()
    const third = ModuleCache.open(file, hash)
    assert.deepEqual(third.get(a), compiled('A'), 'used in the second session: kept')
    assert.equal(third.get(b), undefined, 'unused in the second session: dropped')
  })

  test('a damaged entry is a miss, never code; a truncated or foreign file is an empty cache', () => {
    const file = join(work, 'b.bin')
    const cache = ModuleCache.open(file, hash)
    const key = cache.key([], 'x')
    cache.set(key, compiled('export const value = 1'))
    cache.set(cache.key([], 'y'), compiled('second'))
    cache.close()
    const bytes = readFileSync(file)
    const at = bytes.indexOf('value = 1')
    bytes[at + 8] = '2'.charCodeAt(0)
    writeFileSync(file, bytes)
    const damaged = ModuleCache.open(file, hash)
    assert.equal(damaged.get(key), undefined)
    assert.deepEqual(damaged.get(damaged.key([], 'y')), compiled('second'), 'the others still hold')
    writeFileSync(file, bytes.subarray(0, bytes.length - 3))
    assert.equal(ModuleCache.open(file, hash).get(damaged.key([], 'y')), undefined, 'a record cut short')
    writeFileSync(file, 'not a cache at all')
    assert.equal(ModuleCache.open(file, hash).get(key), undefined)
  })

  test('a killed server keeps what it appended; a record it cut short is a miss, overwritten by the next', () => {
    const file = join(work, 'd.bin')
    const first = ModuleCache.open(file, hash)
    first.set(first.key([], 'a'), compiled('A'))
    first.flush()
    first.set(first.key([], 'b'), compiled('B'))
    first.flush()
    // No close: the process is gone. Its last record is cut short, as a kill mid-write leaves it.
    const bytes = readFileSync(file)
    writeFileSync(file, bytes.subarray(0, bytes.length - 5))
    const second = ModuleCache.open(file, hash)
    assert.deepEqual(second.get(second.key([], 'a')), compiled('A'))
    assert.equal(second.get(second.key([], 'b')), undefined, 'cut short')
    second.set(second.key([], 'c'), compiled('C'))
    second.flush()
    const third = ModuleCache.open(file, hash)
    assert.deepEqual(third.get(third.key([], 'a')), compiled('A'))
    assert.deepEqual(third.get(third.key([], 'c')), compiled('C'), 'appended where the cut record began')
  })

  test('nothing new, nothing written: a start that compiled nothing leaves the file alone', () => {
    const file = join(work, 'c.bin')
    const cache = ModuleCache.open(file, hash)
    cache.get(cache.key([], 'z'))
    cache.close()
    assert.throws(() => readFileSync(file), /ENOENT/)
  })
})
