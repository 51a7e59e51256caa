// Nexxo's Cache API store in a real workerd (npm `workerd`) on loopback. workerd forwards its Cache
// API to the service named by `cacheApiOutbound`; here that is a small HTTP cache of ours that keeps
// the serialized responses workerd sends (as Cloudflare's edge or Miniflare would).

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createBundler } from '../packages/nexxo/src/index.js'
import { repo, tempDir } from './helpers.js'
import { freePort, startCacheService, workerdConfig } from './workerd-support.js'

const work = tempDir('cache-workerd')
let cacheServer: Server
let workerd: ChildProcess | undefined
let origin = ''
const stored = new Map<string, Buffer>()

before(async () => {
  const bundler = await createBundler({ backend: 'native', cache: false })
  try {
    await bundler.build({
      input: 'e2e/fixtures/cache-worker/worker.ts',
      root: repo,
      outDir: join(work, 'worker'),
      external: ['nexxo_core.wasm'],
    })
  } finally {
    await bundler.close()
  }
  const [bundle] = readdirSync(join(work, 'worker')).filter((f) => f.endsWith('.js'))
  copyFileSync(join(repo, 'wasm/nexxo_core.wasm'), join(work, 'worker/nexxo_core.wasm'))
  const service = await startCacheService(stored)
  cacheServer = service.server
  const cachePort = service.port
  const port = await freePort()
  writeFileSync(
    join(work, 'worker/config.capnp'),
    workerdConfig({ port, cachePort, main: bundle!, wasm: ['nexxo_core.wasm'] }),
  )
  workerd = spawn(join(repo, 'node_modules/.bin/workerd'), ['serve', join(work, 'worker/config.capnp')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  origin = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    try {
      await fetch(`${origin}/stats`)
      break
    } catch (e) {
      if (i > 100) throw e
      await new Promise((r) => setTimeout(r, 100))
    }
  }
})

after(() => {
  workerd?.kill()
  cacheServer?.close()
  rmSync(work, { recursive: true, force: true })
})

const call = async (path: string, body?: string) => {
  const res = await fetch(origin + path, body === undefined ? {} : { method: 'POST', body })
  return { status: res.status, text: await res.text() }
}

test('workerd: put, get, delete through caches.default; a flipped byte is a miss that deletes the entry', async () => {
  assert.deepEqual(await call('/get?key=a'), { status: 404, text: 'miss' })
  assert.equal((await call('/put?key=a', 'bundle bytes ü')).text, 'stored')
  assert.ok(stored.size >= 1, 'the runtime sent the entry to its cache service')
  assert.deepEqual(await call('/get?key=a'), { status: 200, text: 'bundle bytes ü' })
  assert.equal((await call('/flip?key=a')).text, 'flipped')
  assert.deepEqual(await call('/get?key=a'), { status: 404, text: 'miss' })
  assert.equal((await call('/raw?key=a')).text, 'false', 'the damaged entry was deleted')
  await call('/put?key=b', 'other')
  await call('/delete?key=b')
  assert.deepEqual(await call('/get?key=b'), { status: 404, text: 'miss' })
  const stats = JSON.parse((await call('/stats')).text)
  assert.deepEqual({ hits: stats.hits, corrupt: stats.corrupt }, { hits: 1, corrupt: 1 })
})
