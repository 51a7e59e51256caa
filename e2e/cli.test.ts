// `nexxo build` as a user runs it: both backends, Bun, exit codes, and dist/ kept whole on failure.

import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parse } from 'acorn'
import { type RemoteCacheServer, startRemoteCache } from '../packages/nexxo/src/cache/test-remote-server.ts'
import { cli, cliPath, cliWith, repo, tempDir, tree } from './helpers.js'

const work = tempDir('cli')
after(() => rmSync(work, { recursive: true, force: true }))
const example = join(repo, 'examples/react-app')

describe('nexxo build examples/react-app', () => {
  const outs: Record<string, Record<string, string>> = {}
  for (const backend of ['native', 'wasm']) {
    test(`--backend ${backend}`, () => {
      const out = join(work, `dist-${backend}`)
      const r = cli(['build', example, '--backend', backend, '--out-dir', out])
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stdout, /index\.html\s+[\d.]+ kB │ gzip: [\d.]+ kB/)
      assert.match(r.stdout, /assets\/index-[\w-]+\.js\s+[\d.]+ kB │ gzip:/)
      assert.match(r.stdout, new RegExp(`✓ built in \\d+ ms · \\d+ modules · ${backend} backend`))
      outs[backend] = tree(out)
      const html = outs[backend]['index.html']!
      assert.match(html, /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/)
      assert.match(html, /<link rel="stylesheet" crossorigin href="\/assets\/index-[\w-]+\.css">/)
      const js = Object.entries(outs[backend]).find(([name]) => name.endsWith('.js'))![1]
      assert.ok(!js.includes('this string must not appear in the bundle'), 'unused export tree-shaken')
      assert.ok(js.length < 200_000 && !/\n\s+\n/.test(js.slice(0, 2000)), 'minified by default, as Vite does')
    })
  }

  test('native and wasm backends write byte-identical output', () => {
    assert.ok(outs.native && outs.wasm)
    assert.deepEqual(outs.wasm, outs.native)
  })

  test('esbuild engine on both backends is identical too, with source maps and minification', () => {
    const a = join(work, 'esb-native')
    const b = join(work, 'esb-wasm')
    for (const [backend, out] of [
      ['native', a],
      ['wasm', b],
    ] as const) {
      const r = cli([
        'build',
        example,
        '--engine',
        'esbuild',
        // esbuild runs no plugins yet, so it cannot take the page as the entry.
        '--entry',
        'src/main.tsx',
        '--backend',
        backend,
        '--sourcemap',
        '--out-dir',
        out,
      ])
      assert.equal(r.status, 0, r.stderr)
    }
    assert.deepEqual(tree(b), tree(a))
    assert.ok(Object.keys(tree(a)).some((f) => f.endsWith('.js.map')))
  })

  test('runs under Bun with the same output', () => {
    const bun = join(repo, 'node_modules/.bin/bun')
    const out = join(work, 'dist-bun')
    const r = cli(['build', example, '--out-dir', out], bun)
    assert.equal(r.status, 0, r.stderr + r.stdout)
    assert.match(r.stdout, /native backend/)
    assert.deepEqual(tree(out), outs.native)
  })
})

describe('the build cache from the CLI', () => {
  test('second build hits; cache stats, verify and clear; --no-cache', () => {
    const cacheDir = join(work, 'cli-cache')
    const args = ['build', example, '--out-dir', join(work, 'cached'), '--cache-dir', cacheDir]
    assert.match(cli(args).stdout, /· cache miss/)
    const second = cli(args)
    assert.match(second.stdout, /· cache hit \(1 hit, 0 misses\)/)
    assert.match(second.stdout, /assets\/index-[\w-]+\.js/, 'the table lists the outputs on a hit too')
    const stats = cli(['cache', 'stats', example, '--cache-dir', cacheDir]).stdout
    assert.match(stats, /entries: 2\n {2}size: {4}\d/, 'the build and the last-build record')
    assert.match(stats, /last build: 1 hit, 0 misses, hit rate 100% \(\d{4}-/)
    assert.match(cli(['cache', 'verify', example, '--cache-dir', cacheDir]).stdout, /2 entries checked, 0 corrupt/)
    assert.match(cli(['cache', 'clear', example, '--cache-dir', cacheDir]).stdout, /cleared/)
    assert.match(cli(['cache', 'stats', example, '--cache-dir', cacheDir]).stdout, /entries: 0/)
    assert.match(cli([...args, '--no-cache']).stdout, /· no cache/)
    assert.equal(cli(['cache', 'shrink']).status, 2)
    assert.equal(cli([...args, '--cache-max-size', 'lots']).status, 2)
  })

  test('with every default (dist/ and the cache inside the project) the next build hits, with dist/ or without', () => {
    // A project of its own, so that the default cache dir (node_modules/.nexxo) is its own too.
    const project = join(work, 'defaults-app')
    cpSync(example, project, { recursive: true, filter: (src) => !/node_modules|dist/.test(src.slice(example.length)) })
    for (const pkg of ['react', 'react-dom', 'scheduler']) {
      mkdirSync(join(project, 'node_modules'), { recursive: true })
      symlinkSync(join(repo, 'node_modules', pkg), join(project, 'node_modules', pkg))
    }
    const build = () => cli(['build', project])
    assert.match(build().stdout, /· cache miss/)
    const built = tree(join(project, 'dist'))
    // The build's own dist/ (and the staging directory beside it while it runs) is no input.
    assert.match(build().stdout, /· cache hit/)
    assert.match(build().stdout, /· cache hit/)
    rmSync(join(project, 'dist'), { recursive: true })
    assert.match(build().stdout, /· cache hit/)
    assert.deepEqual(tree(join(project, 'dist')), built)
    // A new file beside index.html still counts: it could change what an import resolves to.
    writeFileSync(join(project, 'extra.ts'), 'export {}\n')
    assert.match(build().stdout, /· cache miss/)
  })

  test('a cache damaged on disk: the build warns once and is correct; verify repairs it, clear removes it', () => {
    const cacheDir = join(work, 'damaged-cache')
    const out = join(work, 'damaged-out')
    const build = () => cli(['build', example, '--out-dir', out, '--cache-dir', cacheDir])
    // RocksDB turns the first build's log into a table file when the second opens the store.
    for (let i = 0; i < 2; i++) assert.equal(build().status, 0)
    // The largest table (the build's entry) damaged where its data blocks are, as a bad sector
    // would: the first half (its index, properties and footer come last). Damage elsewhere can make
    // RocksDB abort the process instead; the test of the open marks covers that.
    const damage = () => {
      const tables = readdirSync(cacheDir).filter((f) => f.endsWith('.sst'))
      assert.ok(tables.length > 0, 'the store has table files to damage')
      const largest = tables.sort((a, b) => statSync(join(cacheDir, b)).size - statSync(join(cacheDir, a)).size)[0]!
      const bytes = readFileSync(join(cacheDir, largest))
      for (let i = 64; i < bytes.length / 2; i += 97) bytes[i]! ^= 0xff
      writeFileSync(join(cacheDir, largest), bytes)
    }
    damage()
    assert.equal(cli(['build', example, '--out-dir', join(work, 'damaged-ref'), '--no-cache']).status, 0)
    const damaged = build()
    assert.equal(damaged.status, 0, damaged.stderr)
    assert.equal(damaged.stderr.match(/warning/g)?.length, 1, damaged.stderr)
    assert.match(
      damaged.stderr,
      /warning The cache at .* is damaged on disk \(Corruption: .*`nexxo cache verify` repairs it/,
    )
    assert.deepEqual(tree(out), tree(join(work, 'damaged-ref')))

    const stats = cli(['cache', 'stats', example, '--cache-dir', cacheDir])
    assert.equal(stats.status, 1)
    assert.match(stats.stderr, /✗ The cache at .* is damaged on disk/)
    const verify = cli(['cache', 'verify', example, '--cache-dir', cacheDir])
    assert.equal(verify.status, 1, 'damage found (and repaired) is a failed verify, as a corrupt entry is')
    assert.match(
      verify.stdout,
      /damaged on disk \(Corruption: .*\); repairing\n.*entries checked, 0 corrupt, after repair/,
    )
    assert.match(cli(['cache', 'verify', example, '--cache-dir', cacheDir]).stdout, /0 corrupt\n$/)
    for (let i = 0; i < 2; i++) {
      const repaired = build()
      assert.equal(repaired.status, 0, repaired.stderr)
      assert.doesNotMatch(repaired.stderr, /warning/)
    }
    assert.match(build().stdout, /· cache hit/, 'the repaired store stores and serves builds again')

    damage()
    // A file of the user's own in the cache directory survives clearing it.
    writeFileSync(join(cacheDir, 'NOTES.txt'), 'mine')
    const clear = cli(['cache', 'clear', example, '--cache-dir', cacheDir])
    assert.equal(clear.status, 0, clear.stderr)
    assert.match(clear.stdout, /cleared \(it was damaged on disk; removed\)/)
    assert.deepEqual(readdirSync(cacheDir), ['NOTES.txt'])
    const fresh = build()
    assert.match(fresh.stdout, /· cache miss/)
    assert.doesNotMatch(fresh.stderr, /warning/)
    assert.match(build().stdout, /· cache hit/)
  })

  test('a build that died opening the cache (RocksDB aborts on some damage) costs the next one a fresh cache, not a crash', () => {
    const cacheDir = join(work, 'killer-cache')
    const build = () => cli(['build', example, '--out-dir', join(work, 'killer-out'), '--cache-dir', cacheDir])
    assert.equal(build().status, 0)
    // What such a process leaves: its mark, its pid gone.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    writeFileSync(join(cacheDir, `nexxo-opening-${gone.stdout}`), '')
    const next = build()
    assert.equal(next.status, 0, next.stderr)
    assert.equal(next.stderr.match(/warning/g)?.length, 1, next.stderr)
    assert.match(next.stderr, new RegExp(`was removed: a process \\(pid ${gone.stdout}\\) died while opening it`))
    assert.match(next.stdout, /· cache miss/)
    assert.match(build().stdout, /· cache hit/)
  })

  test('--cache-max-size bounds the cache: the least recently used build is evicted', () => {
    const cacheDir = join(work, 'bounded-cache')
    const build = (...flags: string[]) =>
      cli([
        'build',
        example,
        '--cache-dir',
        cacheDir,
        '--cache-max-size',
        '1mb',
        '--out-dir',
        join(work, 'b'),
        ...flags,
      ])
    const esbuild = ['--engine', 'esbuild', '--entry', 'src/main.tsx', '--no-minify']
    // ~490 kB + ~200 kB fit in 1 MB; a third ~490 kB build does not, and the oldest goes.
    for (const flags of [['--no-minify'], [], esbuild]) assert.equal(build(...flags).status, 0)
    assert.match(cli(['cache', 'stats', example, '--cache-dir', cacheDir]).stdout, /entries: 3\n/)
    assert.match(build().stdout, /· cache hit/)
    assert.match(build(...esbuild).stdout, /· cache hit/)
    assert.match(build('--no-minify').stdout, /· cache miss/)
  })
})

// A cache directory on a tiny tmpfs: writes fail with ENOSPC. Mounting needs root, as CI has.
const mountTmpfs = (dir: string, size: string) =>
  spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status === 0
describe('the build cache on a full disk', () => {
  const disk = join(work, 'tmpfs')
  let mounted = false
  after(() => {
    if (mounted) spawnSync('umount', [disk])
  })

  test('a full disk turns the cache off with one warning; builds stay correct and the cache verifies', (t) => {
    spawnSync('mkdir', ['-p', disk])
    mounted = mountTmpfs(disk, '900k')
    if (!mounted) {
      t.skip('mounting a tmpfs needs root (CI runs as root)')
      return
    }
    const project = join(work, 'full-disk-app')
    cpSync(example, project, { recursive: true, filter: (src) => !/node_modules|dist/.test(src.slice(example.length)) })
    symlinkSync(join(repo, 'node_modules'), join(project, 'node_modules'))
    const cacheDir = join(disk, 'cache')
    const uncached = join(work, 'full-uncached')
    const cached = join(work, 'full-cached')
    const build = (out: string, ...flags: string[]) => cli(['build', project, '--out-dir', out, ...flags])
    assert.equal(build(uncached, '--no-cache').status, 0)

    // The first build fits; then the disk fills up and an edit cannot be stored.
    const first = build(cached, '--cache-dir', cacheDir)
    assert.equal(first.status, 0, first.stderr)
    assert.doesNotMatch(first.stderr, /warning/)
    try {
      writeFileSync(join(disk, 'filler'), Buffer.alloc(1024 * 1024))
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC') // expected: what was written fills the disk
    }
    const app = join(project, 'src/App.tsx')
    writeFileSync(app, readFileSync(app, 'utf8').replace('"Clicks"', '"Taps"'))
    const full = build(cached, '--cache-dir', cacheDir)
    assert.equal(full.status, 0, full.stderr)
    assert.equal(full.stderr.match(/warning/g)?.length, 1, full.stderr)
    assert.match(full.stderr, /warning .*build cache.*No space left on device/)
    assert.equal(build(uncached, '--no-cache').status, 0)
    assert.deepEqual(tree(cached), tree(uncached), 'byte-identical to an uncached build of the edit')

    rmSync(join(disk, 'filler'))
    const verify = cli(['cache', 'verify', project, '--cache-dir', cacheDir])
    assert.equal(verify.status, 0, verify.stdout + verify.stderr)
    const again = build(cached, '--cache-dir', cacheDir)
    assert.equal(again.status, 0, again.stderr)
    assert.deepEqual(tree(cached), tree(uncached), 'with room again, the cache stores and serves the edit')
    assert.match(build(cached, '--cache-dir', cacheDir).stdout, /· cache hit/)
  })
})

describe('the build cache under concurrency and crashes', () => {
  const run = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [cliPath, ...args], { cwd: repo, env: { ...process.env, NO_COLOR: '1' } })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      child.on('exit', (status) => done({ status, stdout, stderr }))
    })

  test('two builds at once on one cache directory both succeed with the same output', async () => {
    const cacheDir = join(work, 'shared-cache')
    const [a, b] = await Promise.all(
      ['a', 'b'].map((n) => run(['build', example, '--out-dir', join(work, `together-${n}`), '--cache-dir', cacheDir])),
    )
    assert.equal(a!.status, 0, a!.stderr)
    assert.equal(b!.status, 0, b!.stderr)
    assert.deepEqual(tree(join(work, 'together-b')), tree(join(work, 'together-a')))
    assert.match(cli(['cache', 'verify', example, '--cache-dir', cacheDir]).stdout, /0 corrupt/)
  })

  test('34: builds killed at random moments never leave a cache that serves a wrong build', async () => {
    const cacheDir = join(work, 'killed-cache')
    const uncached = cli(['build', example, '--out-dir', join(work, 'uncached'), '--no-cache'])
    assert.equal(uncached.status, 0, uncached.stderr)
    const reference = tree(join(work, 'uncached'))
    for (let i = 0; i < 10; i++) {
      const child = spawn(process.execPath, [
        cliPath,
        'build',
        example,
        '--out-dir',
        join(work, 'killed'),
        '--cache-dir',
        cacheDir,
      ])
      // Listening from the start: a build that finishes before the kill has already exited.
      const exited = new Promise((r) => child.once('exit', r))
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400))
      child.kill('SIGKILL')
      await exited
    }
    const after = cli(['build', example, '--out-dir', join(work, 'after-kills'), '--cache-dir', cacheDir])
    assert.equal(after.status, 0, after.stderr)
    assert.deepEqual(tree(join(work, 'after-kills')), reference)
    assert.match(cli(['cache', 'verify', example, '--cache-dir', cacheDir]).stdout, /0 corrupt/)
  })
})

describe('progress', () => {
  test('a build over a second says so on stderr; a quick one stays quiet', () => {
    // 3000 components: the wasm build of 1000 came in under a second on a quiet CI host (997 ms).
    const app = join(work, 'react-3000')
    const gen = spawnSync(process.execPath, [join(repo, 'bench/gen-react-app.mjs'), '3000', app], { encoding: 'utf8' })
    assert.equal(gen.status, 0, gen.stderr)
    const slow = cli(['build', app, '--backend', 'wasm', '--out-dir', join(work, 'slow')])
    assert.equal(slow.status, 0, slow.stderr)
    const ms = Number(/built in (\d+) ms/.exec(slow.stdout)?.[1])
    assert.ok(ms > 1000, `the wasm build of react-3000 took ${ms} ms; this test needs one over a second`)
    assert.match(slow.stderr, /^building…$/m)
    const quick = cli(['build', example, '--out-dir', join(work, 'quick')])
    assert.equal(quick.status, 0, quick.stderr)
    assert.doesNotMatch(quick.stderr, /building/)
  })
})

describe('the size report', () => {
  test('gzip sizes up to 1 MB by default; --report-compressed for all; reportCompressedSize: false for none', () => {
    const app = join(work, 'big-output')
    mkdirSync(app, { recursive: true })
    // A string table that minifies to about 1.3 MB.
    const rows = Array.from({ length: 80_000 }, (_, i) => `'row ${i} ${(i * 7919).toString(36)}'`)
    writeFileSync(join(app, 'big.js'), `export const table = [${rows.join(',')}]\n`)
    writeFileSync(
      join(app, 'small.js'),
      "import { table } from './big.js'\nexport const first = table[0]\nexport { table }\n",
    )
    const build = (...flags: string[]) => {
      const r = cli(['build', app, '--entry', 'small.js', '--out-dir', join(work, 'big-dist'), '--no-cache', ...flags])
      assert.equal(r.status, 0, r.stderr)
      return r.stdout
    }
    assert.match(
      build(),
      /assets\/small-[\w-]+\.js\s+1\d{3}\.\d\d kB │ gzip: skipped \(over 1 MB; --report-compressed\)/,
    )
    assert.match(build('--report-compressed'), /assets\/small-[\w-]+\.js\s+1\d{3}\.\d\d kB │ gzip: \d+\.\d\d kB/)
    writeFileSync(join(app, 'nexxo.config.mjs'), 'export default { build: { reportCompressedSize: false } }\n')
    assert.doesNotMatch(build(), /gzip/)
  })
})

describe('exit codes and failures', () => {
  test('--target es5: the React app lowered by swc parses as ES5', () => {
    const out = join(work, 'dist-es5')
    const r = cli(['build', example, '--target', 'es5', '--format', 'iife', '--minify', '--out-dir', out])
    assert.equal(r.status, 0, r.stderr)
    const [name, js] = Object.entries(tree(out)).find(([f]) => f.endsWith('.js'))!
    assert.doesNotThrow(() => parse(js, { ecmaVersion: 5 }), name)
  })

  test('bad usage exits 2 with the usage text', () => {
    for (const args of [
      ['build', example, '--bogus'],
      ['build', example, '--backend', 'gpu'],
      ['build', example, '--format', 'umd'],
      ['build', example, '--decorators', 'stage2'],
      ['build', join(work, 'does-not-exist')],
      ['build', work],
      ['serve'],
      [],
    ]) {
      const r = cli(args)
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr + r.stdout, /Usage: nexxo build/)
    }
  })

  test('a syntax error exits 1 with file:line:column and a code frame, leaving dist/ as it was', () => {
    const app = join(work, 'broken-app')
    cpSync(example, app, { recursive: true, filter: (src) => !src.includes('node_modules') && !src.includes('dist') })
    const ok = cli(['build', app])
    assert.equal(ok.status, 0, ok.stderr)
    const before = tree(join(app, 'dist'))
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the broken source text itself, with an unclosed `${`
    writeFileSync(join(app, 'src/greet.ts'), 'export function greet(name: string) {\n  return `Hello ${name`\n}\n')
    const r = cli(['build', app])
    assert.equal(r.status, 1)
    assert.match(r.stderr, /build failed with 1 error/)
    assert.match(r.stderr, /src\/greet\.ts:\d+:\d+: /)
    assert.match(r.stderr, /> *\d+ \| /)
    assert.deepEqual(tree(join(app, 'dist')), before, 'previous dist/ untouched')
    assert.deepEqual(
      readdirSync(app).filter((n) => n.includes('.nexxo-')),
      [],
    )
  })

  test('an unresolvable import names the importer and the specifier', () => {
    const app = join(work, 'unresolved-app')
    cpSync(example, app, { recursive: true, filter: (src) => !src.includes('dist') })
    writeFileSync(join(app, 'src/App.tsx'), `import './Missing'\n${readFileSync(join(example, 'src/App.tsx'), 'utf8')}`)
    const r = cli(['build', app, '--backend', 'wasm'])
    assert.equal(r.status, 1)
    assert.match(r.stderr, /src\/App\.tsx:1:8: Could not resolve '\.\/Missing' in src\/App\.tsx/)
    assert.ok(!existsSync(join(app, 'dist')))
  })
})

describe('nexxo build with a config file', () => {
  const project = join(work, 'configured')
  const write = (name: string, text: string) => {
    mkdirSync(join(project, name, '..'), { recursive: true })
    writeFileSync(join(project, name), text)
  }
  write(
    'index.html',
    '<!doctype html><html><head></head><body><script type="module" src="/src/main.ts"></script></body></html>\n',
  )
  write('src/main.ts', "import { who } from '@/who'\ndocument.title = who + ' ' + __STAMP__\n")
  write('src/who.ts', "export const who: string = 'configured'\n")
  write(
    'nexxo.config.ts',
    `import { fileURLToPath } from 'node:url'
const stamp = (): { name: string; transform(code: string, id: string): string | null } => ({
  name: 'stamp',
  transform: (code, id) => (id.endsWith('main.ts') ? code.replace('__STAMP__', JSON.stringify('stamped')) : null),
})
export default {
  base: '/from-config/',
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: { outDir: 'out', minify: false },
  plugins: [stamp()],
}
`,
  )

  test('the file configures the build; flags win over it', () => {
    const r = cli(['build', project, '--base', '/from-flag/'])
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const out = tree(join(project, 'out'))
    assert.match(out['index.html']!, /src="\/from-flag\/assets\/index-[\w-]+\.js"/)
    const js = Object.entries(out).find(([name]) => name.endsWith('.js'))![1]
    assert.match(js, /"configured"|'configured'|`configured`/)
    assert.match(js, /stamped/)
    assert.match(js, /\/\/#region src\/main\.ts/, 'build.minify: false from the file')
  })

  test('a config that throws fails the build with its message and leaves the output as it was', () => {
    const before = tree(join(project, 'out'))
    write('nexxo.config.ts', "throw new Error('broken on purpose')\n")
    const r = cli(['build', project])
    assert.equal(r.status, 1)
    assert.match(r.stderr, /nexxo\.config\.ts: threw while loading: broken on purpose/)
    assert.deepEqual(tree(join(project, 'out')), before)
  })
})

describe('the remote cache from the CLI (turborepo-remote-cache on 127.0.0.1)', () => {
  const token = 'team-token'
  let remote: RemoteCacheServer
  before(async () => {
    remote = await startRemoteCache(join(work, 'remote-artifacts'), token)
  })
  after(() => remote?.stop())

  /** A project of its own, with its cache inside it (node_modules/.nexxo), as on a fresh machine. */
  const project = (name: string) => {
    const dir = join(work, name)
    cpSync(example, dir, { recursive: true, filter: (src) => !/node_modules|dist/.test(src.slice(example.length)) })
    for (const pkg of ['react', 'react-dom', 'scheduler']) {
      mkdirSync(join(dir, 'node_modules'), { recursive: true })
      symlinkSync(join(repo, 'node_modules', pkg), join(dir, 'node_modules', pkg))
    }
    return dir
  }
  const env = { NEXXO_REMOTE_CACHE_TOKEN: token, NEXXO_REMOTE_CACHE_TEAM: 'web' }

  test('machine A uploads; machine B (another checkout, an empty cache) gets it back byte for byte; stats say so', () => {
    const dir = project('remote-app')
    const build = (at = dir) => cliWith(['build', at, '--remote-cache', remote.url], env)
    const first = build()
    assert.equal(first.status, 0, first.stderr)
    assert.match(first.stdout, /· cache miss/)
    assert.doesNotMatch(first.stderr, /warning/)
    const built = tree(join(dir, 'dist'))
    assert.match(
      cli(['cache', 'stats', dir]).stdout,
      /remote: {5}\S+: 0 hits, 1 miss, 0 refused, 0\.00 kB down, 1 of 1 upload\(s\) done, [\d.]+ kB up\n/,
    )
    // Another checkout of the project at another path, its files newer: no local cache, no dist/.
    const other = project('remote-app-b')
    const second = build(other)
    assert.equal(second.status, 0, second.stderr)
    assert.match(second.stdout, /· cache hit \(1 hit, 0 misses\)/)
    assert.deepEqual(tree(join(other, 'dist')), built)
    const stats = cli(['cache', 'stats', other]).stdout
    assert.match(
      stats,
      new RegExp(`remote: {5}${remote.url}: 1 hit, 0 misses, 0 refused, [\\d.]+ kB down, 0 of 0 upload`),
    )
    // A third checkout with one file edited: the stamps, not the path, decide; it builds afresh.
    const edited = project('remote-app-c')
    const greet = join(edited, 'src/greet.ts')
    writeFileSync(greet, readFileSync(greet, 'utf8').replace('Hello from', 'Edited hello from'))
    const third = build(edited)
    assert.equal(third.status, 0, third.stderr)
    assert.match(third.stdout, /· cache miss/)
    assert.ok(Object.values(tree(join(edited, 'dist'))).some((code) => code.includes('Edited hello from')))
  })

  test('a refused token is one warning naming the URL and the variable; the build succeeds locally', () => {
    const dir = project('remote-wrong-token')
    const r = cliWith(['build', dir, '--remote-cache', remote.url], { ...env, NEXXO_REMOTE_CACHE_TOKEN: 'wrong' })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /· cache miss/)
    const warnings = r.stderr.match(/^warning .*/gm) ?? []
    assert.equal(warnings.length, 1, r.stderr)
    assert.match(warnings[0]!, new RegExp(`${remote.url} refused the token from NEXXO_REMOTE_CACHE_TOKEN \\(40[13]\\)`))
  })

  test('--remote-cache-read-only downloads but uploads nothing; a bad URL is a usage error', () => {
    const dir = project('remote-read-only')
    writeFileSync(join(dir, 'src/only-here.ts'), 'export const here = 1\n')
    const r = cliWith(['build', dir, '--remote-cache', remote.url, '--remote-cache-read-only'], env)
    assert.equal(r.status, 0, r.stderr)
    // The remote holds an earlier build of this project (the first test's): its stamps, which a
    // file added to src/ breaks, make it a miss here, built afresh and not uploaded.
    const stats = cli(['cache', 'stats', dir]).stdout
    assert.match(stats, /last build: 0 hits, 1 miss/)
    assert.match(
      stats,
      /\(read-only\): \d+ hits?, \d+ miss(es)?, 0 refused, [\d.]+ kB down, 0 of 0 upload\(s\) done, 0\.00 kB up/,
    )
    const bad = cliWith(['build', dir, '--remote-cache', 'ftp://cache.example'], env)
    assert.notEqual(bad.status, 0)
    assert.match(
      bad.stderr,
      /remote cache URL must be http: or https: \(a Turborepo cache server\) or redis: or rediss:/,
    )
  })
})
