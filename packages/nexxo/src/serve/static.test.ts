// `nexxo preview`'s file server against the path tricks of the dev-server advisories in
// shared/attacks.md (Vite's `..`, encoded separators, backslashes, symlinks out), over real HTTP.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { serveStatic } from './static.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-static-'))
const site = join(tmp, 'site')
let plain: Awaited<ReturnType<typeof serveStatic>>
let isolated: Awaited<ReturnType<typeof serveStatic>>

before(async () => {
  mkdirSync(join(site, 'assets'), { recursive: true })
  writeFileSync(join(site, 'index.html'), '<!doctype html>home')
  writeFileSync(join(site, 'assets/app.js'), 'export {}')
  writeFileSync(join(tmp, 'secret.txt'), 'secret')
  symlinkSync(join(tmp, 'secret.txt'), join(site, 'link.txt'))
  plain = await serveStatic(site)
  isolated = await serveStatic(site, { isolated: true })
})
after(async () => {
  await plain.close()
  await isolated.close()
  rmSync(tmp, { recursive: true, force: true })
})

/** A raw request: the path goes out exactly as written, not normalized by a URL parser. */
function get(base: string, path: string, method = 'GET') {
  const { hostname, port } = new URL(base)
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ hostname, port, path, method }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('nexxo preview: static files', () => {
  test('serves files, index.html for directories, with types; HEAD has no body; other methods are refused', async () => {
    const home = await get(plain.url, '/')
    assert.equal(home.status, 200)
    assert.equal(home.body, '<!doctype html>home')
    assert.match(String(home.headers['content-type']), /text\/html/)
    const js = await get(plain.url, '/assets/app.js?v=1')
    assert.equal(js.status, 200)
    assert.match(String(js.headers['content-type']), /text\/javascript/)
    assert.equal(js.headers['cross-origin-opener-policy'], undefined)
    const head = await get(plain.url, '/assets/app.js', 'HEAD')
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    assert.equal((await get(plain.url, '/missing.js')).status, 404)
    assert.equal((await get(plain.url, '/', 'POST')).status, 405)
  })

  test('--isolated sends COOP and COEP', async () => {
    const r = await get(isolated.url, '/')
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin')
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp')
  })

  for (const path of [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%00index.html',
    '/link.txt',
    '/%',
  ]) {
    test(`nothing outside the directory: ${path}`, async () => {
      const r = await get(plain.url, path)
      assert.ok(r.status === 403 || r.status === 404, `${path}: ${r.status}`)
      assert.doesNotMatch(r.body, /secret/)
    })
  }
})
