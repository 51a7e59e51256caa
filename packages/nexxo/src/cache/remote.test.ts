// The remote tier against a real Turborepo remote cache server (npm turborepo-remote-cache, file
// system storage in a temp dir, on 127.0.0.1), and the faults a remote has: a wrong token, a server
// down, one that never answers, one that breaks off a body, one killed mid-upload.

import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { loadNativeCoreOnce } from '../build/backend.js'
import type { HashHex } from './envelope.js'
import { IntegrityCache, withRemote } from './integrity.js'
import { MemoryStore } from './memory.js'
import { type RemoteCacheOptions, TurboRemoteStore } from './remote.js'
import { freePort, type RemoteCacheServer, startRemoteCache } from './test-remote-server.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-remote-test-'))
const storage = join(tmp, 'artifacts')
const TOKEN = 'ci-token'
let hash: HashHex
let server: RemoteCacheServer
/** One that keeps signatures, as a team that signs runs it. */
let signing: RemoteCacheServer

/** A plain HTTP server that answers as `answer` does: for the faults a real server shows rarely. */
async function faultyServer(answer: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const s = createServer(answer)
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done))
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, server: s }
}

before(async () => {
  const core = loadNativeCoreOnce()
  hash = (bytes) => core.hash(bytes)
  server = await startRemoteCache(storage, TOKEN)
  signing = await startRemoteCache(join(tmp, 'signed'), TOKEN, { keepsTags: true })
})
after(async () => {
  await server.stop()
  await signing.stop()
  rmSync(tmp, { recursive: true, force: true })
})

const remote = (options: Partial<RemoteCacheOptions> = {}) =>
  new TurboRemoteStore(
    { url: (options.signatureKey ? signing : server).url, token: TOKEN, team: 'web', ...options },
    hash,
  )
const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b))
/** A sealed cache as a machine has it: its own memory, the shared remote behind it. */
const machine = (r: TurboRemoteStore, memory = 1 << 24) =>
  new IntegrityCache(withRemote(new MemoryStore(memory), r), hash)
let keys = 0
const buildKey = () => `build:v3:test-${process.pid}-${keys++}`

/** The artifact files the server holds, newest last. */
const storedFiles = (storage: string): string[] => {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name)
      if (e.isDirectory()) walk(path)
      else found.push(path)
    }
  }
  walk(storage)
  return found.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
}

describe('the Turborepo remote cache tier', () => {
  test("one machine's build is another's hit, byte for byte; each side counts what it did", async () => {
    const a = remote()
    const b = remote()
    const key = buildKey()
    const value = bytes(`outputs of a build ${'x'.repeat(100_000)}`)
    const cacheA = machine(a)
    await cacheA.put(key, value)
    await a.settle()
    assert.equal(a.stats.started, 1)
    assert.equal(a.stats.uploads, 1)
    assert.ok(a.stats.bytesUp > value.length, 'the sealed entry went up')
    const cacheB = machine(b)
    assert.ok(text(await cacheB.get(key)) === text(value), 'the same bytes')
    assert.deepEqual([b.stats.hits, b.stats.misses, b.stats.refused], [1, 0, 0])
    assert.equal(b.stats.bytesDown, a.stats.bytesUp)
    // Kept locally: a second read does not ask the remote again.
    assert.ok(text(await cacheB.get(key)) === text(value))
    assert.equal(b.stats.hits, 1)
    assert.equal(await cacheB.get(buildKey()), undefined)
    assert.equal(b.stats.misses, 1)
    assert.deepEqual(b.takeWarnings(), [])
  })

  test('what is not a build (the last-build record) stays on its machine', async () => {
    const a = remote()
    await machine(a).put('stats:last-build', bytes('{}'))
    await a.settle()
    assert.equal(a.stats.started, 0)
  })

  test('a tampered artifact is refused: by its signature when signed, by its seal when not', async () => {
    const signatureKey = 'shared-secret'
    const a = remote({ signatureKey })
    const key = buildKey()
    await machine(a).put(key, bytes('the real output'))
    await a.settle()
    const file = storedFiles(join(tmp, 'signed'))
      .filter((f) => !f.endsWith('.tag'))
      .at(-1)!
    const stored = readFileSync(file)
    // The same length, one byte changed: what a compromised server or a bit flip gives.
    stored[stored.length - 1] ^= 1
    writeFileSync(file, stored)
    const b = remote({ signatureKey })
    assert.equal(await machine(b).get(key), undefined)
    assert.deepEqual([b.stats.hits, b.stats.refused], [0, 1])
    assert.match(b.takeWarnings().join('\n'), /signature does not verify/)
    // Without a key the envelope's hash finds it.
    const c = remote({ url: signing.url })
    const cacheC = machine(c)
    assert.equal(await cacheC.get(key), undefined)
    assert.equal((await cacheC.stats()).corrupt, 1)
    // Signed with another key: refused too.
    assert.equal(await machine(remote({ signatureKey: 'another' })).get(key), undefined)
  })

  test('a signed upload is a hit for a machine with the same key; an unsigned one is none for a machine that expects a signature', async () => {
    const key = buildKey()
    const signed = remote({ signatureKey: 'k' })
    await machine(signed).put(key, bytes('signed'))
    await signed.settle()
    assert.equal(text(await machine(remote({ signatureKey: 'k' })).get(key)), 'signed')
    const unsignedKey = buildKey()
    const unsigned = remote({ url: signing.url })
    await machine(unsigned).put(unsignedKey, bytes('unsigned'))
    await unsigned.settle()
    const strict = remote({ signatureKey: 'k' })
    assert.equal(await machine(strict).get(unsignedKey), undefined)
    assert.equal(strict.stats.hits, 0)
  })

  test('read-only uploads nothing', async () => {
    const key = buildKey()
    const readOnly = remote({ readOnly: true })
    const cache = machine(readOnly)
    await cache.put(key, bytes('local only'))
    await readOnly.settle()
    assert.equal(readOnly.stats.started, 0)
    assert.equal(text(await cache.get(key)), 'local only', 'kept locally')
    assert.equal(await machine(remote()).get(key), undefined, 'nothing reached the server')
  })

  test('a wrong token: one warning naming the URL and where the token came from; then local only', async () => {
    const wrong = remote({ token: 'nope', tokenSource: 'NEXXO_REMOTE_CACHE_TOKEN' })
    const cache = machine(wrong)
    const key = buildKey()
    assert.equal(await cache.get(key), undefined)
    const [warning, ...more] = wrong.takeWarnings()
    assert.equal(more.length, 0)
    assert.match(warning!, new RegExp(`${server.url}.*refused the token from NEXXO_REMOTE_CACHE_TOKEN \\(40[13]\\)`))
    assert.equal(wrong.usable, false)
    await cache.put(key, bytes('still cached locally'))
    await wrong.settle()
    assert.equal(text(await cache.get(key)), 'still cached locally')
    assert.deepEqual(wrong.takeWarnings(), [], 'said once')
    assert.equal(wrong.stats.started, 0)
  })

  test('a server that is down: one warning, no wait, the local tier goes on', async () => {
    const down = new TurboRemoteStore({ url: `http://127.0.0.1:${await freePort()}`, team: 'web' }, hash)
    const cache = machine(down)
    const started = performance.now()
    assert.equal(await cache.get(buildKey()), undefined)
    assert.ok(performance.now() - started < 1500)
    assert.match(down.takeWarnings().join('\n'), /is unreachable.*local cache only/)
    assert.equal(down.usable, false)
  })

  test('a server that never answers: off after the timeout, with one warning', async () => {
    const silent = await faultyServer(() => {})
    try {
      const slow = new TurboRemoteStore({ url: silent.url, team: 'web', timeoutMs: 200 }, hash)
      const started = performance.now()
      assert.equal(await machine(slow).get(buildKey()), undefined)
      const took = performance.now() - started
      assert.ok(took >= 190 && took < 2000, `${took} ms`)
      assert.match(slow.takeWarnings().join('\n'), /did not answer within 200 ms/)
    } finally {
      silent.server.closeAllConnections()
      silent.server.close()
    }
  })

  test('a body broken off mid-download is a miss, never half an entry', async () => {
    const cut = await faultyServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100000' })
      res.write(Buffer.alloc(1000, 7))
      setTimeout(() => res.destroy(), 20)
    })
    try {
      const broken = new TurboRemoteStore({ url: cut.url, team: 'web' }, hash)
      const cache = machine(broken)
      assert.equal(await cache.get(buildKey()), undefined)
      assert.match(broken.takeWarnings().join('\n'), /broke off a download/)
      assert.equal((await cache.stats()).entries, 0, 'nothing kept')
    } finally {
      cut.server.close()
    }
  })

  test('5xx: off with one warning naming the status', async () => {
    const failing = await faultyServer((_req, res) => res.writeHead(503).end('busy'))
    try {
      const r = new TurboRemoteStore({ url: failing.url, team: 'web' }, hash)
      assert.equal(await machine(r).get(buildKey()), undefined)
      assert.match(r.takeWarnings().join('\n'), /answered GET with 503/)
    } finally {
      failing.server.close()
    }
  })

  test('settling waits for uploads at most its bound, and says what was left', async () => {
    const stalled = await faultyServer(() => {})
    try {
      const r = new TurboRemoteStore({ url: stalled.url, team: 'web', timeoutMs: 10_000 }, hash)
      await machine(r).put(buildKey(), bytes('going up slowly'))
      const started = performance.now()
      await r.settle(300)
      const took = performance.now() - started
      assert.ok(took >= 290 && took < 1500, `${took} ms`)
      assert.match(r.takeWarnings().join('\n'), /1 upload\(s\) .* did not finish within 300 ms/)
    } finally {
      stalled.server.closeAllConnections()
      stalled.server.close()
    }
  })

  test('the server killed mid-upload: the upload fails quietly into one warning; a restarted server serves what landed', async () => {
    const own = await startRemoteCache(storage, TOKEN)
    const r = new TurboRemoteStore({ url: own.url, token: TOKEN, team: 'web' }, hash)
    const key = buildKey()
    const cache = machine(r, 1 << 28)
    await cache.put(key, new Uint8Array(64 * 1024 * 1024).fill(1))
    await new Promise((done) => setTimeout(done, 30))
    await own.stop()
    await r.settle()
    assert.equal(r.stats.uploads, 0)
    assert.match(r.takeWarnings().join('\n'), /local cache only/)
    assert.ok((await cache.get(key)) !== undefined, 'the local tier has it')
    // Whatever the dead server left (a partial file at most) is never a hit.
    const restarted = await startRemoteCache(storage, TOKEN, { port: Number(new URL(own.url).port) })
    try {
      const b = new TurboRemoteStore({ url: restarted.url, token: TOKEN, team: 'web' }, hash)
      assert.equal(await machine(b).get(key), undefined)
    } finally {
      await restarted.stop()
    }
  })
})
