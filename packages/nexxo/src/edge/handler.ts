// nexxo/edge: one `fetch(request)` handler that bundles on demand inside an isolate (workerd and
// Cloudflare Workers, Deno, Bun): the wasm core, esbuild-wasm without a worker (isolates have no
// threads), swc for es5 and decorators. Module workers `export default` it; Deno.serve and
// Bun.serve take its `fetch`.

import * as esbuild from 'esbuild-wasm'
import { Bundler } from '../build/bundler.js'
import { readBounded, toBase64 } from '../bytes.js'
import { CacheApiStore } from '../cache/cache-api.js'
import { KeyValueRawStore, type KeyValueStore } from '../cache/key-value.js'
import { MemoryStore } from '../cache/memory.js'
import type { Cache, RawStore } from '../cache/store.js'
import { TieredStore } from '../cache/tiered.js'
import { Core } from '../core/core.js'
import { instantiateWasmCore } from '../core/wasm.js'
import { engineFromModule } from '../engines/limits.js'
import { swcLoader } from '../engines/swc.js'
import { type Diagnostic, NexxoError } from '../errors.js'
import { DEFAULT_REGISTRY } from '../npm/default-registry.js'
import { flattenPlugins, pluginsCacheKey } from '../plugin/container.js'
import type { NexxoPlugin } from '../plugin/types.js'
import type { BuildOptions, BuildResult } from '../types.js'
import { NEXXO_VERSION } from '../version.js'
import { type Cors, corsHeaders, errorResponse, fail, json } from './http.js'
import { entryModule, isExact, parsePackagePath } from './npm-route.js'

/** A wasm module as each runtime has it: a binding (workerd), a URL (Deno, Bun), or bytes. */
export type WasmInput = WebAssembly.Module | URL | string | ArrayBuffer | Uint8Array

export interface EdgeLimits {
  /** Bytes of a request body (default 2 MB). */
  maxBodyBytes: number
  /** Entries of `files` in one build (default 1000). */
  maxFiles: number
  /** Bytes of a build's outputs (default 10 MB). */
  maxOutputBytes: number
  /** A build that takes longer answers 504; the isolate keeps serving (default 20 s). */
  buildTimeoutMs: number
}

export interface EdgeHandlerOptions {
  wasm: { core: WasmInput; esbuild: WasmInput; swc?: WasmInput }
  /** The npm registry `/npm/` and bare imports of `/build` use; its origin is the only one fetched. */
  registry?: string | false
  /** `auto` (default): the Cache API where the runtime has one, else memory; or a KV store; or off. */
  cache?: 'auto' | 'memory' | false | KeyValueStore
  /**
   * Bytes kept in memory: the whole cache with `memory` (default 50 MB), else the tier in front of
   * the Cache API or KV store (default 16 MB; isolates have little memory).
   */
  cacheMaxSize?: number
  limits?: Partial<EdgeLimits>
  /** Origins allowed to call `/build` from a browser. `/npm/` bundles of exact versions allow any. */
  cors?: Cors
  /** A path prefix the handler is mounted under, e.g. `/bundler`. */
  basePath?: string
  /**
   * Rollup plugins every `/build` runs (resolveId, load, transform, buildStart, buildEnd, through
   * the esbuild adapter), as objects in the worker's code: a request can name none of its own.
   * Responses are cached only when each names a `version` or `cacheKey`.
   */
  plugins?: NexxoPlugin[]
}

export interface EdgeHandler {
  fetch(request: Request, env?: unknown, ctx?: unknown): Promise<Response>
}

const DEFAULT_LIMITS: EdgeLimits = {
  maxBodyBytes: 2 * 1024 * 1024,
  maxFiles: 1000,
  maxOutputBytes: 10 * 1024 * 1024,
  buildTimeoutMs: 20_000,
}
const BUILD_OPTIONS = ['format', 'minify', 'sourcemap', 'target', 'define', 'external', 'decorators', 'splitting']
const IMMUTABLE = 'public, max-age=31536000, immutable'

async function compile(input: WasmInput): Promise<WebAssembly.Module> {
  if (input instanceof WebAssembly.Module) return input
  if (input instanceof URL || typeof input === 'string') {
    const response = await fetch(input)
    if (!response.ok) throw new Error(`${input}: HTTP ${response.status}`)
    return WebAssembly.compile(await response.arrayBuffer())
  }
  return WebAssembly.compile(input as BufferSource)
}

/** The handler's cache store, and a warning when the runtime's Cache API could not be had. */
async function openStore(options: EdgeHandlerOptions): Promise<{ store?: RawStore; warning?: Diagnostic }> {
  const { cache = 'auto' } = options
  if (cache === false) return {}
  const tiered = (back: RawStore) => new TieredStore(back, options.cacheMaxSize ?? 16 * 1024 * 1024)
  const memory = () => new MemoryStore(options.cacheMaxSize)
  if (cache === 'memory') return { store: memory() }
  if (cache !== 'auto') return { store: tiered(new KeyValueRawStore(cache)) }
  if (!(globalThis as { caches?: unknown }).caches) return { store: memory() }
  try {
    return { store: tiered(await CacheApiStore.open('nexxo-edge')) }
  } catch (e) {
    // Present but unusable (workerd with no cache service): this isolate caches in memory instead.
    const message = `The runtime's Cache API is unusable (${(e as Error).message}); caching in memory instead.`
    return { store: memory(), warning: { code: 'CACHE_UNAVAILABLE', message } }
  }
}

/** fetch, restricted to one origin: redirects are followed only within it, by hand. */
function originBoundFetch(registry: string): typeof fetch {
  const origin = new URL(registry).origin
  return async (input, init) => {
    let url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    for (let hops = 0; ; hops++) {
      if (url.origin !== origin) {
        throw fail('REGISTRY_ORIGIN', `Refused to fetch ${url.href}: only the registry's origin ${origin} is fetched.`)
      }
      const response = await fetch(url.href, { ...init, redirect: 'manual' })
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || !location) return response
      if (hops === 5) throw fail('REGISTRY_ERROR', `Too many redirects from ${origin}.`)
      url = new URL(location, url)
    }
  }
}

interface Ready {
  bundler: Bundler
  core: Core
  cache: Cache | undefined
  store: RawStore | undefined
  /** Said with the first build's warnings, then cleared (a start-up fault is told once). */
  startWarnings: Diagnostic[]
}

/** A response kept whole: what a repeat request is answered with, without building. */
interface StoredResponse {
  status: number
  headers: Record<string, string>
  body: Uint8Array
}
const encodeStored = (r: StoredResponse) => {
  const head = new TextEncoder().encode(`${JSON.stringify({ status: r.status, headers: r.headers })}\n`)
  const out = new Uint8Array(head.length + r.body.length)
  out.set(head)
  out.set(r.body, head.length)
  return out
}
function decodeStored(bytes: Uint8Array): StoredResponse | undefined {
  const newline = bytes.indexOf(10)
  if (newline < 0) return undefined
  try {
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))) as Omit<StoredResponse, 'body'>
    return { ...head, body: bytes.subarray(newline + 1) }
  } catch {
    return undefined
  }
}

export function createEdgeHandler(options: EdgeHandlerOptions): EdgeHandler {
  const limits: EdgeLimits = { ...DEFAULT_LIMITS, ...options.limits }
  const base = (options.basePath ?? '').replace(/\/$/, '')
  const registry = options.registry === false ? undefined : (options.registry ?? DEFAULT_REGISTRY)
  let ready: Promise<Ready> | undefined
  const engineVersion = `esbuild-wasm@${esbuild.version}`
  const plugins = flattenPlugins(options.plugins ?? [], 'createEdgeHandler')
  const pluginsKey = pluginsCacheKey(plugins)

  const start = (): Promise<Ready> => {
    ready ??= (async () => {
      const [coreModule, esbuildModule] = await Promise.all([compile(options.wasm.core), compile(options.wasm.esbuild)])
      await esbuild.initialize({ wasmModule: esbuildModule, worker: false }).catch((e: unknown) => {
        // initialize() may run once per isolate; a second handler shares the first's engine.
        if (!/more than once/.test(String(e))) throw e
      })
      const core = new Core(await instantiateWasmCore(coreModule))
      const swcWasm = options.wasm.swc
      const { store, warning } = await openStore(options)
      const bundler = new Bundler(
        {
          name: 'wasm',
          core,
          engine: engineFromModule('wasm', 'esbuild', esbuild),
          ...(swcWasm ? { swc: swcLoader(() => compile(swcWasm)) } : {}),
        },
        {
          ...(store ? { cacheStore: store } : { cache: false as const }),
          ...(options.cacheMaxSize ? { cacheMaxSize: options.cacheMaxSize } : {}),
          registry: registry ?? false,
          ...(registry ? { registryFetch: originBoundFetch(registry) } : {}),
        },
      )
      return { bundler, core, cache: bundler.filesCache, store, startWarnings: warning ? [warning] : [] }
    })().catch((e: unknown) => {
      ready = undefined
      throw e instanceof NexxoError
        ? e
        : fail('BACKEND_UNAVAILABLE', `The edge bundler could not start: ${e instanceof Error ? e.message : String(e)}`)
    })
    return ready
  }

  /** `work`, or a BUILD_TIMEOUT once `ms` pass (the build itself runs on, unawaited). */
  const withinTime = <T>(work: Promise<T>, ms = limits.buildTimeoutMs): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(fail('BUILD_TIMEOUT', `The build took longer than ${ms} ms.`)), ms)
    })
    work.catch(() => {})
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
  }

  const checkOutputs = (result: BuildResult) => {
    const bytes = result.outputs.reduce((n, o) => n + o.code.length + (o.map?.length ?? 0), 0)
    if (bytes > limits.maxOutputBytes) {
      throw fail(
        'OUTPUT_TOO_LARGE',
        `The build's outputs are ${bytes} bytes, over the limit of ${limits.maxOutputBytes}.`,
      )
    }
  }

  const respond = (stored: StoredResponse, hit: boolean, extra: Record<string, string> = {}) =>
    new Response(stored.body as BufferSource, {
      status: stored.status,
      headers: { ...stored.headers, 'x-nexxo-cache': hit ? 'hit' : 'miss', ...extra },
    })

  async function readJson(request: Request): Promise<{ bytes: Uint8Array; body: unknown }> {
    const declared = Number(request.headers.get('content-length') ?? Number.NaN)
    const tooBig = () => fail('BODY_TOO_LARGE', `The request body is over ${limits.maxBodyBytes} bytes.`)
    if (declared > limits.maxBodyBytes) throw tooBig()
    const bytes = request.body ? await readBounded(request.body, limits.maxBodyBytes, tooBig) : new Uint8Array()
    try {
      return { bytes, body: JSON.parse(new TextDecoder().decode(bytes)) }
    } catch (e) {
      throw fail('INVALID_JSON', `The request body is not JSON: ${(e as Error).message}`)
    }
  }

  /** The build a request asks for, and its deadline (`timeoutMs` may shorten the server's, never extend it). */
  function buildRequest(body: unknown, single: boolean): { options: BuildOptions; timeoutMs: number } {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw fail('BAD_REQUEST', 'Expected a JSON object { files, entry, options, timeoutMs? }.')
    }
    const {
      files,
      entry,
      options: extra = {},
      timeoutMs = limits.buildTimeoutMs,
    } = body as { files?: unknown; entry?: unknown; options?: unknown; timeoutMs?: unknown }
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0))
      throw fail('BAD_REQUEST', '`timeoutMs` must be a positive number.')
    if (!files || typeof files !== 'object' || Array.isArray(files)) {
      throw fail('BAD_REQUEST', '`files` must be an object of paths to file contents.')
    }
    const count = Object.keys(files).length
    if (count > limits.maxFiles) throw fail('TOO_MANY_FILES', `${count} files is over the limit of ${limits.maxFiles}.`)
    if (Object.values(files).some((v) => typeof v !== 'string')) {
      throw fail('BAD_REQUEST', 'Every value of `files` must be a string.')
    }
    if (typeof entry !== 'string' || entry === '') throw fail('BAD_REQUEST', '`entry` must name a key of `files`.')
    if (!extra || typeof extra !== 'object' || Array.isArray(extra))
      throw fail('BAD_REQUEST', '`options` must be an object.')
    const unknown = Object.keys(extra).filter((k) => !BUILD_OPTIONS.includes(k))
    if (unknown.length) {
      throw fail('INVALID_OPTION', `Unknown option(s) ${unknown.join(', ')}; allowed: ${BUILD_OPTIONS.join(', ')}.`)
    }
    const options: BuildOptions = {
      ...(extra as Partial<BuildOptions>),
      input: entry,
      files: files as Record<string, string>,
      ...(plugins.length ? { plugins } : {}),
      ...(single ? { splitting: false } : {}),
    }
    return { options, timeoutMs: Math.min(timeoutMs, limits.buildTimeoutMs) }
  }

  async function build(request: Request): Promise<Response> {
    const accept = request.headers.get('accept') ?? ''
    const single = /\btext\/javascript\b|\bapplication\/javascript\b/.test(accept)
    const { bytes, body } = await readJson(request)
    const { options, timeoutMs } = buildRequest(body, single)
    const { bundler, core, cache, startWarnings } = await start()
    // Plugins without a version may answer differently tomorrow: such builds are not kept.
    const responses = pluginsKey === undefined ? undefined : cache
    const key = `edge:build:${single ? 'js' : 'json'}:${pluginsKey}:${core.hash(bytes)}`
    const stored = await responses?.get(key).catch(() => undefined)
    const hit = stored ? decodeStored(stored) : undefined
    if (hit) return respond(hit, true)
    const result = await withinTime(bundler.build(options), timeoutMs)
    checkOutputs(result)
    let response: StoredResponse
    if (single) {
      const entry = result.outputs.find((o) => o.type === 'chunk' && o.isEntry)
      if (!entry) throw fail('NOT_ACCEPTABLE', 'The build has no entry chunk to answer text/javascript with.')
      response = {
        status: 200,
        headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' },
        body: new TextEncoder().encode(String(entry.code)),
      }
    } else {
      // Binary assets travel as base64 in the JSON.
      const outputs = result.outputs.map((o) =>
        typeof o.code === 'string' ? o : { ...o, code: toBase64(o.code), encoding: 'base64' },
      )
      response = {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: new TextEncoder().encode(
          JSON.stringify({ outputs, stats: result.stats, warnings: [...startWarnings.splice(0), ...result.warnings] }),
        ),
      }
    }
    await responses?.put(key, encodeStored(response)).catch(() => {})
    return respond(response, false)
  }

  async function npm(request: Request, path: string, url: URL): Promise<Response> {
    const wanted = parsePackagePath(path)
    const minify = url.searchParams.has('minify') && url.searchParams.get('minify') !== 'false'
    const format = url.searchParams.get('format') ?? 'esm'
    if (format !== 'esm') throw fail('INVALID_OPTION', `format '${format}': /npm/ answers ES modules (format=esm).`)
    const target = url.searchParams.get('target') ?? ''
    if (target && !/^[a-z]+[\d.]*(,[a-z]+[\d.]*)*$/i.test(target))
      throw fail('INVALID_OPTION', `target '${target}' is not a target.`)
    const { bundler, core, cache } = await start()
    const client = await bundler.registryClient()
    if (!client) throw fail('NOT_FOUND', 'This handler has no registry: /npm/ is off.')
    const query = `${minify ? '?minify' : ''}${target ? `${minify ? '&' : '?'}target=${target}` : ''}`
    if (!isExact(wanted.version)) {
      const { version } = await client.resolve(wanted.name, wanted.version || 'latest')
      return new Response(null, {
        status: 302,
        headers: {
          location: `${base}/npm/${wanted.name}@${version}${wanted.subpath}${query}`,
          'cache-control': 'public, max-age=300',
        },
      })
    }
    const key = `edge:npm:${client.url}${wanted.name}@${wanted.version}${wanted.subpath}${query}:${NEXXO_VERSION}:${engineVersion}`
    const stored = await cache?.get(key).catch(() => undefined)
    let response = stored ? decodeStored(stored) : undefined
    const hit = response !== undefined
    if (!response) {
      const pkg = await client.install(wanted.name, wanted.version)
      const packageFiles: Record<string, string> = {}
      for (const [file, text] of Object.entries(pkg.files)) packageFiles[`node_modules/${wanted.name}/${file}`] = text
      const entry = entryModule(core, packageFiles, wanted.name + wanted.subpath)
      const result = await withinTime(
        bundler.build({
          input: '__nexxo_entry.js',
          files: {
            '__nexxo_entry.js': entry,
            'package.json': JSON.stringify({ dependencies: { [wanted.name]: wanted.version } }),
          },
          format: 'esm',
          splitting: false,
          minify,
          ...(target ? { target } : {}),
        }),
      )
      checkOutputs(result)
      const code = String(result.outputs.find((o) => o.type === 'chunk' && o.isEntry)!.code)
      const body = new TextEncoder().encode(code)
      response = {
        status: 200,
        headers: {
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': IMMUTABLE,
          etag: `"${core.hash(body)}"`,
          'access-control-allow-origin': '*',
        },
        body,
      }
      await cache?.put(key, encodeStored(response)).catch(() => {})
    }
    const etag = response.headers.etag
    if (etag && request.headers.get('if-none-match') === etag) {
      return new Response(null, { status: 304, headers: { ...response.headers, 'x-nexxo-cache': 'hit' } })
    }
    return respond(response, hit)
  }

  /** Response, then the cache writes it started carried on past it where the runtime allows. */
  const keepWrites = async (ctx: unknown) => {
    const waitUntil = (ctx as { waitUntil?: (p: Promise<unknown>) => void } | undefined)?.waitUntil
    const store = ready && (await ready.catch(() => undefined))?.store
    if (waitUntil && store instanceof TieredStore) waitUntil.call(ctx, store.flush())
  }

  return {
    async fetch(request, _env, ctx) {
      const response = await route(request)
      await keepWrites(ctx)
      return response
    },
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const cors = corsHeaders(request, options.cors)
    if (base && !url.pathname.startsWith(`${base}/`))
      return errorResponse(fail('NOT_FOUND', `No route ${url.pathname}.`))
    const path = url.pathname.slice(base.length)
    try {
      if (path === '/health') {
        if (request.method !== 'GET' && request.method !== 'HEAD') throw fail('METHOD_NOT_ALLOWED', 'GET /health.')
        return json(200, { ok: true, nexxo: NEXXO_VERSION, engine: engineVersion, started: ready !== undefined }, cors)
      }
      if (path === '/build') {
        if (request.method === 'OPTIONS' && cors['access-control-allow-origin']) {
          return new Response(null, {
            status: 204,
            headers: {
              ...cors,
              'access-control-allow-methods': 'POST',
              'access-control-allow-headers': 'content-type, accept',
              'access-control-max-age': '600',
            },
          })
        }
        if (request.method !== 'POST') throw fail('METHOD_NOT_ALLOWED', 'POST /build with { files, entry, options }.')
        try {
          const response = await build(request)
          for (const [k, v] of Object.entries(cors)) response.headers.set(k, v)
          return response
        } catch (e) {
          return errorResponse(e, cors, true)
        }
      }
      if (path.startsWith('/npm/')) {
        if (request.method !== 'GET' && request.method !== 'HEAD')
          throw fail('METHOD_NOT_ALLOWED', 'GET /npm/<name>@<version>.')
        return await npm(request, path.slice('/npm/'.length), url)
      }
      throw fail(
        'NOT_FOUND',
        `No route ${url.pathname}: try POST ${base}/build, GET ${base}/npm/<name>@<version>, GET ${base}/health.`,
      )
    } catch (e) {
      return errorResponse(e, cors)
    }
  }
}
