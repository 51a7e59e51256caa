// The Redis remote cache tier against a real redis-server (Debian's), with a password, on 127.0.0.1.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { loadNativeCoreOnce } from '../build/backend.js'
import { createBundler } from '../build/create.js'
import type { HashHex } from './envelope.js'
import { IntegrityCache, withRemote } from './integrity.js'
import { MemoryStore } from './memory.js'
import { RedisRemoteStore } from './redis-remote.js'
import type { RemoteCacheOptions } from './remote.js'
import { freePort } from './test-remote-server.js'

const PASSWORD = 'team-secret'
let hash: HashHex
let port: number
let server: ChildProcess

async function startRedis(at: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(at), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD],
    {
      stdio: 'ignore',
    },
  )
  for (let i = 0; ; i++) {
    const probe = new Redis({
      port: at,
      host: '127.0.0.1',
      password: PASSWORD,
      lazyConnect: true,
      retryStrategy: () => null,
    })
    probe.on('error', () => {})
    try {
      await probe.connect()
      await probe.ping()
      return child
    } catch {
      if (i > 100) throw new Error('redis-server did not start')
      await new Promise((r) => setTimeout(r, 50))
    } finally {
      probe.disconnect()
    }
  }
}

before(async () => {
  const core = loadNativeCoreOnce()
  hash = (bytes) => core.hash(bytes)
  port = await freePort()
  server = await startRedis(port)
})
after(() => {
  server.kill('SIGKILL')
})

const remote = (options: Partial<RemoteCacheOptions> = {}) =>
  new RedisRemoteStore({ url: `redis://127.0.0.1:${port}`, token: PASSWORD, team: 'web', ...options }, hash)
const machine = (r: RedisRemoteStore) => new IntegrityCache(withRemote(new MemoryStore(1 << 24), r), hash)
const bytes = (s: string) => new TextEncoder().encode(s)
let keys = 0
const buildKey = () => `build:v3:redis-${process.pid}-${keys++}`

describe('the Redis remote cache tier', () => {
  test("one machine's build is another's hit, byte for byte; a miss is a miss", async () => {
    const a = remote()
    const b = remote()
    const key = buildKey()
    const value = bytes(`outputs ${'y'.repeat(50_000)}`)
    await machine(a).put(key, value)
    await a.settle()
    assert.deepEqual([a.stats.started, a.stats.uploads], [1, 1])
    const cacheB = machine(b)
    assert.deepEqual(await cacheB.get(key), value)
    assert.equal(await cacheB.get(buildKey()), undefined)
    assert.deepEqual([b.stats.hits, b.stats.misses, b.stats.refused], [1, 1, 0])
    assert.deepEqual([...a.takeWarnings(), ...b.takeWarnings()], [])
    await a.close()
    await b.close()
  })

  test('a tampered artifact is refused by its signature; read-only uploads nothing', async () => {
    const key = buildKey()
    const signer = remote({ signatureKey: 'k' })
    await machine(signer).put(key, bytes('the real build'))
    await signer.settle()
    await signer.close()
    // Someone with write access to Redis swaps the bytes, keeping the tag.
    const direct = new Redis({ port, host: '127.0.0.1', password: PASSWORD })
    const stored = (await direct.keys('nexxo:artifacts:web:*')).filter((k) => !k.endsWith(':tag'))
    for (const k of stored) await direct.set(k, 'forged')
    direct.disconnect()
    const reader = remote({ signatureKey: 'k', readOnly: true })
    const cache = machine(reader)
    assert.equal(await cache.get(key), undefined)
    assert.equal(reader.stats.refused, 1)
    await cache.put(buildKey(), bytes('not uploaded'))
    await reader.settle()
    assert.equal(reader.stats.started, 0)
    await reader.close()
  })

  test('a wrong password, and a server that is down: one warning each, then local only', async () => {
    const wrong = remote({ token: 'nope', tokenSource: 'NEXXO_REMOTE_CACHE_TOKEN' })
    const cache = machine(wrong)
    assert.equal(await cache.get(buildKey()), undefined)
    assert.equal(await cache.get(buildKey()), undefined)
    const warnings = wrong.takeWarnings()
    assert.equal(warnings.length, 1)
    assert.match(
      warnings[0]!,
      new RegExp(`redis://127\\.0\\.0\\.1:${port} refused the token from NEXXO_REMOTE_CACHE_TOKEN`),
    )
    assert.doesNotMatch(warnings[0]!, /nope/, 'no password in the message')
    await wrong.close()

    const down = remote({ url: `redis://127.0.0.1:${await freePort()}` })
    const started = performance.now()
    assert.equal(await machine(down).get(buildKey()), undefined)
    assert.ok(performance.now() - started < 2500)
    assert.equal(down.takeWarnings().length, 1)
    assert.equal(down.usable, false)
    await down.close()
  })

  test("a bundler's close lets go of its Redis connection, with no disk build to close a store", async () => {
    const direct = new Redis({ port, host: '127.0.0.1', password: PASSWORD })
    const clients = async () =>
      String(await direct.client('LIST'))
        .trim()
        .split('\n').length
    try {
      const alone = await clients()
      const bundler = await createBundler({ remoteCache: { url: `redis://127.0.0.1:${port}`, token: PASSWORD } })
      const built = await bundler.build({ files: { 'a.js': `export const a = ${keys++}\n` }, input: 'a.js' })
      assert.equal(built.stats.cache.misses, 1)
      assert.equal(await clients(), alone + 1, 'the remote was asked')
      assert.deepEqual(await bundler.close(), [])
      // A connection left open keeps the process alive after its last build.
      for (let i = 0; i < 20 && (await clients()) > alone; i++) await new Promise((r) => setTimeout(r, 50))
      assert.equal(await clients(), alone)
    } finally {
      direct.disconnect()
    }
  })

  test('the server killed between builds: the next request turns the remote off with one warning', async () => {
    const r = remote()
    const cache = machine(r)
    await cache.put(buildKey(), bytes('first'))
    await r.settle()
    assert.equal(r.stats.uploads, 1)
    server.kill('SIGKILL')
    await new Promise((done) => server.once('exit', done))
    try {
      assert.equal(await cache.get(buildKey()), undefined)
      assert.equal(r.usable, false)
      assert.equal(r.takeWarnings().length, 1)
    } finally {
      server = await startRedis(port)
      await r.close()
    }
  })
})
