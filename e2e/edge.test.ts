// nexxo/edge in real runtimes on loopback: the example (examples/edge-worker, built by nexxo) in
// workerd (npm `workerd`), Deno (npm `deno`) and Bun (npm `bun`), each against a registry of ours
// on 127.0.0.1. Builds are run in Node to check them; every limit and bad input gets its status and
// stable code, and the runtime keeps serving after each.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { EDGE_RUNTIMES, startRuntime } from './edge-runtimes.js'
import { repo, tempDir } from './helpers.js'
import { packFiles, packInstalled, TestRegistry } from './registry-server.js'

const work = tempDir('edge')
let registry: TestRegistry
const stops: (() => void)[] = []

before(async () => {
  execFileSync(process.execPath, [join(repo, 'examples/edge-worker/build.mjs')], { stdio: 'ignore' })
  registry = await TestRegistry.start()
  for (const name of ['react', 'react-dom', 'scheduler']) {
    registry.publish(packInstalled(join(repo, 'node_modules', name)))
  }
  const pkg = (name: string, extra: { tarballUrl?: string; redirectTo?: string }) => {
    const manifest = { name, version: '1.0.0', main: 'index.js' }
    return { manifest, tgz: packFiles(manifest, { 'index.js': 'export const x = 1\n' }), ...extra }
  }
  // Tarballs elsewhere than the registry's origin: named in the metadata, or reached by a redirect.
  registry.publish(pkg('elsewhere', { tarballUrl: 'http://localhost:1/elsewhere/-/elsewhere-1.0.0.tgz' }))
  registry.publish(pkg('redirected', { redirectTo: 'http://localhost:1/stolen.tgz' }))
  // A package in ESM with a default export and a CommonJS one with named exports.
  const esmLib = {
    name: 'esm-lib',
    version: '2.1.0',
    type: 'module',
    exports: { '.': './index.js', './extra': './extra.js' },
  }
  registry.publish({
    manifest: esmLib,
    tgz: packFiles(esmLib, {
      'index.js': "export const named = 'named'\nexport default function hello() { return 'hello' }\n",
      'extra.js': "export const extra = 'extra'\n",
    }),
  })
})

after(async () => {
  for (const stop of stops) stop()
  await registry?.close()
  rmSync(work, { recursive: true, force: true })
})

/** Runs an ES module in a fresh Node and returns what it printed; `probe` imports it as `m`. */
function runModule(code: string, probe?: string): string {
  const id = Math.random().toString(36).slice(2)
  writeFileSync(join(work, `mod-${id}.mjs`), code)
  if (probe) writeFileSync(join(work, `probe-${id}.mjs`), `import * as m from './mod-${id}.mjs'\n${probe}\n`)
  const r = spawnSync(process.execPath, [join(work, `${probe ? 'probe' : 'mod'}-${id}.mjs`)], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.trim()
}

const project = {
  'src/main.ts': "import { greet } from './greet'\nconsole.log(greet('edge'))\n",
  'src/greet.ts': "export const greet = (name: string): string => 'hello ' + name\n",
}

const post = (origin: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${origin}/build`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

async function expectError(response: Response, status: number, code: string) {
  const text = await response.text()
  assert.equal(response.status, status, text)
  const body = JSON.parse(text) as { code: string; message: string }
  assert.equal(body.code, code, text)
  assert.ok(body.message.length > 0)
  return body
}

for (const runtime of EDGE_RUNTIMES) {
  describe(`nexxo/edge in ${runtime}`, () => {
    let origin = ''
    before(async () => {
      const running = await startRuntime(runtime, registry.url, work)
      stops.push(running.stop)
      origin = running.origin
    })

    test('POST /build: JSON outputs that run, a cache hit on repeat, and the single JS file', async () => {
      const body = { files: project, entry: 'src/main.ts', options: { minify: true } }
      const first = await post(origin, body)
      assert.equal(first.status, 200)
      assert.equal(first.headers.get('x-nexxo-cache'), 'miss')
      const result = (await first.json()) as { outputs: { fileName: string; code: string }[] }
      assert.equal(runModule(result.outputs[0]!.code), 'hello edge')
      const again = await post(origin, body)
      assert.equal(again.headers.get('x-nexxo-cache'), 'hit')
      assert.deepEqual(await again.json(), result)
      const js = await post(origin, body, { accept: 'text/javascript' })
      assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/)
      assert.equal(runModule(await js.text()), 'hello edge')
      assert.equal(js.headers.get('access-control-allow-origin'), null, 'no CORS on /build unless configured')
    })

    test("the worker's plugins run in the isolate: a virtual module of the example's plugin", async () => {
      const files = { 'main.ts': "import { runtime } from 'virtual:edge'\nconsole.log(runtime)\n" }
      const response = await post(origin, { files, entry: 'main.ts' }, { accept: 'text/javascript' })
      const code = await response.text()
      assert.equal(response.status, 200, code)
      const expected = { workerd: /Cloudflare-Workers/, deno: /^Deno\//, bun: /^Bun\// }[runtime]
      assert.match(runModule(code), expected)
    })

    test('build errors are 422 with located diagnostics; bad requests are 400, 404, 405, 413', async () => {
      const broken = await post(origin, { files: { 'main.ts': 'export const x = (\n' }, entry: 'main.ts' })
      const error = (await expectError(broken, 422, 'BUILD_ERROR')) as unknown as {
        diagnostics: { file: string; line: number; frame: string }[]
      }
      assert.equal(error.diagnostics[0]!.file, 'main.ts')
      assert.match(error.diagnostics[0]!.frame, /\^/)
      await expectError(await post(origin, { files: project, entry: 'src/nope.ts' }), 400, 'MISSING_ENTRY')
      const missing = await post(origin, {
        files: { 'main.ts': "\nimport x from 'no-such-package'\n" },
        entry: 'main.ts',
      })
      const located = (await expectError(missing, 422, 'PACKAGE_NOT_FOUND')) as unknown as {
        diagnostics: { file: string; line: number }[]
      }
      assert.deepEqual([located.diagnostics[0]!.file, located.diagnostics[0]!.line], ['main.ts', 2])
      await expectError(await post(origin, '{"files":'), 400, 'INVALID_JSON')
      await expectError(
        await post(origin, { files: project, entry: 'src/main.ts', options: { plugins: [] } }),
        400,
        'INVALID_OPTION',
      )
      await expectError(
        await post(origin, { files: { '../escape.ts': '' }, entry: '../escape.ts' }),
        400,
        'INVALID_PATH',
      )
      await expectError(await post(origin, { files: { '/etc/passwd': '' }, entry: '/etc/passwd' }), 400, 'INVALID_PATH')
      const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}.js`, '']))
      await expectError(await post(origin, { files: many, entry: 'f0.js' }), 413, 'TOO_MANY_FILES')
      const big = { files: { 'main.js': `// ${'x'.repeat(2 * 1024 * 1024)}` }, entry: 'main.js' }
      await expectError(await post(origin, big), 413, 'BODY_TOO_LARGE')
      await expectError(await fetch(`${origin}/build`), 405, 'METHOD_NOT_ALLOWED')
      await expectError(await fetch(`${origin}/nothing`), 404, 'NOT_FOUND')
      assert.equal((await fetch(`${origin}/health`)).status, 200, 'still serving')
    })

    test('a build over its time limit answers 504, and the runtime keeps serving', async () => {
      const slow = { files: { ...project, 'src/extra.ts': 'export {}' }, entry: 'src/main.ts', timeoutMs: 1 }
      await expectError(await post(origin, slow), 504, 'BUILD_TIMEOUT')
      assert.equal((await fetch(`${origin}/health`)).status, 200)
      const ok = await post(origin, { ...slow, timeoutMs: 20_000, options: { format: 'esm' } })
      assert.equal(ok.status, 200, await ok.clone().text())
    })

    test('GET /npm/: exact versions are immutable ES modules with named exports; ranges redirect', async () => {
      const react = await fetch(`${origin}/npm/react@19.2.0`)
      assert.equal(react.status, 200, await react.clone().text())
      assert.equal(react.headers.get('cache-control'), 'public, max-age=31536000, immutable')
      assert.equal(react.headers.get('access-control-allow-origin'), '*')
      const etag = react.headers.get('etag')
      assert.match(etag ?? '', /^"[0-9a-f]{32,}"$/)
      const code = await react.text()
      const probe = 'console.log(typeof m.useState, typeof m.default.createElement, m.version)'
      assert.equal(runModule(code, probe), 'function function 19.2.0')

      const cached = await fetch(`${origin}/npm/react@19.2.0`)
      assert.equal(cached.headers.get('x-nexxo-cache'), 'hit')
      assert.equal(await cached.text(), code)
      const notModified = await fetch(`${origin}/npm/react@19.2.0`, { headers: { 'if-none-match': etag! } })
      assert.equal(notModified.status, 304)

      const range = await fetch(`${origin}/npm/react@^19.0.0?minify`, { redirect: 'manual' })
      assert.equal(range.status, 302)
      assert.equal(range.headers.get('location'), '/npm/react@19.2.0?minify')

      const dom = await fetch(`${origin}/npm/react-dom@19.2.0/client`)
      assert.equal(dom.status, 200, await dom.clone().text())
      assert.match(await dom.text(), /createRoot/)

      const esm = await (await fetch(`${origin}/npm/esm-lib@2.1.0`)).text()
      assert.equal(runModule(esm, 'console.log(m.named, m.default())'), 'named hello')
      const extra = await (await fetch(`${origin}/npm/esm-lib@2.1.0/extra`)).text()
      assert.equal(runModule(extra, "console.log(m.extra, 'default' in m)"), 'extra false')
    })

    test('/npm/ refuses bad names, missing packages and any origin but the registry', async () => {
      await expectError(await fetch(`${origin}/npm/React@19.2.0`), 400, 'INVALID_PACKAGE')
      // Encoded slashes survive URL parsing (`%2e%2e/` does not: clients collapse it before sending).
      await expectError(await fetch(`${origin}/npm/react@19.2.0/..%2f..%2fetc`), 400, 'INVALID_PACKAGE')
      await expectError(await fetch(`${origin}/npm/react@19.2.0/a%5c..%5c..%5cetc`), 400, 'INVALID_PACKAGE')
      await expectError(await fetch(`${origin}/npm/react@not a range!`), 400, 'INVALID_PACKAGE')
      await expectError(await fetch(`${origin}/npm/no-such-package@1.0.0`), 404, 'PACKAGE_NOT_FOUND')
      await expectError(await fetch(`${origin}/npm/react@99.0.0`), 404, 'NO_MATCHING_VERSION')
      await expectError(await fetch(`${origin}/npm/react@19.2.0?format=cjs`), 400, 'INVALID_OPTION')
      await expectError(await fetch(`${origin}/npm/elsewhere@1.0.0`), 502, 'REGISTRY_ORIGIN')
      await expectError(await fetch(`${origin}/npm/redirected@1.0.0`), 502, 'REGISTRY_ORIGIN')
      assert.ok(!registry.requests.some((r) => r.includes('stolen')), 'the redirect was not followed')
      assert.equal((await fetch(`${origin}/health`)).status, 200)
    })

    test('configured: CORS for listed origins, preflight, and an output size limit', async () => {
      const tight = await startRuntime(runtime, registry.url, work, {
        settings: { NEXXO_CORS_ORIGINS: 'https://app.example', NEXXO_MAX_OUTPUT_BYTES: '2000' },
      })
      stops.push(tight.stop)
      const body = { files: project, entry: 'src/main.ts' }
      const allowed = await post(tight.origin, body, { origin: 'https://app.example' })
      assert.equal(allowed.status, 200)
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example')
      const other = await post(tight.origin, body, { origin: 'https://evil.example' })
      assert.equal(other.headers.get('access-control-allow-origin'), null)
      const preflight = await fetch(`${tight.origin}/build`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      })
      assert.equal(preflight.status, 204)
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/)
      const large = { files: { 'main.js': `console.log(${JSON.stringify('x'.repeat(5000))})` }, entry: 'main.js' }
      await expectError(await post(tight.origin, large), 422, 'OUTPUT_TOO_LARGE')
      assert.equal((await fetch(`${tight.origin}/health`)).status, 200)
    })

    test('200 concurrent requests all succeed', async () => {
      const body = { files: project, entry: 'src/main.ts' }
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          i % 4 === 0
            ? fetch(`${origin}/health`)
            : i % 4 === 1
              ? fetch(`${origin}/npm/react@19.2.0`)
              : post(origin, i % 4 === 2 ? body : { ...body, files: { ...project, [`src/n${i}.ts`]: '' } }),
        ),
      )
      const statuses = await Promise.all(
        responses.map(async (r) => {
          await r.arrayBuffer()
          return r.status
        }),
      )
      assert.deepEqual(
        statuses.filter((s) => s !== 200),
        [],
      )
    })
  })
}

describe('examples/edge-worker/config.capnp as shipped (no cache service for the Cache API)', () => {
  let origin = ''
  before(async () => {
    const running = await startRuntime('workerd', registry.url, work, { shippedConfig: true })
    stops.push(running.stop)
    origin = running.origin
  })

  test('builds answer 200, the unusable Cache API is one warning, and repeats hit the memory cache', async () => {
    const body = { files: project, entry: 'src/main.ts' }
    const first = await post(origin, body)
    const text = await first.text()
    assert.equal(first.status, 200, text)
    const result = JSON.parse(text) as { outputs: { code: string }[]; warnings: { code: string; message: string }[] }
    assert.equal(runModule(result.outputs[0]!.code), 'hello edge')
    assert.deepEqual(
      result.warnings.map((w) => w.code),
      ['CACHE_UNAVAILABLE'],
    )
    assert.match(result.warnings[0]!.message, /Cache API is unusable \(No Cache was configured\); caching in memory/)
    const again = await post(origin, body)
    assert.equal(again.headers.get('x-nexxo-cache'), 'hit')
    const other = await post(origin, { ...body, files: { ...project, 'src/extra.ts': '' } })
    assert.equal(other.status, 200)
    assert.deepEqual(((await other.json()) as { warnings: unknown[] }).warnings, [], 'said once, not per build')
    const js = await post(origin, body, { accept: 'text/javascript' })
    assert.equal(js.status, 200)
    assert.equal(runModule(await js.text()), 'hello edge')
  })
})
