// The `nexxo` command. Exit codes: 0 success, 1 build error (with a code frame), 2 bad usage.

import { existsSync, readFileSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { gzip } from 'node:zlib'
import { loadNativeCoreOnce } from '../build/backend.js'
import { LAST_BUILD_KEY } from '../build/bundler.js'
import { createBundler } from '../build/create.js'
import { DEFAULT_CACHE_DIR } from '../build/disk.js'
import { IntegrityCache } from '../cache/integrity.js'
import type { RemoteCacheOptions, RemoteStats } from '../cache/remote.js'
import { CacheCorruptError, CacheLockedError, RocksStore } from '../cache/rocksdb.js'
import { loadConfig } from '../config/load.js'
import { aliasMap, defineMap, type UserConfig } from '../config/schema.js'
import { limitMallocArenas, returnFreedMemory } from '../core/native.js'
import { hasMap, type OutputFile } from '../engines/types.js'
import { type Diagnostic, formatDiagnostic, NexxoError } from '../errors.js'
import type { BuildOptions } from '../types.js'

class UsageError extends Error {}

const USAGE = `Usage: nexxo build [root] [options]
       nexxo dev [root] [--port <n>] [--host <addr>] [--strict-port] [--backend <name>] [--no-cache] [--no-bundle]
       nexxo cache stats|verify|clear [root] [--cache-dir <dir>]
       nexxo preview [dir] [--port <n>] [--host <addr>] [--isolated]

Builds the app in [root] (default: .). Its index.html's module scripts are the entries,
or give them with --entry.

Options:
  --entry <file>       entry module, relative to root (repeatable); default: from index.html
  --out-dir <dir>      output directory, relative to root (default: dist)
  --backend <name>     auto | native | wasm (default: auto, or $NEXXO_BACKEND)
  --engine <name>      rolldown | esbuild (default: rolldown)
  --format <name>      esm | cjs | iife (default: esm)
  --target <name>      language level, e.g. es2020, chrome100; es5 is lowered by swc (default: esnext)
  --decorators <mode>  standard | legacy (TypeScript experimentalDecorators + metadata) (default: standard)
  --cache-dir <dir>    the build cache, relative to root (default: node_modules/.nexxo/cache)
  --cache-max-size <n> the cache's size bound, e.g. 512mb, 2gb (default: 512mb); LRU eviction past it
  --no-cache           build without the cache
  --remote-cache <url> a shared cache behind the local one: an http(s) URL of a Turborepo remote
                       cache API server, or a redis(s):// URL (needs npm ioredis); also
                       $NEXXO_REMOTE_CACHE, or cache.remote in the config; the token is
                       $NEXXO_REMOTE_CACHE_TOKEN, the team $NEXXO_REMOTE_CACHE_TEAM, and
                       $NEXXO_REMOTE_CACHE_SIGNATURE_KEY signs uploads and checks downloads
  --remote-cache-read-only  download only: this machine uploads nothing
  --no-minify          do not minify the output (minified by default)
  -c, --config <file>  the config file (default: nexxo.config.{ts,mts,js,mjs}, else vite.config.*)
  --mode <name>        picks .env.[mode] files and import.meta.env.MODE (default: production)
  --base <path>        public path the app is served under (default: /)
  --sourcemap          write source maps
  --report-compressed  gzip sizes of every file in the report (default: files up to 1 MB;
                       build.reportCompressedSize in the config: true for all, false for none)

Dev serves [root] (its index.html and modules) with hot updates until interrupted:
  --port <n>           port (default: 5173; the next free one when taken, unless --strict-port)
  --host <addr>        address to listen on (default: localhost)
  --allowed-host <h>   another Host name the server answers (repeatable; loopback always works)
  --cache-dir <dir>    the pre-bundled dependencies, relative to root (default: node_modules/.nexxo/deps)
  --no-cache           pre-bundle the dependencies again instead of reusing them
  --no-bundle          serve every module as its own request (default: a page loads its app's
                       modules as one bundle; a hot update still swaps one module)

Preview serves a built app (default: dist) on 127.0.0.1 until interrupted:
  --port <n>           port (default: 4173; 0 picks a free one)
  --host <addr>        address to listen on (default: 127.0.0.1)
  --isolated           send COOP/COEP headers: a cross-origin isolated page (threads)
  -h, --help           show this help
  -v, --version        show the version`

const color = (code: number) => (s: string) =>
  process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${s}\x1b[0m` : s
const dim = color(2)
const green = color(32)
const cyan = color(36)
const yellow = (s: string) => (process.stderr.isTTY && !process.env.NO_COLOR ? `\x1b[33m${s}\x1b[0m` : s)
const red = (s: string) => (process.stderr.isTTY && !process.env.NO_COLOR ? `\x1b[31m${s}\x1b[0m` : s)

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        entry: { type: 'string', multiple: true },
        'out-dir': { type: 'string' },
        'cache-dir': { type: 'string' },
        'no-cache': { type: 'boolean' },
        'no-bundle': { type: 'boolean' },
        'cache-max-size': { type: 'string' },
        'remote-cache': { type: 'string' },
        'remote-cache-read-only': { type: 'boolean' },
        backend: { type: 'string' },
        engine: { type: 'string' },
        format: { type: 'string' },
        target: { type: 'string' },
        decorators: { type: 'string' },
        minify: { type: 'boolean' },
        'no-minify': { type: 'boolean' },
        mode: { type: 'string' },
        config: { type: 'string', short: 'c' },
        base: { type: 'string' },
        sourcemap: { type: 'boolean' },
        'report-compressed': { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        isolated: { type: 'boolean' },
        'strict-port': { type: 'boolean' },
        'allowed-host': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

/** `512mb`, `2GB`, `100k`, or plain bytes. */
function parseSize(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|m|mb|g|gb)?$/i.exec(value.trim())
  const unit = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m?.[2] ?? 'b')[0]!.toLowerCase() as 'b' | 'k' | 'm' | 'g']
  const bytes = m ? Math.floor(Number(m[1]) * unit) : Number.NaN
  if (!(bytes > 0)) throw new UsageError(`--${flag} must be a size such as 512mb or 2gb (got '${value}')`)
  return bytes
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got '${value}')`)
  }
  return value as T
}

function portOption(value: string | undefined, fallback: number): number {
  const port = value === undefined ? fallback : Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, got '${value}'`)
  return port
}

/** A server command runs until Ctrl-C or SIGTERM, then closes what it holds and exits. */
function closeOnSignals(close: () => Promise<void>): void {
  const stop = () => close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

const kb = (n: number) => `${(n / 1000).toFixed(2)} kB`

interface Row {
  name: string
  size: number
  /** -1: not reported (source maps; `reportCompressedSize: false`); SKIPPED: too large to compress by default. */
  gzip: number
}

const SKIPPED = -2

const gzipAsync = promisify(gzip)

/**
 * Files larger than this get no gzip size unless asked for: compressing a 6 MB bundle costs more
 * CPU (0.25 s) than everything else Nexxo adds to the engine's work.
 */
const GZIP_REPORT_LIMIT = 1_000_000

/**
 * Sizes for the report, from the files as written (the engine may have written them itself, and a
 * large chunk's code need not become a JS string); gzip runs on libuv's thread pool. `gzip`: every
 * file (true), none (false), or files up to GZIP_REPORT_LIMIT.
 */
function measure(outDir: string, written: string, outputs: OutputFile[], gzip: boolean | 'auto'): Promise<Row[]> {
  return Promise.all(
    outputs.map(async (o) => {
      const file = resolve(written, o.fileName)
      const { size } = await stat(file)
      const compress = gzip === true || (gzip === 'auto' && size <= GZIP_REPORT_LIMIT)
      const row = {
        name: `${outDir}/${o.fileName}`,
        size,
        gzip: compress ? (await gzipAsync(await readFile(file))).length : gzip === false ? -1 : SKIPPED,
      }
      return hasMap(o) ? [row, { name: `${row.name}.map`, size: (await stat(`${file}.map`)).size, gzip: -1 }] : [row]
    }),
  ).then((rows) => rows.flat())
}

function printTable(rows: Row[]) {
  const width = Math.max(...rows.map((r) => r.name.length))
  const sizeWidth = Math.max(...rows.map((r) => kb(r.size).length))
  for (const r of rows) {
    const gzip =
      r.gzip >= 0
        ? dim(` │ gzip: ${kb(r.gzip)}`)
        : r.gzip === SKIPPED
          ? dim(` │ gzip: skipped (over ${GZIP_REPORT_LIMIT / 1_000_000} MB; --report-compressed)`)
          : ''
    const name = r.name.endsWith('.js') ? cyan(r.name) : r.name
    console.log(`${name.padEnd(width + (name.length - r.name.length))}  ${kb(r.size).padStart(sizeWidth)}${gzip}`)
  }
}

/** After a second of silence, tell the user the build is still going (in place on a terminal). */
function progress(label: string): () => void {
  const started = Date.now()
  const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'
  let frame = 0
  let interval: NodeJS.Timeout | undefined
  const timeout = setTimeout(() => {
    if (!process.stderr.isTTY) {
      process.stderr.write(`${label}…\n`)
      return
    }
    interval = setInterval(() => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      process.stderr.write(`\r${frames[frame++ % frames.length]} ${label}… ${seconds}s`)
    }, 100)
  }, 1000)
  return () => {
    clearTimeout(timeout)
    if (interval) {
      clearInterval(interval)
      process.stderr.write('\r\x1b[K')
    }
  }
}

async function build(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv)
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one root directory, got: ${positionals.join(' ')}`)
  const root = resolve(positionals[0] ?? '.')
  if (!existsSync(root)) throw new UsageError(`root directory not found: ${root}`)
  const backend = oneOf('backend', values.backend, ['auto', 'native', 'wasm'] as const)
  const engine = oneOf('engine', values.engine, ['rolldown', 'esbuild'] as const)
  const format = oneOf('format', values.format, ['esm', 'cjs', 'iife'] as const)
  const decorators = oneOf('decorators', values.decorators, ['standard', 'legacy'] as const)
  const cacheMaxSize = parseSize('cache-max-size', values['cache-max-size'])
  const mode = values.mode ?? 'production'
  const loaded = await loadConfig(root, { command: 'build', mode }, values.config)
  const config = loaded.config
  const remoteCache = remoteCacheOptions(values, config, process.env)
  const projectRoot = config.root ? resolve(dirname(loaded.file ?? join(root, 'x')), config.root) : root
  const outDir = values['out-dir'] ?? config.build?.outDir ?? 'dist'

  const htmlPath = resolve(projectRoot, 'index.html')
  // The page is the entry, as in Vite: its scripts, stylesheets and images are built with it.
  const entries = values.entry ?? configInput(config) ?? (existsSync(htmlPath) ? ['index.html'] : [])
  if (entries.length === 0) throw new UsageError(`no index.html in ${projectRoot}; pass --entry <file>`)
  const target = values.target ?? config.build?.target
  const define = defineMap(config.define)
  const alias = aliasMap(config.resolve?.alias)

  const started = performance.now()
  const done = progress('building')
  let result: Awaited<ReturnType<Awaited<ReturnType<typeof createBundler>>['build']>>
  let bundler: Awaited<ReturnType<typeof createBundler>> | undefined
  let rows: Row[] = []
  let late: Diagnostic[] = []
  try {
    bundler = await createBundler({
      ...(backend ? { backend } : {}),
      ...(engine ? { engine } : {}),
      ...(values['no-cache'] ? { cache: false as const } : {}),
      ...(cacheMaxSize ? { cacheMaxSize } : {}),
      ...(remoteCache ? { remoteCache } : {}),
      // Absolute, so the bundler can open it while the engine loads.
      cacheDir: resolve(root, values['cache-dir'] ?? DEFAULT_CACHE_DIR),
    })
    const base = values.base ?? config.base
    const options: BuildOptions = {
      input: entries,
      root: projectRoot,
      ...(format ? { format } : {}),
      ...(target ? { target } : {}),
      ...(decorators ? { decorators } : {}),
      // Production defaults, as Vite's: minified unless --no-minify.
      minify: values['no-minify'] ? false : (values.minify ?? config.build?.minify ?? true),
      sourcemap: values.sourcemap ?? config.build?.sourcemap ?? false,
      mode,
      ...(base !== undefined ? { base } : {}),
      ...(config.publicDir !== undefined ? { publicDir: config.publicDir } : {}),
      ...(config.envPrefix !== undefined ? { envPrefix: config.envPrefix } : {}),
      ...(config.build?.cssTarget !== undefined ? { cssTarget: config.build.cssTarget } : {}),
      ...(config.build?.assetsInlineLimit !== undefined ? { assetsInlineLimit: config.build.assetsInlineLimit } : {}),
      ...(define ? { define } : {}),
      ...(alias ? { alias } : {}),
      ...(loaded.plugins.length > 0 ? { plugins: loaded.plugins } : {}),
      entryFileNames: 'assets/[name]-[hash].js',
      chunkFileNames: 'assets/[name]-[hash].js',
      assetFileNames: 'assets/[name]-[hash][extname]',
    }
    // The bundler writes the output directory atomically: a failed build leaves the old one untouched.
    result = await bundler.build({ ...options, outDir })
    result = { ...result, warnings: [...loaded.warnings, ...result.warnings] }
    const gzip = values['report-compressed'] ? true : (config.build?.reportCompressedSize ?? 'auto')
    rows = await measure(outDir, resolve(projectRoot, outDir), result.outputs, gzip)
  } finally {
    done()
    late = (await bundler?.close()) ?? []
  }
  printTable(rows)
  for (const w of [...result.warnings, ...late]) console.warn(`${yellow('warning')} ${formatDiagnostic(w)}`)
  const ms = Math.round(performance.now() - started)
  console.log(
    `${green('✓')} built in ${ms} ms ${dim(`· ${result.stats.modules} modules · ${bundler.backend} backend · ${bundler.engineVersion} · ${cacheNote(result.stats.cache)}`)}`,
  )
}

/**
 * The remote cache `nexxo build` uses: the URL from `--remote-cache`, else `NEXXO_REMOTE_CACHE`,
 * else the config's `cache.remote`; the token, team and key from the environment over the config.
 */
function remoteCacheOptions(
  values: { 'remote-cache'?: string | undefined; 'remote-cache-read-only'?: boolean | undefined },
  config: UserConfig,
  env: NodeJS.ProcessEnv,
): RemoteCacheOptions | undefined {
  const fromConfig = config.cache?.remote
  const url = values['remote-cache'] ?? env.NEXXO_REMOTE_CACHE ?? fromConfig?.url
  if (!url) return undefined
  const token = env.NEXXO_REMOTE_CACHE_TOKEN ?? fromConfig?.token
  const team = env.NEXXO_REMOTE_CACHE_TEAM ?? fromConfig?.team
  const signatureKey = env.NEXXO_REMOTE_CACHE_SIGNATURE_KEY ?? fromConfig?.signatureKey
  const readOnly = values['remote-cache-read-only'] ?? fromConfig?.readOnly
  return {
    url,
    ...(token
      ? { token, tokenSource: env.NEXXO_REMOTE_CACHE_TOKEN ? 'NEXXO_REMOTE_CACHE_TOKEN' : 'cache.remote.token' }
      : {}),
    ...(team ? { team } : {}),
    ...(signatureKey ? { signatureKey } : {}),
    ...(readOnly ? { readOnly } : {}),
    ...(fromConfig?.timeoutMs ? { timeoutMs: fromConfig.timeoutMs } : {}),
  }
}

/** `build.rollupOptions.input` as entries: a name map gives its files (named by their files here). */
function configInput(config: UserConfig): string[] | undefined {
  const input = config.build?.rollupOptions?.input
  if (input === undefined) return undefined
  return typeof input === 'string' ? [input] : Array.isArray(input) ? input : Object.values(input)
}

/** `nexxo cache stats|verify|clear [root]`: the disk cache a build in [root] would use. */
async function cacheCommand(argv: string[]): Promise<void> {
  let parsed: { values: { 'cache-dir'?: string | undefined }; positionals: string[] }
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { 'cache-dir': { type: 'string' } } })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const [action, rootArg, ...extra] = parsed.positionals
  if (!action || !['stats', 'verify', 'clear'].includes(action) || extra.length > 0) {
    throw new UsageError('expected: nexxo cache stats|verify|clear [root] [--cache-dir <dir>]')
  }
  const dir = resolve(rootArg ?? '.', parsed.values['cache-dir'] ?? DEFAULT_CACHE_DIR)
  if (!existsSync(dir)) {
    console.log(`no cache at ${dir}`)
    return
  }
  const core = loadNativeCoreOnce()
  const openCache = async () => {
    const store = await RocksStore.open(dir)
    if (store.cleared) console.warn(`${yellow('warning')} ${store.cleared}`)
    return new IntegrityCache(store, (bytes) => core.hash(bytes))
  }
  if (action === 'stats') {
    await withCache(openCache, async (cache) => {
      const s = await cache.stats()
      console.log(`${dir}\n  entries: ${s.entries}\n  size:    ${kb(s.bytes)}`)
      const last = await cache.get(LAST_BUILD_KEY)
      if (last) {
        const r = JSON.parse(new TextDecoder().decode(last)) as {
          hits: number
          misses: number
          at: string
          remote?: RemoteStats
        }
        const rate = r.hits + r.misses > 0 ? Math.round((100 * r.hits) / (r.hits + r.misses)) : 0
        console.log(`  last build: ${cacheCounts(r)}, hit rate ${rate}% (${r.at})`)
        const remote = r.remote
        if (remote) {
          console.log(
            `  remote:     ${remote.url}${remote.readOnly ? ' (read-only)' : ''}: ${cacheCounts(remote)}, ${remote.refused} refused, ${kb(remote.bytesDown)} down, ${remote.uploads} of ${remote.started} upload(s) done, ${kb(remote.bytesUp)} up${remote.off ? `; off: ${remote.off}` : ''}`,
          )
        }
      }
    })
  } else if (action === 'verify') {
    // A store RocksDB finds damaged is repaired first (what it can read stays); then every entry's seal is checked.
    const verified = await withCache(openCache, (cache) => cache.verify(), CacheCorruptError)
    const repaired = verified instanceof CacheCorruptError
    if (repaired) {
      console.log(`${dir}: damaged on disk (${(verified.cause as Error).message}); repairing`)
      await RocksStore.repair(dir)
    }
    const { checked, corrupt } = repaired ? await withCache(openCache, (cache) => cache.verify()) : verified
    const damaged = corrupt > 0 ? ' (deleted)' : ''
    console.log(`${dir}: ${checked} entries checked, ${corrupt} corrupt${damaged}${repaired ? ', after repair' : ''}`)
    if (corrupt > 0 || repaired) process.exitCode = 1
  } else {
    // A damaged store cannot be read to delete its entries one by one: it goes whole.
    const cleared = await withCache(openCache, (cache) => cache.clear(), CacheCorruptError)
    if (cleared instanceof CacheCorruptError) await RocksStore.destroy(dir)
    console.log(`${dir}: cleared${cleared instanceof CacheCorruptError ? ' (it was damaged on disk; removed)' : ''}`)
  }
}

/**
 * `work` on the opened cache, closed after. An error of class `caught` (from the open or the work)
 * is returned instead of thrown, once the cache is closed.
 */
async function withCache<T, E extends Error = never>(
  open: () => Promise<IntegrityCache>,
  work: (cache: IntegrityCache) => Promise<T>,
  caught?: new (...args: never[]) => E,
): Promise<T | E> {
  let cache: IntegrityCache | undefined
  try {
    cache = await open()
    return await work(cache)
  } catch (e) {
    if (caught && e instanceof caught) return e
    throw e
  } finally {
    await cache?.close()
  }
}

/**
 * Memory settings for `nexxo dev`, a process that serves for hours and whose heavy work is in native
 * code. Both trade a little allocation speed for memory the process would otherwise keep, and both
 * must come before the work starts; the API's `createDevServer` leaves the host process alone.
 */
function leanServerProcess(backend: 'auto' | 'native' | 'wasm') {
  // glibc gives each thread that contends for the heap an arena of its own and rarely returns
  // their pages; two arenas for all of V8's, Tokio's and the engines' threads keep some 5 MB less.
  if (backend !== 'wasm') limitMallocArenas(2)
  // glibc's own starting thresholds, kept there: a cold start's freed compile buffers (react-1k) go
  // back to the system instead of raising them and staying in the heap, some 7 MB of peak RSS.
  if (backend !== 'wasm') returnFreedMemory(128 * 1024)
  // V8 doubles the young generation whenever enough objects have survived since the last doubling,
  // which a server holding thousands of compiled modules always reaches: 1 MB to 16 MB per half.
  // Growth factor 1 keeps it at its start size; scavenges get more frequent, each as cheap.
  setFlagsFromString('--semi-space-growth-factor=1')
}

async function dev(argv: string[]) {
  const { values, positionals } = parse(argv)
  if (positionals.length > 1) throw new UsageError('dev takes one directory')
  const root = resolve(positionals[0] ?? '.')
  if (!existsSync(join(root, 'index.html'))) throw new UsageError(`${root} has no index.html to serve`)
  const backend = oneOf('backend', values.backend, ['auto', 'native', 'wasm'] as const) ?? 'auto'
  leanServerProcess(backend)
  const mode = values.mode ?? 'development'
  // Flags win over the file's `server` keys.
  const loaded = await loadConfig(root, { command: 'serve', mode }, values.config)
  for (const w of loaded.warnings) console.warn(`${yellow('warning')} ${formatDiagnostic(w)}`)
  const fileServer = loaded.config.server ?? {}
  const port =
    values.port === undefined && fileServer.port !== undefined ? fileServer.port : portOption(values.port, 5173)
  const host =
    values.host ??
    (typeof fileServer.host === 'string' ? fileServer.host : fileServer.host === true ? '0.0.0.0' : undefined)
  const allowedHosts =
    values['allowed-host'] ?? (Array.isArray(fileServer.allowedHosts) ? fileServer.allowedHosts : undefined)
  if (fileServer.allowedHosts === true) {
    console.warn(
      `${yellow('warning')} server.allowedHosts: true is not honoured: name the hosts (DNS rebinding protection stays on).`,
    )
  }
  const devAlias = aliasMap(loaded.config.resolve?.alias)
  const { createDevServer } = await import('../dev/server.js')
  const server = await createDevServer({
    root,
    port,
    backend,
    mode,
    strictPort: values['strict-port'] ?? fileServer.strictPort ?? false,
    ...(host ? { host } : {}),
    ...(allowedHosts ? { allowedHosts } : {}),
    ...(loaded.config.envPrefix ? { envPrefix: [loaded.config.envPrefix].flat() } : {}),
    ...(loaded.plugins.length > 0 ? { plugins: loaded.plugins } : {}),
    ...(devAlias ? { alias: devAlias } : {}),
    ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
    ...(values['no-cache'] ? { cache: false as const } : {}),
    ...(values['no-bundle'] ? { bundle: false } : {}),
    onPortTaken: (taken) => console.log(yellow(`port ${taken} is in use, trying the next one`)),
  })
  const { startup } = server
  console.log(
    `${green('➜')} ${cyan(server.url)} ${dim(`ready in ${Math.round(startup.readyMs)} ms (${server.backend}${server.bundled ? ', bundled' : ''})`)}`,
  )
  if (startup.deps.length > 0) {
    console.log(
      dim(
        `  deps: ${startup.deps.join(', ')} — ${startup.depsCached ? 'from the cache' : 'pre-bundled'} in ${Math.round(startup.depsMs)} ms`,
      ),
    )
  }
  closeOnSignals(server.close)
}

async function preview(argv: string[]) {
  const { values, positionals } = parse(argv)
  if (positionals.length > 1) throw new UsageError('preview takes one directory')
  const dir = resolve(positionals[0] ?? 'dist')
  if (!existsSync(join(dir, 'index.html'))) {
    throw new UsageError(
      `${dir} has no index.html: build the app first (nexxo build --out-dir ${positionals[0] ?? 'dist'})`,
    )
  }
  const port = portOption(values.port, 4173)
  const { serveStatic } = await import('../serve/static.js')
  const served = await serveStatic(dir, {
    port,
    ...(values.host ? { host: values.host } : {}),
    isolated: values.isolated ?? false,
  })
  console.log(
    `${green('➜')} ${basename(dir)} at ${cyan(served.url)}${values.isolated ? dim(' (cross-origin isolated)') : ''}`,
  )
  closeOnSignals(served.close)
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`
const cacheCounts = ({ hits, misses }: { hits: number; misses: number }) =>
  `${plural(hits, 'hit', 'hits')}, ${plural(misses, 'miss', 'misses')}`
const cacheNote = (counts: { hits: number; misses: number }) =>
  counts.hits + counts.misses === 0
    ? 'no cache'
    : `${counts.hits > 0 ? 'cache hit' : 'cache miss'} (${cacheCounts(counts)})`

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  try {
    if (command === '-v' || command === '--version') {
      console.log(version())
    } else if (command === '-h' || command === '--help' || command === undefined) {
      console.log(USAGE)
      if (command === undefined) process.exitCode = 2
    } else if (command === 'build') {
      await build(rest)
    } else if (command === 'cache') {
      await cacheCommand(rest)
    } else if (command === 'preview') {
      await preview(rest)
    } else if (command === 'dev') {
      await dev(rest)
    } else {
      throw new UsageError(`unknown command '${command}'`)
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${red('error')} ${e.message}\n\n${USAGE}`)
      process.exitCode = 2
    } else if (e instanceof NexxoError) {
      const count = e.diagnostics.length
      const what = command === 'dev' ? 'nexxo dev could not start' : 'build failed'
      console.error(`${red('✗')} ${what} with ${count} error${count === 1 ? '' : 's'}:\n`)
      for (const d of e.diagnostics) console.error(`${formatDiagnostic(d)}\n`)
      process.exitCode = 1
    } else if (e instanceof CacheCorruptError || e instanceof CacheLockedError) {
      // Their messages say what to do; a stack trace would only bury that.
      console.error(`${red('✗')} ${e.message}`)
      process.exitCode = 1
    } else {
      console.error(e)
      process.exitCode = 1
    }
  }
}
