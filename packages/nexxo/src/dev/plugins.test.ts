// The user's plugins in `nexxo dev`: configureServer middlewares (after the security checks),
// resolveId and load (virtual modules, aliases, externals), transform per request with filters,
// handleHotUpdate, and errors naming the plugin.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { NexxoPlugin } from '../plugin/types.js'
import { devPlugins } from './plugins.js'
import { createDevServer, type DevServer } from './server.js'
import { hmrClient } from './test-hmr.js'

const work = mkdtempSync(join(tmpdir(), 'nexxo-dev-plugins-'))
let server: DevServer
const seen: string[] = []

const plugins: NexxoPlugin[] = [
  {
    name: 'api',
    configureServer(s) {
      s.middlewares.use('/api', (req, res, next) => {
        seen.push(req.url ?? '')
        if (req.url === '/pass') return next()
        res.end(JSON.stringify({ url: req.url, method: req.method }))
      })
    },
  },
  {
    name: 'greeting',
    transform: {
      filter: { id: /main\.ts$/ },
      handler: (code: string) => code.replace('__GREETING__', JSON.stringify('hello from a plugin')),
    },
  },
  {
    name: 'thrower',
    transform(_code: string, id: string) {
      if (id.endsWith('broken.ts')) throw new Error('cannot take this file')
      return null
    },
  },
  {
    name: 'quiet-edits',
    handleHotUpdate: (ctx) => (ctx.file.endsWith('quiet.ts') ? [] : undefined),
  },
  { name: 'build-only', apply: 'build', configureServer: () => assert.fail('a build-only plugin ran in dev') },
  {
    name: 'virtual-greeting',
    resolveId: (id: string) => (id.startsWith('virtual:') && id !== 'virtual:nowhere' ? `\0${id}` : null),
    load: (id: string) =>
      id === '\0virtual:greeting'
        ? 'export const greet = (n) => `hi ${n}`\n'
        : id === '\0virtual:typed.ts'
          ? 'export const typed: number = 1\n'
          : null,
  },
  { name: 'alias', resolveId: (id: string) => (id === '~util' ? join(work, 'src/util.ts') : null) },
  {
    name: 'wrapper',
    async resolveId(this: { resolve(s: string, i?: string): Promise<{ id: string } | null> }, id, importer) {
      if (id !== 'wrapped:util') return null
      return (await this.resolve('~util', importer))?.id ?? null
    },
  },
  {
    name: 'cdn',
    resolveId: { filter: { id: /^external-lib$/ }, handler: (id: string) => ({ id, external: true }) },
  },
  { name: 'generator', load: (id: string) => (id.endsWith('generated.ts') ? 'export const n: number = 42\n' : null) },
  { name: 'dangling', resolveId: (id: string) => (id === 'virtual:nowhere' ? '\0nowhere' : null) },
  {
    name: 'fake-vue',
    transform: {
      filter: { id: /\.vue$/ },
      handler: (code: string) => `export default ${JSON.stringify(code.trim())}\n`,
    },
  },
]

before(async () => {
  mkdirSync(join(work, 'src'), { recursive: true })
  writeFileSync(
    join(work, 'index.html'),
    '<!doctype html><script type="module" src="/src/main.ts"></script><script type="module" src="/src/uses.ts"></script>',
  )
  writeFileSync(
    join(work, 'src/uses.ts'),
    [
      "import { greet } from 'virtual:greeting'",
      "import { typed } from 'virtual:typed.ts'",
      "import { util } from '~util'",
      "import { util as again } from 'wrapped:util'",
      "import ext from 'external-lib'",
      "import card from './Card.vue'",
      "import { n } from './generated.ts'",
      'export default [greet, typed, util, again, ext, card, n]',
      '',
    ].join('\n'),
  )
  writeFileSync(join(work, 'src/util.ts'), 'export const util: number = 1\n')
  writeFileSync(join(work, 'src/generated.ts'), 'export const n: number = 0 // on disk, never served\n')
  writeFileSync(join(work, 'src/Card.vue'), '<template>card</template>\n')
  writeFileSync(join(work, 'src/Widget.svelte'), '<p>widget</p>\n')
  writeFileSync(join(work, 'src/dangling.ts'), "import x from 'virtual:nowhere'\nexport default x\n")
  writeFileSync(join(work, 'src/main.ts'), 'export const greeting: string = __GREETING__\n')
  writeFileSync(join(work, 'src/other.ts'), 'export const other = "__GREETING__"\n')
  writeFileSync(join(work, 'src/broken.ts'), 'export const b = 1\n')
  writeFileSync(join(work, 'src/quiet.ts'), 'export const q = 1\nimport.meta.hot?.accept()\n')
  writeFileSync(join(work, 'src/loud.ts'), 'export const l = 1\nimport.meta.hot?.accept()\n')
  server = await createDevServer({ root: work, port: 0, cache: false, plugins })
})
after(async () => {
  await server?.close()
  rmSync(work, { recursive: true, force: true })
})

const get = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${server.port}${path}`, init)

describe('plugins in nexxo dev', () => {
  test('configureServer middlewares answer under their route, POST included; next() falls through', async () => {
    assert.deepEqual(await (await get('/api/hello?x=1')).json(), { url: '/hello?x=1', method: 'GET' })
    assert.deepEqual(await (await get('/api/items', { method: 'POST', body: '{}' })).json(), {
      url: '/items',
      method: 'POST',
    })
    const passed = await get('/api/pass')
    assert.equal(passed.status, 404, 'nexxo answers what the middleware passed on')
  })

  test('middlewares never see a request the security checks refuse', async () => {
    seen.length = 0
    const r = await get('/api/hello', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' } })
    assert.equal(r.status, 403)
    assert.deepEqual(seen, [])
  })

  test('transform runs per request on the modules its filter matches, before nexxo compiles them', async () => {
    const main = await (await get('/src/main.ts')).text()
    assert.match(main, /"hello from a plugin"/)
    assert.doesNotMatch(main, /: string/, 'still compiled by nexxo after the plugin')
    const other = await (await get('/src/other.ts')).text()
    assert.match(other, /"__GREETING__"/, 'the filter kept the plugin away')
  })

  test('a plugin that throws: the module answers with an error naming the plugin and the file', async () => {
    const r = await get('/src/broken.ts')
    assert.equal(r.status, 500)
    assert.match(await r.text(), /\[plugin thrower\] transform for .*broken\.ts: cannot take this file/)
  })
})

describe('resolveId and load in nexxo dev', () => {
  test("imports point where the plugins' resolveId said: virtual ids at /@id/, files as files, externals as written", async () => {
    const r = await get('/src/uses.ts')
    assert.equal(r.status, 200)
    const code = await r.text()
    assert.match(code, /from "\/@id\/__x00__virtual:greeting\?import&v=\d+"/)
    assert.match(
      code,
      /from "\/src\/util\.ts\?v=\d+"[\s\S]*from "\/src\/util\.ts\?v=\d+"/,
      'the alias, and this.resolve',
    )
    assert.match(code, /from "external-lib"/)
    assert.match(code, /from "\/src\/Card\.vue\?import&v=\d+"/)
  })

  test("a virtual module is the plugin's load as a JS module; TypeScript when its id says so (as Vite)", async () => {
    await get('/src/uses.ts')
    const r = await get('/@id/__x00__virtual:greeting')
    assert.equal(r.status, 200, await r.clone().text())
    assert.match(r.headers.get('content-type') ?? '', /javascript/)
    assert.match(await r.text(), /export const greet = \(n\) =>/)
    const typed = await get('/@id/__x00__virtual:typed.ts')
    assert.equal(typed.status, 200, await typed.clone().text())
    assert.match(await typed.text(), /export const typed = 1/)
  })

  test('load answers for a real file in place of what is on disk', async () => {
    const code = await (await get('/src/generated.ts')).text()
    assert.match(code, /export const n = 42/)
  })

  test("a plugin-compiled source (.vue) is served as the plugin's JavaScript", async () => {
    const r = await get('/src/Card.vue')
    assert.equal(r.status, 200)
    assert.match(r.headers.get('content-type') ?? '', /javascript/)
    assert.match(await r.text(), /export default "<template>card<\/template>"/)
  })

  test('a .svelte file no plugin compiles: an error saying to add the plugin, never raw markup as a module', async () => {
    const r = await get('/src/Widget.svelte')
    assert.equal(r.status, 500)
    assert.match(await r.text(), /No plugin compiled src\/Widget\.svelte: add the plugin for \.svelte files/)
  })

  test('an id a plugin resolved but none loads: a clear error, not a file read', async () => {
    assert.equal((await get('/src/dangling.ts')).status, 200)
    const r = await get('/@id/__x00__nowhere')
    assert.equal(r.status, 500)
    assert.match(await r.text(), /No plugin loaded '\\u0000nowhere'/)
  })

  test('/@id/ serves only ids a plugin made up', async () => {
    for (const path of ['/@id/virtual:unknown', '/@id/..%2F..%2Fetc%2Fpasswd', '/@id/' + encodeURIComponent(work)]) {
      assert.equal((await get(path)).status, 404, path)
    }
  })

  test('bare ids a plugin claims are not pre-bundled as packages', () => {
    assert.deepEqual(
      server.startup.deps.filter((d) => /virtual:|external-lib|wrapped:|~util/.test(d)),
      [],
    )
  })
})

describe('handleHotUpdate', () => {
  test('in the server: an edit a hook handled sends no update, and the next request has the new code', async () => {
    for (const f of ['quiet', 'loud']) assert.equal((await get(`/src/${f}.ts`)).status, 200)
    const hmr = await hmrClient(server.port)
    const { messages } = hmr
    try {
      writeFileSync(join(work, 'src/quiet.ts'), 'export const q = 2\nimport.meta.hot?.accept()\n')
      writeFileSync(join(work, 'src/loud.ts'), 'export const l = 2\nimport.meta.hot?.accept()\n')
      await hmr.until(() => messages.some((m) => m.type === 'update'), 5000)
      await new Promise((r) => setTimeout(r, 200))
      const updated = messages.filter((m) => m.type === 'update').flatMap((m) => JSON.stringify(m))
      assert.ok(
        updated.some((m) => m.includes('/src/loud.ts')),
        JSON.stringify(messages),
      )
      assert.ok(!updated.some((m) => m.includes('/src/quiet.ts')), JSON.stringify(messages))
      assert.match(await (await get('/src/quiet.ts')).text(), /q = 2/)
    } finally {
      hmr.close()
    }
  })

  test('chained: each hook sees the modules the one before returned; [] means handled', async () => {
    const calls: string[][] = []
    const chain = await devPlugins(
      [
        {
          name: 'a',
          handleHotUpdate: (ctx) => {
            calls.push(ctx.modules)
            return ['/src/x.ts', ...ctx.modules]
          },
        },
        {
          name: 'b',
          handleHotUpdate: (ctx) => {
            calls.push(ctx.modules)
          },
        },
      ],
      { mode: 'development', reload() {} },
    )
    const ctx = { file: '/p/src/y.ts', timestamp: 0, modules: ['/src/y.ts'], read: async () => '' }
    assert.deepEqual(await chain.hotUpdate(ctx), ['/src/x.ts', '/src/y.ts'])
    assert.deepEqual(calls, [['/src/y.ts'], ['/src/x.ts', '/src/y.ts']])
    const handled = await devPlugins([{ name: 'c', handleHotUpdate: () => [] }], { mode: 'development', reload() {} })
    assert.deepEqual(await handled.hotUpdate(ctx), [])
  })

  test('a hook that never settles times out, naming the plugin', async () => {
    const stuck = await devPlugins(
      [{ name: 'stuck', handleHotUpdate: () => new Promise(() => {}) }],
      { mode: 'development', reload() {} },
      50,
    )
    await assert.rejects(
      stuck.hotUpdate({ file: 'f', timestamp: 0, modules: [], read: async () => '' }),
      /stuck.*handleHotUpdate/,
    )
  })
})
