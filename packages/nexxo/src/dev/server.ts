// `nexxo dev`: the project served as native ES modules. Modules are compiled on request (oxc, with
// Fast Refresh), their imports rewritten from the core's scan; dependencies are pre-bundled once
// through the bundler's persistent cache; a file change goes through the core's HMR planner, and
// the plan goes to every page over one WebSocket.

import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { type WebSocket, WebSocketServer } from 'ws'
import type { CssEngine } from '../app/css-engine.js'
import { envDefine, loadEnv } from '../app/env.js'
import { projectTsconfig } from '../app/tsconfig.js'
import { cssLoaderFor, nodeSwc } from '../build/backend.js'
import type { Bundler } from '../build/bundler.js'
import { createBundler } from '../build/create.js'
import { htmlEntries, pointEntryScripts } from '../build/html.js'
import type { ModuleGraph, Project } from '../core/core.js'
import { codeFrame, NexxoError } from '../errors.js'
import { namesFile, type PluginResolution } from '../plugin/hooks.js'
import type { NexxoPlugin } from '../plugin/types.js'
import { checkRequestTarget, hostAllowed, originAllowed, type Refusal, servedDirs } from '../serve/access.js'
import { contentType, HTML_TYPE, JS_TYPE, TEXT_TYPE } from '../serve/content-type.js'
import type { BackendName } from '../types.js'
import { NEXXO_VERSION } from '../version.js'
import { type ImportAliases, importAliases } from './aliases.js'
import { assetModule } from './assets.js'
import { devCss, inlineCss } from './css.js'
import {
  DEPS_DIR,
  devDependencies,
  devSpecifier,
  lastScan,
  PREFRESH_RUNTIME,
  type PrebundleOptions,
  prebundle,
  REFRESH_RUNTIME,
  rememberScan,
} from './deps.js'
import { readBytes, TreeFacts } from './fs-quiet.js'
import { DEV_COMPILE_FORMAT, MODULE_CACHE_FILE, ModuleCache } from './module-cache.js'
import { devPlugins } from './plugins.js'
import { type DevError, type ServerMessage, SOCKET_PATH, TOKEN_PARAM } from './protocol.js'
import {
  BUNDLE_HEAD,
  BUNDLE_PREFIX,
  bundleMap,
  bundleTail,
  defineFactory,
  ENTRY_PREFIX,
  FACTORY_FORMAT,
  type Factory,
  factoryMap,
  failingFactory,
  inRegistry,
  MAP_PREFIX,
  MODULE_PREFIX,
  type ModuleRunnerTransform,
  toFactory,
} from './registry.js'
import {
  CLIENT_PATH,
  type Compile,
  type CompiledScript,
  type CompileSettings,
  compileName,
  compileScript,
  DEPS_PREFIX,
  isCss,
  isPluginSource,
  isScriptModule,
  linkScript,
  type ModuleLinks,
  moduleUrl,
  oxcCompiler,
  type Refresh,
  swcCompiler,
  VIRTUAL_PREFIX,
  virtualUrl,
} from './transform.js'
import { watchTree } from './watch.js'

export interface DevServerOptions {
  /** The directory with `index.html` (default: the current directory). */
  root?: string
  /** Default 5173; when taken, the next free one unless `strictPort`. 0 picks any free port. */
  port?: number
  strictPort?: boolean
  /** Default `localhost`. */
  host?: string
  /** Host names besides loopback names and IP literals that may reach the server (DNS rebinding). */
  allowedHosts?: string[]
  /** Directories outside the root whose files may be served. */
  allow?: string[]
  backend?: 'auto' | BackendName
  /** Where pre-bundled dependencies are kept, relative to the root (default: node_modules/.nexxo/deps). */
  cacheDir?: string
  /** `false`: pre-bundle dependencies again rather than reuse an unchanged pre-bundle. */
  cache?: 'auto' | false
  /** Picks the `.env.[mode]` files and is `import.meta.env.MODE`. Default `development`. */
  mode?: string
  /** Variables with these prefixes reach `import.meta.env`. Default `['NEXXO_', 'VITE_']`. */
  envPrefix?: string[]
  /** Told about each port that was taken before one was free. */
  onPortTaken?: (port: number) => void
  /** `resolve.alias`: import prefixes replaced before resolution, as in builds. */
  alias?: Record<string, string>
  /** The user's plugins (from the config): configureServer, resolveId, load, transform and handleHotUpdate run here. */
  plugins?: NexxoPlugin[]
  /** Milliseconds a plugin hook may take (default 30 s). */
  pluginTimeout?: number
  /**
   * Default true: a page's first load is one bundle of the app's modules (dev/registry.ts), and a
   * hot update still swaps one module. false: every module is its own request, as native ES modules.
   */
  bundle?: boolean
}

export interface DevServer {
  url: string
  port: number
  /** Milliseconds from the call to listening, and the dependencies pre-bundled on the way. */
  startup: { readyMs: number; deps: string[]; depsMs: number; depsCached: boolean }
  backend: BackendName
  /** Whether pages load their modules as bundles (`bundle`; false where no oxc binding loads). */
  bundled: boolean
  /**
   * Scripts compiled so far and those an earlier start had compiled (the module cache); in bundled
   * mode, the factories made of linked modules and those an earlier start had made.
   */
  readonly compiles: { compiled: number; cached: number; factoriesMade: number; factoriesCached: number }
  /** Connected HMR clients. */
  readonly clients: number
  close(): Promise<void>
}

/** Every response: never readable cross-origin, never sniffed, always revalidated. */
const BASE_HEADERS = {
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
}

const posix = (p: string) => p.split(sep).join('/')

/** What the server answers a GET with; `failed`: the module's error, when its body is one that throws it. */
interface Answer {
  status: number
  type: string
  body: string | Buffer
  failed?: string
  /** Instead of `body`: written piece by piece as it is made (`write` waits while the client is behind). */
  stream?: (write: (chunk: string) => Promise<void>) => Promise<void>
}

/** The client module, built beside this file (dist) or compiled from its source (tests run from src). */
function clientSource(compile: (code: string) => string): string {
  try {
    return readFileSync(new URL('./client.js', import.meta.url), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/, '')
  } catch {
    return compile(readFileSync(new URL('./client.ts', import.meta.url), 'utf8'))
  }
}

async function listen(server: Server, host: string, port: number, options: DevServerOptions): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const tried = port === 0 ? 0 : port + attempt
    try {
      await new Promise<void>((done, fail) => {
        server.once('error', fail)
        server.listen(tried, host, () => {
          server.off('error', fail)
          done()
        })
      })
      return (server.address() as AddressInfo).port
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'EADDRINUSE' || options.strictPort || port === 0 || attempt === 20) {
        throw NexxoError.single(
          code === 'EADDRINUSE' ? 'PORT_IN_USE' : 'LISTEN_FAILED',
          code === 'EADDRINUSE'
            ? `Port ${tried} is in use${options.strictPort ? ' (strictPort)' : ''}: choose another with --port.`
            : `Could not listen on ${host}:${tried}: ${(e as Error).message}`,
        )
      }
      options.onPortTaken?.(tried)
    }
  }
}

/** How long a compile error waits for a further save before the pages are told. */
const ERROR_GRACE_MS = 25

export async function createDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const started = performance.now()
  const root = resolve(options.root ?? '.')
  const allow = servedDirs([root, ...(options.allow ?? []).map((d) => resolve(root, d))])
  const facts = new TreeFacts(root)
  const allowedHosts = (options.allowedHosts ?? []).map((h) => h.toLowerCase())
  const host = options.host ?? 'localhost'
  if (!['localhost', '127.0.0.1', '::1'].includes(host)) allowedHosts.push(host.toLowerCase())
  let html: string
  try {
    html = readFileSync(join(root, 'index.html'), 'utf8')
  } catch {
    throw NexxoError.single(
      'MISSING_ENTRY',
      `${join(root, 'index.html')} not found: nexxo dev serves a directory with an index.html.`,
    )
  }
  // The pre-bundle keeps its own plain files; the build cache would only cost the RocksDB it opens.
  const bundler: Bundler = await createBundler({ backend: options.backend ?? 'auto', engine: 'rolldown', cache: false })
  const depsDir = resolve(root, options.cacheDir ?? DEPS_DIR)
  // What earlier starts compiled, beside the pre-bundles (`cache: false`: compiled afresh, kept for nothing).
  const modules =
    options.cache === false
      ? undefined
      : ModuleCache.open(join(depsDir, MODULE_CACHE_FILE), (bytes) => bundler.core.hash(bytes))
  const depsOptions: PrebundleOptions = {
    ...(options.cacheDir ? { dir: options.cacheDir } : {}),
    ...(options.cache === false ? { reuse: false } : {}),
  }
  const core = bundler.core
  const readText = (file: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch {
      return undefined
    }
  }
  const tsconfig = projectTsconfig(root, readText)
  const settings: CompileSettings = {
    ...(tsconfig?.jsxImportSource ? { jsxImportSource: tsconfig.jsxImportSource } : {}),
    ...(tsconfig?.experimentalDecorators ? { legacyDecorators: true } : {}),
    ...(tsconfig?.useDefineForClassFields === false ? { assignClassFields: true } : {}),
  }
  const { compile, moduleRunner, compilerName } = await loadCompiler(settings)
  // Bundled unless asked otherwise; where no oxc binding loads (swc compiles), modules go one by one.
  const bundled = options.bundle !== false && moduleRunner !== undefined
  /**
   * A relative or root-absolute import as a root URL path: the core's candidates in the core's
   * order, so that dev resolves exactly as builds do (`./a.js` naming `a.ts` included); none of
   * them climbs out of the root.
   */
  const resolveInRoot = (specifier: string, importer: string): string | null => {
    for (const id of core.relativeCandidates(importer.slice(1), specifier) ?? []) {
      if (facts.isFile(join(root, id))) return `/${id}`
    }
    return null
  }
  let aliases: ImportAliases | undefined
  try {
    aliases = importAliases(options.alias, tsconfig?.file)
  } catch (e) {
    throw NexxoError.single('TSCONFIG_ERROR', (e as Error).message, { file: relative(root, tsconfig?.file ?? '') })
  }
  const mode = options.mode ?? 'development'
  const envVars = loadEnv({
    mode,
    base: '/',
    ...(options.envPrefix ? { prefixes: options.envPrefix } : {}),
    read: (file) => readText(join(root, file)),
    processEnv: process.env,
  })
  const env = envDefine(envVars, { mode, base: '/', dev: true })['import.meta.env']!
  const loadCss = cssLoaderFor(bundler.backend)
  let cssEngine: CssEngine | undefined
  const token = randomBytes(24).toString('base64url')

  const sockets = new Set<WebSocket>()
  const broadcast = (message: ServerMessage) => {
    const text = JSON.stringify(message)
    for (const socket of sockets) socket.send(text)
  }
  // Before the pre-bundle, as Vite: a plugin's middlewares and its virtual modules are known to it.
  const userPlugins = await devPlugins(
    options.plugins ?? [],
    { mode, reload: () => broadcast({ type: 'full-reload', reason: 'a plugin asked for a reload' }) },
    options.pluginTimeout,
  )

  // --- dependencies ---
  const entries = htmlEntries(html)
  const known: string[] = []
  // A JSX runtime other than React's is imported by every compiled component: known up front.
  if (settings.jsxImportSource) known.push(`${settings.jsxImportSource}/jsx-dev-runtime`)
  // So is oxc's helper for legacy decorators: found later, it would cost the page a reload.
  if (settings.legacyDecorators) known.push('@oxc-project/runtime/helpers/decorate')
  // What the last scan found is kept beside the pre-bundles it made, which need the native stamps.
  const remembers = options.cache !== false && core.canStampFiles
  const scanned = remembers ? lastScan(depsDir) : undefined
  /** The packages the project's modules import, from a scan of every file under the root. */
  const scanProject = async () => {
    if (!core.canStampFiles) return []
    let found = reachableExternals(await core.scanProject(root, entries), entries)
    // `@/lib/x` looks like a package to the scan; an alias or tsconfig path that names a file says otherwise.
    if (aliases) found = found.filter((s) => !claimedByAlias(s))
    // So does `virtual:x`: the plugin that makes it up says otherwise.
    if (userPlugins.resolves) {
      const claimed = await Promise.all(found.map((s) => userPlugins.resolveId(s, undefined)))
      found = found.filter((_, i) => claimed[i] === null)
    }
    if (remembers) rememberScan(depsDir, found)
    return found
  }
  const firstDeps =
    (scanned &&
      (await prebundle(bundler, core, root, devDependencies([...scanned, ...known]), {
        ...depsOptions,
        cachedOnly: true,
      }))) ||
    (await prebundle(bundler, core, root, devDependencies([...(await scanProject()), ...known]), depsOptions))
  let deps = firstDeps
  let rebundling: Promise<void> | undefined

  // --- modules ---
  const graph: ModuleGraph = core.graph()
  const versions = new Map<string, number>()
  // Compiled code and source texts are kept as bytes, outside the JS heap: thousands of strings that
  // all survive made V8 grow its young generation to the maximum (some 20 MB of RSS on react-1k).
  /** Each module's compiled code, as served. */
  const transformed = new Map<string, Promise<Buffer>>()
  const errors = new Map<string, DevError>()
  /** The text each module was last compiled from. */
  const sources = new Map<string, Buffer>()
  /** The ids plugins' resolveId made up, by the URL path they are served at: nothing else is served there. */
  const virtualIds = new Map<string, string>()
  const refresh = (): Refresh =>
    deps.entries.has(REFRESH_RUNTIME) ? 'react' : deps.entries.has(PREFRESH_RUNTIME) ? 'preact' : false

  const links: ModuleLinks = {
    resolve: resolveInRoot,
    dependency: (specifier: string) => deps.entries.get(devSpecifier(specifier)) ?? null,
    version: (path: string) => versions.get(path) ?? 0,
  }

  /** Pre-bundles again with imports found since; pages reload, as their dependency chunks change. */
  const addDeps = (missing: string[]) => {
    rebundling ??= (async () => {
      const next = await prebundle(
        bundler,
        core,
        root,
        devDependencies([...deps.entries.keys(), ...missing]),
        depsOptions,
      )
      deps = next
      // The next start pre-bundles these up front, as if its scan had found them.
      if (remembers) rememberScan(depsDir, [...next.entries.keys()])
      broadcast({ type: 'full-reload', reason: `new dependencies pre-bundled: ${missing.join(', ')}` })
    })().finally(() => {
      rebundling = undefined
    })
    return rebundling
  }

  /** An absolute file name as a root URL path, or undefined when it is not under the root. */
  const rootPath = (file: string): string | undefined => {
    const inRoot = relative(root, file)
    return inRoot.startsWith('..') || isAbsolute(inRoot) ? undefined : `/${posix(inRoot)}`
  }

  /** For the scan: an aliased import is no package to pre-bundle (one aliased to a package is an error where it is imported). */
  function claimedByAlias(specifier: string): boolean {
    try {
      return aliased(specifier, '/index.html') !== undefined
    } catch {
      return true
    }
  }

  /** The file an aliased import names (resolve.alias, tsconfig paths), as a root URL path. */
  function aliased(specifier: string, importer: string): string | undefined {
    for (const candidate of aliases?.(specifier) ?? []) {
      if (!isAbsolute(candidate) && !candidate.startsWith('.')) {
        throw NexxoError.single(
          'UNSUPPORTED',
          `'${specifier}' is aliased to the package '${candidate}': nexxo dev resolves aliases to files only (builds take both).`,
          { file: importer.slice(1) },
        )
      }
      const specifierInRoot = isAbsolute(candidate) ? rootPath(candidate) : candidate
      const hit = specifierInRoot === undefined ? null : resolveInRoot(specifierInRoot, importer)
      if (hit) return hit
    }
    return undefined
  }

  /** The id plugins know a module by: the one their resolveId made up, or its absolute file name. */
  const pluginId = (path: string) => virtualIds.get(path) ?? join(root, path.slice(1))

  /** Where a plugin's resolution points: a file under the root is served as one, anything else at `/@id/`. */
  const targetOf = (resolution: PluginResolution): string | false | undefined => {
    if (!resolution) return undefined
    if (resolution.external) return false
    const { id } = resolution
    const file = namesFile(id) && facts.isFile(id) ? rootPath(id) : undefined
    if (file !== undefined) return file
    const url = virtualUrl(id)
    virtualIds.set(url, id)
    return url
  }

  /** Where each import of a compiled module points by an alias or a plugin's resolveId (async, so asked before linking). */
  const planImports = async (script: CompiledScript): Promise<Map<string, string | false>> => {
    const { path } = script
    const planned = new Map<string, string | false>()
    const importer = pluginId(path)
    for (const { specifier, typeOnly, kind } of script.scan.imports) {
      if (typeOnly || kind === 'jsx-runtime' || planned.has(specifier) || specifier === CLIENT_PATH) continue
      const file = aliases ? aliased(specifier, path) : undefined
      if (file !== undefined) {
        planned.set(specifier, file)
        continue
      }
      if (!userPlugins.resolves) continue
      const target = targetOf(await userPlugins.resolveId(specifier, importer))
      if (target !== undefined) planned.set(specifier, target)
    }
    return planned
  }

  /**
   * A module compiled, or what an earlier start compiled of the same text with the same inputs
   * (`named`: the name it is compiled under; the compiler and its settings; the Fast Refresh kind).
   */
  const compiles = { compiled: 0, cached: 0, factoriesMade: 0, factoriesCached: 0 }
  const compiledScript = (
    compileAs: Compile,
    source: string,
    path: string,
    named: string,
    kind: Refresh,
  ): CompiledScript => {
    if (!modules) {
      compiles.compiled++
      return compileScript(core, compileAs, source, path, kind)
    }
    const key = modules.key([DEV_COMPILE_FORMAT, NEXXO_VERSION, compilerName, settings, kind, named, path], source)
    const kept = modules.get(key)
    if (kept) {
      compiles.cached++
      return { source, path, refresh: kind, ...kept }
    }
    compiles.compiled++
    const script = compileScript(core, compileAs, source, path, kind)
    const { code, usesEnv, registersComponents, scan } = script
    modules.set(key, { code, usesEnv, registersComponents, scan })
    return script
  }

  const compileModule = async (path: string, bytes: Buffer): Promise<Buffer> => {
    sources.set(path, bytes)
    const text = bytes.toString('utf8')
    const { code: source, moduleType } = await userPlugins.transform(text, pluginId(path))
    if (isCss(path)) cssEngine ??= await loadCss()
    if (isPluginSource(path) && source === text) {
      throw NexxoError.single(
        'NO_PLUGIN',
        `No plugin compiled ${path.slice(1)}: add the plugin for ${extname(path)} files to the config's plugins.`,
        { file: path.slice(1) },
      )
    }
    const named = compileName(path, moduleType)
    const compileAs: Compile = named === path ? compile : (code, _path, fresh) => compile(code, named, fresh)
    let script = isCss(path) ? undefined : compiledScript(compileAs, source, path, named, refresh())
    const planned = script && (userPlugins.resolves || aliases) ? await planImports(script) : undefined
    const moduleLinks: ModuleLinks = planned?.size ? { ...links, planned: (s) => planned.get(s) } : links
    let module = script ? linkScript(script, moduleLinks, env) : devCss(cssEngine!, source, path, links)
    if (script && module.missingDeps.length > 0) {
      await addDeps(module.missingDeps)
      // Linked again against the new pre-bundle; compiled again only if Fast Refresh arrived with it.
      if (script.refresh !== refresh()) script = compiledScript(compileAs, source, path, named, refresh())
      module = linkScript(script, moduleLinks, env)
      if (module.missingDeps.length > 0) {
        throw NexxoError.single(
          'UNRESOLVED_IMPORT',
          `Could not pre-bundle ${module.missingDeps.join(', ')} (imported by ${path.slice(1)}).`,
          { file: path.slice(1) },
        )
      }
    }
    const pruned = graph.set({
      id: path,
      deps: module.deps,
      selfAccepting: module.hot.selfAccepting,
      acceptedDeps: module.hot.acceptedDeps,
      isEntry: entries.includes(path.slice(1)),
    })
    if (pruned.length > 0) {
      for (const gone of pruned) {
        transformed.delete(gone)
        // Imported again later, it must run again: a new URL, not the page's old instance.
        versions.set(gone, (versions.get(gone) ?? 0) + 1)
      }
      broadcast({ type: 'prune', paths: pruned })
    }
    return Buffer.from(module.code)
  }

  /** A module's text: a plugin's `load`, else the file's (a virtual module has no file). */
  const readSource = async (path: string, file: string, bytes: Buffer | undefined): Promise<Buffer> => {
    if (userPlugins.loads) {
      const code = await userPlugins.load(pluginId(path))
      if (code !== null) return Buffer.from(code)
    }
    const virtual = virtualIds.get(path)
    if (virtual !== undefined) {
      throw NexxoError.single(
        'LOAD_FAILED',
        `No plugin loaded '${virtual}': a plugin's resolveId named it, and nexxo dev reads only files under the root itself.`,
      )
    }
    return bytes ?? readFileSync(file)
  }

  /** A module's code, compiled once per version; errors are recorded for the overlay. */
  const load = (path: string, file: string, bytes?: Buffer): Promise<Buffer> => {
    let pending = transformed.get(path)
    if (!pending) {
      pending = (async () => compileModule(path, await readSource(path, file, bytes)))()
      transformed.set(path, pending)
      pending.then(
        () => {
          if (errors.delete(path) && errors.size === 0) broadcast({ type: 'error-fixed' })
        },
        (e: unknown) => {
          transformed.delete(path)
          const error = toDevError(e, path, sources.get(path)?.toString('utf8'))
          errors.set(path, error)
          // Files are reported as soon as their events are in, and a large save can land in pieces:
          // the overlay waits a moment for the rest before it shows an error that may be gone by then.
          setTimeout(() => {
            if (errors.get(path) === error) broadcast({ type: 'error', error })
          }, ERROR_GRACE_MS).unref()
        },
      )
    }
    return pending
  }

  const clientCode = clientSource((code) => compile(code, '/client.ts', false)).replace(
    '__NEXXO_SOCKET__',
    `\`\${location.protocol === 'https:' ? 'wss' : 'ws'}://\${location.host}${SOCKET_PATH}?${TOKEN_PARAM}=${token}\``,
  )

  const pageHtml = (page: string, pagePath: string) => {
    const kind = refresh()
    // prefresh's runtime installs itself (`self.__PREFRESH__`, Preact's option hooks) on import.
    const preamble =
      kind === 'react'
        ? `<script type="module">import RefreshRuntime from "${deps.entries.get(REFRESH_RUNTIME)}";RefreshRuntime.injectIntoGlobalHook(window);window.$RefreshReg$=()=>{};window.$RefreshSig$=()=>(type)=>type;window.__nexxo_refresh=RefreshRuntime;</script>\n    `
        : kind === 'preact'
          ? `<script type="module">import "${deps.entries.get(PREFRESH_RUNTIME)}";</script>\n    `
          : ''
    // A bundle's factories import the pre-bundled dependencies only as they run: fetched while the
    // bundle streams instead, they are parsed by then (react-dom's chain is four requests deep).
    const preloads = bundled
      ? [...deps.files]
          .filter((f) => f.endsWith('.js'))
          .sort()
          .map((f) => `<link rel="modulepreload" href="${DEPS_PREFIX}${f}">\n    `)
          .join('')
      : ''
    const inject = `${preloads}${preamble}<script type="module" src="${CLIENT_PATH}"></script>\n  `
    // Bundled: each entry script loads its bundle; a relative src is relative to the page, as in the browser.
    const html = bundled
      ? pointEntryScripts(page, (src) => ENTRY_PREFIX + new URL(src, `http://page${pagePath}`).pathname)
      : page
    const head = /<\/head>/i.exec(html)
    return head ? html.slice(0, head.index) + inject + html.slice(head.index) : inject + html
  }

  // --- HTTP ---
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, head = false) => {
    res.writeHead(status, { ...BASE_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) })
    res.end(head ? undefined : body)
  }
  const refuse = (res: ServerResponse, refusal: Refusal) => send(res, refusal.status, TEXT_TYPE, `${refusal.reason}\n`)

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const rawUrl = req.url ?? '/'
    const target = checkRequestTarget(rawUrl)
    if (target) return refuse(res, target)
    if (!hostAllowed(req.headers.host, allowedHosts)) {
      return refuse(res, { status: 403, reason: 'this Host is not allowed (set allowedHosts to serve it)' })
    }
    // A page on another site may navigate here, but not load or fetch from here.
    if (req.headers['sec-fetch-site'] === 'cross-site' && req.headers['sec-fetch-mode'] !== 'navigate') {
      return refuse(res, { status: 403, reason: 'cross-site requests are refused' })
    }
    // After the checks above, so that no plugin sees a rebinding or cross-site request; before the
    // method check, since a plugin's API may take POSTs.
    if (await userPlugins.handle(req, res)) return
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...BASE_HEADERS, allow: 'GET, HEAD' }).end()
      return
    }
    const head = req.method === 'HEAD'
    const [pathname = '/', query = ''] = rawUrl.split(/\?(.*)/s)
    if (pathname === CLIENT_PATH) return send(res, 200, JS_TYPE, clientCode, head)
    const answer =
      (bundled ? await bundledAnswer(pathname, query) : undefined) ??
      (await answerFor(pathname, new URLSearchParams(query), req.headers))
    if ('reason' in answer) return refuse(res, answer)
    if (answer.stream) return stream(res, answer.status, answer.type, answer.stream, head)
    return send(res, answer.status, answer.type, answer.body, head)
  }

  /** A streamed answer, in pieces of some 256 kB: the client parses the first while the rest is made. */
  async function stream(
    res: ServerResponse,
    status: number,
    type: string,
    produce: NonNullable<Answer['stream']>,
    head: boolean,
  ) {
    res.writeHead(status, { ...BASE_HEADERS, 'content-type': type })
    if (head) return void res.end()
    let pending: string[] = []
    let size = 0
    const flush = async () => {
      // A page that went away stops the walk: nothing is compiled for nobody.
      if (res.destroyed) throw new Error('the client went away')
      const chunk = pending.join('')
      pending = []
      size = 0
      // The walk runs ahead of a page that parses as it reads, by up to some megabytes.
      if (!res.write(chunk) && res.writableLength > 8 * 1024 * 1024) {
        await new Promise<void>((done) => {
          const resume = () => {
            res.off('drain', resume)
            res.off('close', resume)
            done()
          }
          res.on('drain', resume)
          res.on('close', resume)
        })
      }
    }
    await produce(async (piece) => {
      pending.push(piece)
      size += piece.length
      if (size >= 256 * 1024) await flush()
    })
    await flush()
    res.end()
  }

  /**
   * What a GET of `pathname?params` answers once the request's checks passed: a compiled module, a
   * pre-bundled dependency, a page, a file, or a refusal. `headers` tell a page navigation from an
   * import (none: an import, as a bundle asks).
   */
  async function answerFor(
    pathname: string,
    params: URLSearchParams,
    headers: IncomingMessage['headers'] = {},
  ): Promise<Answer | Refusal> {
    /** A JS module for `path`, or one that throws its error where it is imported. */
    const moduleAnswer = async (path: string, code: () => Promise<string | Buffer>): Promise<Answer> => {
      try {
        return { status: 200, type: JS_TYPE, body: await code() }
      } catch (e) {
        const error = toDevError(e, path)
        return {
          status: 500,
          type: JS_TYPE,
          body: `throw new Error(${JSON.stringify(`${error.file ?? path}: ${error.message}`)})\n`,
          failed: `${error.file ?? path}: ${error.message}`,
        }
      }
    }
    const compiled = (path: string, file: string) => moduleAnswer(path, () => load(path, file))
    if (pathname.startsWith(VIRTUAL_PREFIX)) {
      return virtualIds.has(pathname)
        ? compiled(pathname, pathname)
        : { status: 404, reason: 'no plugin resolved an import to this id' }
    }
    if (pathname.startsWith(DEPS_PREFIX)) {
      const name = pathname.slice(DEPS_PREFIX.length)
      const code = deps.files.has(name) ? readBytes(join(deps.dir, name)) : undefined
      return code === undefined
        ? { status: 404, reason: 'not a pre-bundled dependency' }
        : { status: 200, type: JS_TYPE, body: code }
    }
    const page = pathname.endsWith('/') ? `${pathname}index.html` : pathname
    // public/ is served at the root, as Vite does; then the project itself.
    let found = facts.fileFor(page, allow)
    if ('file' in found && facts.isDirectory(join(root, 'public'))) {
      const inPublic = facts.fileFor(`/public${page}`, allow)
      if ('file' in inPublic && facts.isFile(inPublic.file)) found = inPublic
    }
    if (!('file' in found)) return found
    let file = found.file
    const accept = headers.accept ?? ''
    if (!facts.isFile(file)) {
      // History-API routes: a navigation to a path that is no file gets the app's page.
      if (headers['sec-fetch-dest'] === 'document' || (accept.includes('text/html') && !extname(page))) {
        file = join(root, 'index.html')
      } else return { status: 404, reason: 'not found' }
    }
    const path = `/${posix(relative(root, file))}`
    if (extname(file) === '.html') {
      return { status: 200, type: HTML_TYPE, body: pageHtml(readFileSync(file, 'utf8'), path) }
    }
    const queried = ['raw', 'url', 'inline', 'no-inline', 'worker', 'sharedworker'].some((q) => params.has(q))
    // An import of anything that is not a script module gets a JS module, never the file itself.
    if (params.has('import') && (queried || !(isScriptModule(path) || isCss(path) || isPluginSource(path)))) {
      return moduleAnswer(path, async () => {
        if (isCss(path) && params.has('inline')) {
          cssEngine ??= await loadCss()
          const text = inlineCss(cssEngine, path, links, (p) => readFileSync(join(root, p.slice(1)), 'utf8'))
          return `export default ${JSON.stringify(text)}\n`
        }
        return assetModule(path, params, readFileSync(file))
      })
    }
    if (isScriptModule(path) || isPluginSource(path) || (isCss(path) && params.has('import'))) {
      return compiled(path, file)
    }
    return { status: 200, type: contentType(file), body: readFileSync(file) }
  }

  // --- bundled mode ---
  /** The factory of each compiled module, by the bytes it was made from (a recompile makes new ones). */
  const factoryOf = new WeakMap<Buffer, Factory>()
  /** `code`'s factory, or what an earlier start made of the same linked code. */
  const keptFactory = (code: string | Buffer, url: string): Factory => {
    const cache = typeof code === 'string' ? undefined : modules
    const key = cache?.key([FACTORY_FORMAT, NEXXO_VERSION], code)
    const kept = key === undefined ? undefined : cache?.get<Factory>(key)
    if (kept) {
      compiles.factoriesCached++
      return kept
    }
    compiles.factoriesMade++
    const made = toFactory(moduleRunner!, code.toString(), url)
    if (key !== undefined) cache?.set(key, made)
    return made
  }
  /** What a GET of `url` (a module's URL as its importers write it) answers. */
  const answerForUrl = (url: string) => {
    const [pathname = '/', query = ''] = url.split(/\?(.*)/s)
    return answerFor(pathname, new URLSearchParams(query))
  }
  /** A module's definition for a bundle, the URLs it imports, and the code it was made from (for its map). */
  interface Definition {
    text: string
    deps: string[]
    code?: string | Buffer
  }
  /** `url`'s definition for a bundle from its `answer`; a module that fails is a factory that throws. */
  const definition = (url: string, answer: Answer | Refusal): Definition => {
    const fails = (message: string): Definition => ({ text: defineFactory(url, failingFactory(message)), deps: [] })
    if ('reason' in answer) return fails(`${url}: ${answer.reason}`)
    if (answer.failed !== undefined) return fails(answer.failed)
    if (answer.type !== JS_TYPE) return fails(`${url} is no module`)
    const code = answer.body
    // Compiled modules are kept bytes, one object per version: their factories are made once. Other
    // answers (an asset's URL, a `?raw` text) are small strings, made anew each time.
    let factory = typeof code === 'string' ? undefined : factoryOf.get(code)
    if (!factory) {
      factory = keptFactory(code, url)
      if (typeof code !== 'string') factoryOf.set(code, factory)
    }
    return { text: defineFactory(url, factory.body), deps: factory.deps, code }
  }
  /**
   * Gives `emit` the definitions of `url` and of every module it reaches by static imports
   * (`alone`: `url` only), one by one as they are compiled, in a fixed order (depth-first from
   * `url`, with a stack of its own: an import chain may be thousands long), which a bundle's source
   * map asked for later walks again. A refusal of `url` itself is the answer, as a direct request
   * would get; one of an import is a factory that throws it where it is imported.
   */
  const walkBundle = async (
    url: string,
    alone: boolean,
    emit: (defined: Definition) => void | Promise<void>,
  ): Promise<Refusal | undefined> => {
    const first = await answerForUrl(url)
    if ('reason' in first) return first
    const seen = new Set<string>()
    const stack = [url]
    while (stack.length > 0) {
      const at = stack.pop()!
      if (seen.has(at)) continue
      seen.add(at)
      const defined = definition(at, at === url ? first : await answerForUrl(at))
      await emit(defined)
      if (alone) break
      for (let i = defined.deps.length - 1; i >= 0; i--) if (!seen.has(defined.deps[i]!)) stack.push(defined.deps[i]!)
      // Other requests (the page, the dependencies, the refresh runtime) are served between modules:
      // a start compiles its entries before the page asks, and must not hold up the page meanwhile.
      if (seen.size % 16 === 0) await new Promise((done) => setImmediate(done))
    }
    return undefined
  }
  /** The bundled mode's paths: `path` (with its query) and the module URL it names. */
  const bundledPath = (pathname: string, query: string) => {
    const prefix = [ENTRY_PREFIX, BUNDLE_PREFIX, MODULE_PREFIX].find((p) => pathname.startsWith(`${p}/`))
    return prefix ? { prefix, url: pathname.slice(prefix.length) + (query ? `?${query}` : '') } : undefined
  }
  /**
   * The bundled mode's own paths: an entry's bundle, a module's subtree, a module alone, and their
   * maps. A bundle streams out as its modules are compiled, so the browser parses while the server
   * compiles.
   */
  const bundledAnswer = async (pathname: string, query: string): Promise<Answer | Refusal | undefined> => {
    const forMap = pathname.startsWith(`${MAP_PREFIX}/`)
    const path = forMap ? pathname.slice(MAP_PREFIX.length) : pathname
    const named = bundledPath(path, query)
    if (!named) return forMap ? { status: 404, reason: 'no such bundle' } : undefined
    const { prefix, url } = named
    if (!inRegistry(url)) return { status: 404, reason: 'not an app module' }
    const alone = prefix === MODULE_PREFIX
    if (forMap) {
      const parts: Definition[] = []
      const refused = await walkBundle(url, alone, (d) => void parts.push(d))
      if (refused) return refused
      const maps = parts.map((p) => (p.code === undefined ? null : factoryMap(moduleRunner!, p.code.toString('utf8'))))
      const body = bundleMap(
        parts.map((p) => p.text),
        maps,
      )
      return { status: 200, type: 'application/json', body }
    }
    const tail = bundleTail(prefix === ENTRY_PREFIX ? url : undefined, MAP_PREFIX + path + (query ? `?${query}` : ''))
    // Its refusal must be the status, before anything is sent (the walk then finds it compiled).
    const first = await answerForUrl(url)
    if ('reason' in first) return first
    return {
      status: 200,
      type: JS_TYPE,
      body: '',
      stream: async (write) => {
        await write(BUNDLE_HEAD)
        await walkBundle(url, alone, (d) => write(d.text))
        await write(tail)
      },
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // A page closed mid-answer is no error of the server's.
      const gone = res.destroyed
      if (!res.headersSent) send(res, 500, TEXT_TYPE, 'internal error\n')
      else res.destroy()
      if (!gone) console.error(e)
    })
  })
  // Bounded: a request with thousands of headers is cut off, not parsed forever (attacks.md 22).
  server.maxHeadersCount = 200
  server.headersTimeout = 10_000

  // --- the HMR socket ---
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 })
  const tokenBytes = Buffer.from(token)
  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    }
    const rawUrl = req.url ?? ''
    if (checkRequestTarget(rawUrl)) return reject(400, 'Bad Request')
    const [pathname, query = ''] = rawUrl.split(/\?(.*)/s)
    if (pathname !== SOCKET_PATH) return reject(404, 'Not Found')
    if (!hostAllowed(req.headers.host, allowedHosts)) return reject(403, 'Forbidden')
    if (!originAllowed(req.headers.origin, port, allowedHosts)) return reject(403, 'Forbidden')
    const given = Buffer.from(new URLSearchParams(query).get(TOKEN_PARAM) ?? '')
    if (given.length !== tokenBytes.length || !timingSafeEqual(given, tokenBytes)) return reject(403, 'Forbidden')
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
      ws.on('error', () => ws.terminate())
      // Pages only listen: the socket takes no requests, so it cannot be made to read files (attacks.md 20).
      ws.on('message', () => ws.close(1008, 'this socket takes no messages'))
      ws.send(JSON.stringify({ type: 'connected' } satisfies ServerMessage))
      for (const error of errors.values()) ws.send(JSON.stringify({ type: 'error', error } satisfies ServerMessage))
    })
  })

  // --- watching ---
  const changed = async (file: string, kind: 'change' | 'add' | 'unlink') => {
    if (kind !== 'change') facts.forget()
    const path = `/${posix(relative(root, file))}`
    if (extname(file) === '.html') return broadcast({ type: 'full-reload', reason: `${path.slice(1)} changed` })
    // Compiled once (its cached code may have been dropped since, for the next request to redo).
    const known = transformed.has(path) || errors.has(path) || sources.has(path)
    // A stylesheet the page links (not imports) is no module here: the page reloads to get it.
    if (!known && kind === 'change' && isCss(path) && !path.startsWith('/public/')) {
      return broadcast({ type: 'full-reload', reason: `${path.slice(1)} changed` })
    }
    if (kind === 'add') {
      // A new file may be what an unresolved import was waiting for.
      for (const failed of [...errors.keys()]) retry(failed)
      return
    }
    if (!known) return
    if (kind === 'unlink') {
      transformed.delete(path)
      graph.remove(path)
      return broadcast({ type: 'full-reload', reason: `${path.slice(1)} was deleted` })
    }
    const bytes = readBytes(file)
    if (!bytes) return // gone between the event and now: its unlink follows
    // A save that rewrote the same text (or a second event of one write) is no update.
    if (!errors.has(path) && sources.get(path)?.equals(bytes)) return
    // A plugin that returns no modules has handled the edit itself (Vite's contract).
    const text = bytes.toString('utf8')
    const modules = await userPlugins.hotUpdate({
      file,
      timestamp: Date.now(),
      modules: [path],
      read: async () => text,
    })
    // The next request compiles the new text whatever is updated now (Vite invalidates first too).
    transformed.delete(path)
    // No modules: the plugin handled the edit itself (Vite's contract). Others than the file's own:
    // what the edit changes of it (a component's style block, not the component).
    const targets = [...new Set(modules.map((m) => modulePath(m, path)).filter((m) => m !== undefined))]
    if (targets.length === 0) return
    try {
      for (const target of targets) {
        transformed.delete(target)
        versions.set(target, (versions.get(target) ?? 0) + 1)
        if (target === path) await load(path, file, bytes)
        else await load(target, virtualIds.has(target) ? target : join(root, target.slice(1)))
      }
    } catch {
      return // the overlay shows it; the pages keep running the last good code
    }
    const plan = graph.planHmr(targets)
    if (plan.type === 'full-reload') return broadcast({ type: 'full-reload', reason: plan.reason })
    if (plan.type === 'noop') return
    for (const stale of plan.invalidated) {
      if (stale === path) continue
      transformed.delete(stale)
      versions.set(stale, (versions.get(stale) ?? 0) + 1)
    }
    broadcast({
      type: 'update',
      updates: plan.boundaries.map((b) => ({
        boundary: b.boundary,
        acceptedVia: b.acceptedVia,
        url: moduleUrl(b.acceptedVia, links.version(b.acceptedVia)),
      })),
    })
  }
  /**
   * A module a `handleHotUpdate` named, as its URL path: a root URL path as given, an absolute file
   * under the root as its path, an id a plugin's resolveId made up as the URL it is served at.
   * Undefined for what the page has not loaded.
   */
  const modulePath = (module: string, edited: string): string | undefined => {
    if (module === edited || transformed.has(module) || errors.has(module)) return module
    for (const [url, id] of virtualIds) if (id === module) return url
    const inRoot = namesFile(module) ? rootPath(module) : undefined
    return inRoot !== undefined && (transformed.has(inRoot) || inRoot === edited) ? inRoot : undefined
  }
  const retry = (path: string) => {
    transformed.delete(path)
    load(path, join(root, path.slice(1))).then(
      () => broadcast({ type: 'full-reload', reason: `${path.slice(1)} builds again` }),
      () => {},
    )
  }
  // One change at a time keeps versions in order.
  let queue = Promise.resolve()
  const watcher = watchTree(
    root,
    (kind, file) => {
      queue = queue.then(() => changed(file, kind)).catch((e: unknown) => console.error(e))
    },
    {
      ignore: (name) => name === 'node_modules' || name.startsWith('.'),
      onError: (e) => console.error(`[nexxo] watcher: ${e.message}`),
    },
  )

  let closing = false
  const shutdown = async () => {
    closing = true
    watcher.close()
    for (const socket of sockets) socket.terminate()
    wss.close()
    server.closeAllConnections()
    if (server.listening) await new Promise<void>((done) => server.close(() => done()))
    graph.free()
    modules?.close()
    await bundler.close()
  }
  let port: number
  try {
    port = await listen(server, host, options.port ?? 5173, options)
  } catch (e) {
    await shutdown()
    throw e
  }
  // The entries' modules are compiled while the browser connects (some 300 ms on a cold start):
  // the page's first request then finds them done. A module that fails is reported as it would be
  // on that request.
  // A server closed meanwhile stops it: its graph and module cache are gone.
  const stopWhenClosed = () => {
    if (closing) throw new Error('the dev server closed')
  }
  if (bundled) {
    for (const entry of entries) void walkBundle(`/${entry}`, false, stopWhenClosed).catch(() => {})
  }
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    backend: bundler.backend,
    bundled,
    startup: {
      readyMs: performance.now() - started,
      deps: [...firstDeps.entries.keys()],
      depsMs: firstDeps.durationMs,
      depsCached: firstDeps.cached,
    },
    get clients() {
      return sockets.size
    },
    get compiles() {
      return { ...compiles }
    },
    close: shutdown,
  }
}

/**
 * oxc in its own binding, not through native rolldown: a started server then never loads rolldown
 * (some 16 MB of resident memory) unless it has dependencies to pre-bundle. @swc/wasm-web where no
 * oxc binding loads.
 */
async function loadCompiler(
  settings: CompileSettings,
): Promise<{ compile: Compile; compilerName: string; moduleRunner?: ModuleRunnerTransform }> {
  try {
    const oxc = await import('oxc-transform')
    return { compile: oxcCompiler(oxc, settings), compilerName: 'oxc-transform', moduleRunner: oxc }
  } catch {
    return { compile: swcCompiler(await nodeSwc.load()), compilerName: `@swc/wasm-web@${nodeSwc.version}` }
  }
}

/**
 * The bare imports of the modules the entries reach. The scan covers every file under the root,
 * config files among them (`vite.config.ts` imports Node-only plugins): only what the page loads is
 * pre-bundled for it.
 */
function reachableExternals(project: Project, entries: string[]): string[] {
  if (entries.length === 0) return project.externals
  const byId = new Map(project.modules.map((m) => [m.id, m]))
  const seen = new Set<string>()
  const externals = new Set<string>()
  const stack = entries.filter((e) => byId.has(e))
  while (stack.length > 0) {
    const id = stack.pop()!
    if (seen.has(id)) continue
    seen.add(id)
    for (const imp of byId.get(id)!.imports) {
      // The core's JSX-runtime record names React's; the compiler's own runtime is added by the caller.
      if (imp.typeOnly || imp.kind === 'jsx-runtime') continue
      if (imp.resolved) stack.push(imp.resolved)
      else if (!imp.specifier.startsWith('.') && !imp.specifier.startsWith('/') && !/^[a-z]+:/i.test(imp.specifier)) {
        externals.add(imp.specifier)
      }
    }
  }
  return [...externals]
}

function toDevError(e: unknown, path: string, source?: string): DevError {
  if (e instanceof NexxoError && e.diagnostics[0]) return e.diagnostics[0]
  const message = e instanceof Error ? e.message : String(e)
  // A plugin's `this.error({ loc })`: lines 1-based, columns 0-based, as Rollup has them.
  const loc = (e as { loc?: { line?: unknown; column?: unknown } } | undefined)?.loc
  if (typeof loc?.line === 'number' && typeof loc.column === 'number') {
    const at = { line: loc.line, column: loc.column + 1 }
    return { message, file: path.slice(1), ...at, ...(source ? { frame: codeFrame(source, at.line, at.column) } : {}) }
  }
  return { message, file: path.slice(1) }
}
