// The registry client and the in-memory installer against a real registry server on 127.0.0.1
// (e2e/registry-server.ts): ranges and dist-tags, integrity, bounds, hostile tarballs, the cache
// (fresh, stale on an outage, corrupt), npm's nested layout, and react + react-dom packed from
// node_modules built by both engines.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { runInNewContext } from 'node:vm'
import { packFiles, packInstalled, TestRegistry } from '../../../../e2e/registry-server.js'
import { loadNativeCoreOnce } from '../build/backend.js'
import { createBundler } from '../build/create.js'
import { IntegrityCache } from '../cache/integrity.js'
import { MemoryStore } from '../cache/memory.js'
import type { Cache } from '../cache/store.js'
import { NexxoError } from '../errors.js'
import { pickVersion, RegistryClient } from './registry.js'

const repo = new URL('../../../../', import.meta.url).pathname
let registry: TestRegistry
let hash: (bytes: Uint8Array) => string

const pkg = (name: string, version: string, files: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  manifest: { name, version, main: 'index.js', ...extra },
  tgz: packFiles({ name, version, main: 'index.js', ...extra }, files),
})

before(async () => {
  const core = loadNativeCoreOnce()
  hash = (bytes) => core.hash(bytes)
  registry = await TestRegistry.start()
  for (const v of ['1.0.0', '1.2.0', '1.3.0-rc.1', '2.0.0']) {
    registry.publish(pkg('ranged', v, { 'index.js': `module.exports = '${v}'` }))
  }
  registry.publish(pkg('ranged', '1.2.0', { 'index.js': "module.exports = '1.2.0'" }), {
    latest: '1.2.0',
    next: '1.3.0-rc.1',
  })
  registry.publish(
    pkg('shaped', '1.0.0', {
      'index.js': "export const shape = 'esm'",
      'index.d.ts': 'export declare const shape: string',
      'index.js.map': '{}',
      'README.md': '# shaped',
      'style.css': 'a{}',
    }),
  )
  registry.publish({ ...pkg('lying', '1.0.0', { 'index.js': '' }), integrity: `sha512-${'A'.repeat(86)}==` })
  registry.publish({ ...pkg('unsigned', '1.0.0', { 'index.js': '' }), integrity: null })
  // Random text: a tarball that gzip cannot shrink under the bounds below.
  registry.publish(pkg('big', '1.0.0', { 'index.js': `module.exports = '${randomBytes(150_000).toString('base64')}'` }))
  registry.publish({
    manifest: { name: 'hostile', version: '1.0.0', main: 'index.js' },
    tgz: packFiles(
      { name: 'hostile', version: '1.0.0', main: 'index.js' },
      { 'index.js': 'export default 1', 'up.js': 'pwned' },
      ['-P', '--transform', 's,^package/up.js,package/../../escape.js,'],
    ),
  })
  // npm's nested layout: the app wants shared@2, `a` wants shared@1.
  registry.publish(pkg('shared', '1.0.0', { 'index.js': "module.exports = 'shared@1'" }))
  registry.publish(pkg('shared', '2.0.0', { 'index.js': "module.exports = 'shared@2'" }))
  registry.publish(
    pkg(
      'a',
      '1.0.0',
      { 'index.js': "module.exports = 'a+' + require('shared')" },
      { dependencies: { shared: '^1.0.0' } },
    ),
  )
  for (const name of ['react', 'react-dom', 'scheduler'])
    registry.publish(packInstalled(join(repo, 'node_modules', name)))
})
after(() => registry.close())

const client = (options: ConstructorParameters<typeof RegistryClient>[0] = {}) =>
  new RegistryClient({ url: registry.url, ...options })
const memoryCache = (): Cache => new IntegrityCache(new MemoryStore(), hash)
const fails = (code: string, pattern?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof NexxoError, String(e))
  assert.equal(e.code, code, e.message)
  if (pattern) assert.match(e.message, pattern)
  return true
}

describe('registry client', () => {
  test('ranges and dist-tags pick what npm would', async () => {
    const c = client()
    const pick = async (range: string) => (await c.resolve('ranged', range)).version
    assert.equal(await pick('^1.0.0'), '1.2.0', 'latest wins when the range allows it')
    assert.equal(await pick('>=1.0.0'), '1.2.0')
    assert.equal(await pick('~1.0.0'), '1.0.0')
    assert.equal(await pick('^2'), '2.0.0')
    assert.equal(await pick('next'), '1.3.0-rc.1')
    assert.equal(await pick(''), '1.2.0')
    assert.equal(await pick('2.0.0'), '2.0.0')
    assert.equal(await pick('1.x || >=2.0.0'), '1.2.0')
    await assert.rejects(pick('^3'), fails('NO_MATCHING_VERSION', /No version of ranged matches '\^3'.*2\.0\.0/))
    await assert.rejects(c.resolve('no-such-package', 'latest'), fails('PACKAGE_NOT_FOUND', /404/))
    await assert.rejects(c.resolve('../etc/passwd', 'latest'), fails('INVALID_PACKAGE'))
    await assert.rejects(c.resolve('ranged', 'git+https://example.com/x.git'), fails('UNSUPPORTED_SPEC'))
    await assert.rejects(c.resolve('ranged', 'file:../x'), fails('UNSUPPORTED_SPEC'))
    assert.equal(pickVersion({ distTags: {}, versions: { '1.0.0': { tarball: '' } } }, 'not a range'), undefined)
  })

  test('a bad registry URL is an option error', () => {
    assert.throws(() => new RegistryClient({ url: 'ftp://example.com' }), fails('INVALID_OPTION'))
    assert.throws(() => new RegistryClient({ url: 'not a url' }), fails('INVALID_OPTION'))
  })

  test('installs keep code, JSON and CSS; declarations, maps and docs stay behind', async () => {
    const { files, cached, version } = await client().install('shaped', 'latest')
    assert.equal(version, '1.0.0')
    assert.equal(cached, false)
    assert.deepEqual(Object.keys(files).sort(), ['index.js', 'package.json', 'style.css'])
  })

  test('a tarball that does not match its integrity, or has none, is refused', async () => {
    await assert.rejects(client().install('lying', 'latest'), fails('INTEGRITY', /does not match/))
    await assert.rejects(client().install('unsigned', 'latest'), fails('INTEGRITY', /no integrity/))
  })

  test("entries named with '..' never land in the files", async () => {
    const { files } = await client().install('hostile', 'latest')
    assert.deepEqual(Object.keys(files).sort(), ['index.js', 'package.json'])
  })

  test('bounds on metadata, tarball and unpacked bytes hold', async () => {
    await assert.rejects(client({ limits: { maxTarballBytes: 1024 } }).install('big', 'latest'), fails('TOO_LARGE'))
    await assert.rejects(client({ limits: { maxMetadataBytes: 100 } }).resolve('big', 'latest'), fails('TOO_LARGE'))
    await assert.rejects(
      client({ limits: { maxUnpackedBytes: 10_000 } }).install('big', 'latest'),
      fails('BAD_TARBALL'),
    )
  })

  test('the cache serves metadata and files; stale metadata answers during an outage; corrupt entries are refetched', async () => {
    const cache = memoryCache()
    const count = (what: RegExp) => registry.requests.filter((r) => what.test(r)).length
    const before = { meta: count(/^\/shaped$/), tgz: count(/^\/shaped\/-\//) }
    await client({ cache }).install('shaped', '^1.0.0')
    const second = await client({ cache }).install('shaped', '^1.0.0')
    assert.equal(second.cached, true)
    assert.equal(count(/^\/shaped$/), before.meta + 1, 'metadata fetched once')
    assert.equal(count(/^\/shaped\/-\//), before.tgz + 1, 'tarball fetched once')

    // Metadata past its age is asked for again; the files are not.
    await client({ cache, metadataMaxAgeMs: 0 }).install('shaped', '^1.0.0')
    assert.equal(count(/^\/shaped$/), before.meta + 2)
    assert.equal(count(/^\/shaped\/-\//), before.tgz + 1)

    registry.down.add('shaped')
    try {
      const stale = await client({ cache, metadataMaxAgeMs: 0 }).install('shaped', '^1.0.0')
      assert.equal(stale.version, '1.0.0', 'stale metadata serves while the registry is down')
      await assert.rejects(client().install('shaped', '^1.0.0'), fails('REGISTRY_UNREACHABLE', /503/))
    } finally {
      registry.down.delete('shaped')
    }

    // Flip a byte in every stored value: each is dropped and fetched again, never trusted.
    const raw = new MemoryStore()
    const sealed = new IntegrityCache(raw, hash)
    await client({ cache: sealed }).install('shaped', '^1.0.0')
    for await (const key of raw.keys()) {
      const value = (await raw.get(key))!
      value[value.length - 1] ^= 0xff
    }
    const again = await client({ cache: sealed }).install('shaped', '^1.0.0')
    assert.equal(again.cached, false)
    assert.deepEqual(Object.keys(again.files).sort(), ['index.js', 'package.json', 'style.css'])
  })

  test('an unreachable registry says so', async () => {
    const c = new RegistryClient({ url: 'http://127.0.0.1:9/' })
    await assert.rejects(c.resolve('react', 'latest'), fails('REGISTRY_UNREACHABLE'))
  })
})

describe('bare imports installed from the registry', () => {
  const app = (files: Record<string, string>, engine: 'rolldown' | 'esbuild') =>
    createBundler({ backend: 'wasm', engine, registry: registry.url }).then(async (b) => {
      try {
        return await b.build({ input: 'src/main.js', files, format: 'iife' })
      } finally {
        await b.close()
      }
    })
  const run = (code: string) => {
    const sandbox: { out?: unknown } = {}
    runInNewContext(code, { globalThis: sandbox, window: sandbox })
    // Out of the sandbox's realm, so that deepEqual compares values, not prototypes.
    return JSON.parse(JSON.stringify(sandbox.out))
  }

  for (const engine of ['rolldown', 'esbuild'] as const) {
    test(`${engine}: react and react-dom/client from the registry, versions from package.json`, async () => {
      const result = await app(
        {
          'package.json': JSON.stringify({ dependencies: { react: '^19.0.0', 'react-dom': '^19.0.0' } }),
          'src/main.js': `import { createElement, version } from 'react'
import { createRoot } from 'react-dom/client'
globalThis.out = [version, typeof createRoot, createElement('b', null, 'hi').type]
`,
        },
        engine,
      )
      assert.deepEqual(run(result.outputs[0]!.code as string), ['19.2.0', 'function', 'b'])
      assert.deepEqual(result.stats.packages?.map((p) => `${p.name}@${p.version}`).sort(), [
        'react-dom@19.2.0',
        'react@19.2.0',
        'scheduler@0.27.0',
      ])
    })
  }

  test("npm's layout: a dependency whose range the hoisted copy misses is nested under its dependent", async () => {
    const result = await app(
      {
        'package.json': JSON.stringify({ dependencies: { shared: '^2.0.0', a: '1' } }),
        'src/main.js': "import a from 'a'\nimport shared from 'shared'\nglobalThis.out = [a, shared]\n",
      },
      'esbuild',
    )
    assert.deepEqual(run(result.outputs[0]!.code as string), ['a+shared@1', 'shared@2'])
  })

  test('a package the registry lacks fails at the import, with file, line, column and frame', async () => {
    await assert.rejects(
      app({ 'src/main.js': "const x = 1\nimport nope from 'no-such-package'\n" }, 'esbuild'),
      (e: unknown) => {
        assert.ok(e instanceof NexxoError)
        assert.equal(e.code, 'PACKAGE_NOT_FOUND')
        const [d] = e.diagnostics
        assert.equal(d?.file, 'src/main.js')
        assert.equal(d?.line, 2)
        assert.equal(d?.column, 19, 'the specifier, as for unresolved imports')
        assert.match(d?.frame ?? '', /> 2 \| import nope from 'no-such-package'/)
        return true
      },
    )
  })

  test('without a registry, bare imports are unresolved as before (Node default)', async () => {
    const b = await createBundler({ backend: 'wasm', engine: 'esbuild' })
    try {
      await assert.rejects(
        b.build({ input: 'main.js', files: { 'main.js': "import 'react'" } }),
        fails('UNRESOLVED_IMPORT'),
      )
    } finally {
      await b.close()
    }
  })
})
