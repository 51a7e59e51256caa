// The config file: found, bundled and imported (TypeScript included), checked key by key; a
// vite.config.* read for what means the same and never fatal; plugins' config hooks applied.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { NexxoError } from '../errors.js'
import { loadConfig } from './load.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-config-test-'))
after(() => rmSync(tmp, { recursive: true, force: true }))
let n = 0
const project = (files: Record<string, string>) => {
  const dir = join(tmp, `p${n++}`)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}
const build = { command: 'build' as const, mode: 'production' }

const rejects = async (dir: string): Promise<NexxoError> => {
  const e = await loadConfig(dir, build).then(
    () => assert.fail('loading should fail'),
    (e: unknown) => e,
  )
  assert.ok(e instanceof NexxoError, String(e))
  assert.equal(e.code, 'INVALID_CONFIG')
  return e
}

describe('nexxo.config.*', () => {
  test('TypeScript with a relative import, a function of the command and mode; the temp file is gone after', async () => {
    const dir = project({
      'nexxo.config.ts': `import { out } from './config/shared'
type Env = { command: string; mode: string }
export default ({ command, mode }: Env) => ({ base: '/' + command + '/', build: { outDir: out + mode, minify: false } })
`,
      'config/shared.ts': "export const out: string = 'out-'\n",
    })
    const loaded = await loadConfig(dir, build)
    assert.equal(loaded.file, join(dir, 'nexxo.config.ts'))
    assert.deepEqual(loaded.config, { base: '/build/', build: { outDir: 'out-production', minify: false } })
    assert.deepEqual(loaded.warnings, [])
    assert.deepEqual(readdirSync(dir).sort(), ['config', 'nexxo.config.ts'])
  })

  test('nexxo.config.* wins over vite.config.*; no file is an empty config', async () => {
    const dir = project({
      'nexxo.config.mjs': 'export default { base: "/n/" }\n',
      'vite.config.js': 'export default { base: "/v/" }\n',
    })
    assert.equal((await loadConfig(dir, build)).config.base, '/n/')
    assert.deepEqual(await loadConfig(project({}), build), { config: {}, plugins: [], warnings: [] })
  })

  test('an unknown key is an error naming it', async () => {
    const e = await rejects(project({ 'nexxo.config.js': 'export default { build: { outdir: "x" } }\n' }))
    assert.match(e.message, /'build\.outdir' is not a key Nexxo reads/)
    assert.equal(e.diagnostics[0]!.file, 'nexxo.config.js')
  })

  test('a wrong type is an error naming the key and what it must be', async () => {
    const e = await rejects(
      project({ 'nexxo.config.js': 'export default { server: { port: "80" }, build: { minify: 1 } }\n' }),
    )
    assert.match(e.message, /'server\.port' must be a port \(0-65535\), got "80"/)
    assert.match(e.message, /'build\.minify' must be true or false, got number/)
  })

  test('a config that throws, that exports nothing, or that does not parse', async () => {
    assert.match(
      (await rejects(project({ 'nexxo.config.js': 'throw new Error("no config today")\n' }))).message,
      /threw while loading: no config today/,
    )
    assert.match((await rejects(project({ 'nexxo.config.js': 'export const x = 1\n' }))).message, /exports nothing/)
    const syntax = await loadConfig(
      project({ 'nexxo.config.ts': 'export default {\n  base: "/",,\n}\n' }),
      build,
    ).catch((e: unknown) => e)
    assert.ok(syntax instanceof NexxoError)
    assert.equal(syntax.diagnostics[0]!.line, 2)
  })

  test('plugins: flattened, `apply` honoured, `config` hooks merged in order, `configResolved` told', async () => {
    const dir = project({
      'nexxo.config.js': `const seen = []
globalThis.__seen = seen
export default {
  base: '/a/',
  plugins: [
    [{ name: 'one', config: (c, env) => ({ define: { WHO: JSON.stringify(env.command) } }) }],
    null,
    { name: 'serve-only', apply: 'serve', config: () => ({ base: '/never/' }) },
    Promise.resolve({ name: 'two', enforce: 'pre', config: (c) => ({ build: { outDir: c.base === '/a/' ? 'seen-a' : 'x' } }), configResolved: (c) => seen.push(c.build.outDir) }),
  ],
}
`,
    })
    const loaded = await loadConfig(dir, build)
    assert.deepEqual(
      loaded.plugins.map((p) => p.name),
      ['two', 'one'],
    )
    assert.deepEqual(loaded.config.define, { WHO: '"build"' })
    assert.equal(loaded.config.base, '/a/')
    assert.equal(loaded.config.build?.outDir, 'seen-a')
    assert.deepEqual((globalThis as { __seen?: string[] }).__seen, ['seen-a'])
  })

  test("configResolved gets Vite's resolved shape: every object an official plugin reads exists", async () => {
    const dir = project({
      'nexxo.config.js': `export default {
  define: { FLAG: 'true' },
  build: { sourcemap: true },
  plugins: [{ name: 'reader', configResolved: (c) => { globalThis.__resolved = {
    root: c.root, command: c.command, isProduction: c.isProduction, sourcemap: c.build.sourcemap, watch: c.build.watch,
    outDir: c.build.outDir, flag: c.define.FLAG, devSourcemap: c.css.devSourcemap, warn: typeof c.logger.warn,
    names: c.plugins.map((p) => p.name),
  } } }],
}
`,
    })
    await loadConfig(dir, build)
    assert.deepEqual((globalThis as { __resolved?: unknown }).__resolved, {
      root: dir,
      command: 'build',
      isProduction: true,
      sourcemap: true,
      watch: null,
      outDir: 'dist',
      flag: 'true',
      devSourcemap: false,
      warn: 'function',
      names: ['reader'],
    })
  })
})

describe('vite.config.* alone', () => {
  test('keys that mean the same are read; the rest are one warning; React and Preact plugins are left out with a note', async () => {
    const dir = project({
      'vite.config.ts': `const react = () => [{ name: 'vite:react-babel' }, { name: 'vite:react-refresh' }]
export default { base: '/v/', css: { devSourcemap: true }, optimizeDeps: { include: ['x'] }, plugins: [react()] }
`,
    })
    const loaded = await loadConfig(dir, build)
    assert.equal(loaded.config.base, '/v/')
    assert.deepEqual(loaded.plugins, [])
    const text = loaded.warnings.map((w) => w.message).join('\n')
    assert.match(text, /Nexxo does not read 'css', 'optimizeDeps'; left out/)
    assert.match(text, /'vite:react-babel', 'vite:react-refresh' left out: Nexxo compiles React/)
  })

  test('one that cannot load (a package that is not installed) is a warning, not a crash', async () => {
    const dir = project({
      'vite.config.ts': "import { defineConfig } from 'not-installed-anywhere'\nexport default defineConfig({})\n",
    })
    const loaded = await loadConfig(dir, build)
    assert.deepEqual(loaded.config, {})
    assert.match(loaded.warnings[0]!.message, /could not be loaded, so it was not read.*not-installed-anywhere/)
  })

  test('a wrong type there is a warning too', async () => {
    const loaded = await loadConfig(project({ 'vite.config.js': 'export default { base: 3 }\n' }), build)
    assert.equal(loaded.config.base, undefined)
    assert.match(loaded.warnings[0]!.message, /'base' must be a string, got number; left out/)
  })
})

describe('frameworks detected, and two plugins for one extension', () => {
  const repo = join(import.meta.dirname, '../../../..')
  /** Inside the repository, where `vue` and `svelte` are installed. */
  const inRepo = (files: Record<string, string>) => {
    const dir = join(repo, 'e2e/artifacts', `detect-${process.pid}-${n++}`)
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true })
      writeFileSync(join(dir, name), text)
    }
    after(() => rmSync(dir, { recursive: true, force: true }))
    return dir
  }

  test('no config, .vue and .svelte files, both installed: nexxo/vue and nexxo/svelte, with a note each', async () => {
    const loaded = await loadConfig(
      inRepo({ 'src/App.vue': '<template>x</template>\n', 'src/lib/B.svelte': '<p>b</p>\n' }),
      build,
    )
    assert.deepEqual(
      loaded.plugins.map((p) => p.name),
      ['nexxo:vue', 'nexxo:svelte'],
    )
    const notes = loaded.warnings.filter((w) => w.code === 'FRAMEWORK_DETECTED').map((w) => w.message)
    assert.equal(notes.length, 2)
    assert.match(notes[0]!, /Vue detected \(\.vue files, vue installed\): compiled with nexxo\/vue/)
  })

  test('a framework not installed is not detected (the missing plugin is then reported where a file needs it)', async () => {
    const loaded = await loadConfig(project({ 'src/App.vue': '<template>x</template>\n' }), build)
    assert.deepEqual(loaded.plugins, [])
  })

  test('a config that names the plugin: nothing added', async () => {
    const dir = inRepo({
      'src/App.vue': '<template>x</template>\n',
      'nexxo.config.js': "export default { plugins: [{ name: 'nexxo:vue' }] }\n",
    })
    const loaded = await loadConfig(dir, build)
    assert.deepEqual(
      loaded.plugins.map((p) => p.name),
      ['nexxo:vue'],
    )
    assert.equal(loaded.warnings.length, 0)
  })

  test('two plugins compiling .vue files: a PLUGIN_CONFLICT error naming both', async () => {
    const dir = project({
      'nexxo.config.js': "export default { plugins: [{ name: 'nexxo:vue' }, { name: 'vite:vue' }] }\n",
    })
    await assert.rejects(
      loadConfig(dir, build),
      (e: unknown) =>
        e instanceof NexxoError &&
        e.code === 'PLUGIN_CONFLICT' &&
        /'nexxo:vue' and 'vite:vue' both compile \.vue/.test(e.message),
    )
  })
})
