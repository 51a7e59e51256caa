// The dev server's browser side, served as /@nexxo/client: the HMR socket, `import.meta.hot` with
// Vite's API (accept, accept(deps), dispose, prune, data, invalidate, on, off), style injection for
// CSS modules, React Fast Refresh scheduling, and the error overlay. Self-contained: it imports only
// types, and the server fills in the socket's URL and token.

import type { DevError, HotUpdate, ServerMessage } from './protocol.js'

declare const __NEXXO_SOCKET__: string

type ModuleNamespace = Record<string, unknown>
type AcceptCallback = (modules: (ModuleNamespace | undefined)[]) => void

interface HotModule {
  callbacks: { deps: string[]; fn: AcceptCallback }[]
  dispose?: (data: Record<string, unknown>) => void
  prune?: (data: Record<string, unknown>) => void
  data: Record<string, unknown>
}

const modules = new Map<string, HotModule>()
const listeners = new Map<string, Set<(data: unknown) => void>>()

const log = (...args: unknown[]) => console.debug('[nexxo]', ...args)

function reload(reason: string) {
  log(`full reload: ${reason}`)
  location.reload()
}

export function createHotContext(path: string, depUrls: Record<string, string> = {}) {
  const previous = modules.get(path)
  // A new version of the module registers afresh; its data survives from the old one.
  const own: HotModule = { callbacks: [], data: previous?.data ?? {} }
  modules.set(path, own)
  const url = (dep: string) => depUrls[dep] ?? dep
  return {
    get data() {
      return own.data
    },
    accept(deps?: string | string[] | ((mod: ModuleNamespace | undefined) => void), fn?: (mods: unknown) => void) {
      if (typeof deps === 'function' || deps === undefined) {
        const callback = deps
        own.callbacks.push({ deps: [path], fn: ([mod]) => callback?.(mod) })
      } else if (typeof deps === 'string') {
        own.callbacks.push({ deps: [url(deps)], fn: ([mod]) => fn?.(mod) })
      } else {
        own.callbacks.push({ deps: deps.map(url), fn: (mods) => fn?.(mods) })
      }
    },
    dispose(fn: (data: Record<string, unknown>) => void) {
      own.dispose = fn
    },
    prune(fn: (data: Record<string, unknown>) => void) {
      own.prune = fn
    },
    decline() {},
    invalidate(message?: string) {
      // The server does not take messages from pages: an update this module refuses is a reload.
      reload(`${path} invalidated itself${message ? `: ${message}` : ''}`)
    },
    on(event: string, fn: (data: unknown) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(fn)
    },
    off(event: string, fn: (data: unknown) => void) {
      listeners.get(event)?.delete(fn)
    },
  }
}

const styles = new Map<string, HTMLStyleElement>()

export function updateStyle(id: string, css: string): void {
  let style = styles.get(id)
  if (!style) {
    style = document.createElement('style')
    style.setAttribute('data-nexxo-dev-id', id)
    document.head.appendChild(style)
    styles.set(id, style)
  }
  style.textContent = css
}

export function removeStyle(id: string): void {
  styles.get(id)?.remove()
  styles.delete(id)
}

// --- bundled dev: the module registry (dev/registry.ts sends the factories) ---

/** A module in oxc's module-runner form: imports are calls, exports go on the namespace passed in. */
type Factory = (
  exports: ModuleNamespace,
  meta: Record<string, unknown>,
  importStatic: (url: string) => Promise<ModuleNamespace>,
  importDynamic: (url: string) => Promise<ModuleNamespace>,
  exportAll: (from: ModuleNamespace) => void,
) => Promise<void>

interface Instance {
  url: string
  exports: ModuleNamespace
  /** Resolves to `exports` once the module has run. */
  ran: Promise<ModuleNamespace>
  /** Resolves to `exports` now: what an import on a cycle back to the module gets. */
  now: Promise<ModuleNamespace>
  done: boolean
}

const factories = new Map<string, Factory>()
const instances = new Map<string, Instance>()
/** Set once an entry bundle ran: hot updates then go through the registry too. */
let bundled = false

/** The same rule as dev/registry.ts's `inRegistry`: app modules run here, the rest natively. */
const inRegistry = (url: string) =>
  url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/@deps/') && !url.startsWith('/@nexxo/')

const sameOrigin = (url: URL) => (url.origin === location.origin ? url.pathname + url.search : url.href)

/** A module's factory, from a bundle; a URL defined twice keeps its first (a URL names one version). */
export function define(url: string, factory: Factory): void {
  if (!factories.has(url)) factories.set(url, factory)
}

/** Runs an entry bundle's entry. */
export function run(url: string): Promise<ModuleNamespace> {
  bundled = true
  return load(url, [])
}

/**
 * The module at `url`, run once, as the browser's module map would: an import on a cycle back to a
 * module still running gets its namespace as it is so far (its exports are getters), as in ES modules.
 * `chain`: the modules whose imports led here. Not async: a bundle of 20,000 modules makes some
 * 250,000 imports, and most find a promise that is already there.
 */
function load(url: string, chain: readonly string[]): Promise<ModuleNamespace> {
  if (!inRegistry(url)) return native(url)
  const known = instances.get(url)
  return known ? namespaceOf(known, chain) : evaluate(url, chain)
}

/** A started module's namespace: once it has run, or now when the import is on a cycle back to it. */
const namespaceOf = (instance: Instance, chain: readonly string[]) =>
  instance.done || chain.includes(instance.url) ? instance.now : instance.ran

async function evaluate(url: string, chain: readonly string[]): Promise<ModuleNamespace> {
  // New to the page (a dynamic import, an import an edit added): it and what it imports, in one request.
  if (!factories.has(url)) await import(/* @vite-ignore */ `/@nexxo/bundle${url}`)
  // Another import may have started it meanwhile.
  const started = instances.get(url)
  if (started) return namespaceOf(started, chain)
  const factory = factories.get(url)
  if (!factory) throw new Error(`${url}: the dev server defined no module for it`)
  const exports = Object.create(null) as ModuleNamespace
  Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' })
  const inner = [...chain, url]
  const exportAll = (from: ModuleNamespace) => {
    for (const key of Object.keys(from)) {
      if (key !== 'default' && !(key in exports)) {
        Object.defineProperty(exports, key, { enumerable: true, get: () => from[key] })
      }
    }
  }
  // `url` is a root URL path (inRegistry): its full URL without a URL parser, which 20,000 modules feel.
  const meta = { url: location.origin + url }
  const instance = { url, exports, now: Promise.resolve(exports), done: false } as Instance
  instances.set(url, instance)
  instance.ran = factory(
    exports,
    meta,
    (dep) => load(dep, inner),
    // A computed specifier is relative to the module, as the browser would resolve it.
    (dep) => load(dep.startsWith('.') ? sameOrigin(new URL(dep, meta.url)) : dep, []),
    exportAll,
  ).then(() => {
    instance.done = true
    return exports
  })
  return instance.ran
}

/** Native modules by URL: `import()` of one the page has costs ~0.1 ms, and every component imports react. */
const natives = new Map<string, Promise<ModuleNamespace>>()
const native = (url: string): Promise<ModuleNamespace> => {
  let pending = natives.get(url)
  if (!pending) {
    pending = import(/* @vite-ignore */ url) as Promise<ModuleNamespace>
    natives.set(url, pending)
  }
  return pending
}

/** A new version of a module for a hot update: its factory alone (what it imports, the page has). */
async function importUpdate(url: string): Promise<ModuleNamespace> {
  if (!bundled) return (await import(/* @vite-ignore */ url)) as ModuleNamespace
  if (!factories.has(url)) await import(/* @vite-ignore */ `/@nexxo/module${url}`)
  return load(url, [])
}

/** One boundary's update: dispose the old module, import the new version, run the old accept callbacks. */
async function apply(update: HotUpdate): Promise<void> {
  const mod = modules.get(update.boundary)
  if (!mod) {
    reload(`${update.boundary} has no accept handler in this page`)
    return
  }
  const callbacks = mod.callbacks.filter((c) => c.deps.includes(update.acceptedVia))
  mod.dispose?.(mod.data)
  const fetched = await importUpdate(update.url)
  for (const { deps, fn } of callbacks) fn(deps.map((d) => (d === update.acceptedVia ? fetched : undefined)))
}

let updating = Promise.resolve()

function emit(event: string, data: unknown) {
  for (const fn of listeners.get(event) ?? []) fn(data)
}

function handle(message: ServerMessage) {
  switch (message.type) {
    case 'connected':
      log('connected')
      break
    case 'update':
      emit('vite:beforeUpdate', message)
      // Updates apply in the order they came, one batch at a time.
      updating = updating.then(async () => {
        try {
          for (const update of message.updates) await apply(update)
          hideOverlay()
          emit('vite:afterUpdate', message)
        } catch (e) {
          showOverlay({ message: `Hot update failed: ${e instanceof Error ? e.message : String(e)}` })
        }
      })
      break
    case 'full-reload':
      reload(message.reason)
      break
    case 'prune':
      for (const path of message.paths) {
        const mod = modules.get(path)
        mod?.prune?.(mod.data)
        modules.delete(path)
      }
      break
    case 'error':
      showOverlay(message.error)
      break
    case 'error-fixed':
      hideOverlay()
      break
  }
}

// --- the error overlay: text only (textContent), in a shadow root so that page styles stay out ---

const OVERLAY_TAG = 'nexxo-error-overlay'
/** The overlay shown, if any: every update hides it, and a query of a 10,000-component page costs a millisecond. */
let overlay: HTMLElement | undefined

function showOverlay(error: DevError) {
  hideOverlay()
  const host = document.createElement(OVERLAY_TAG)
  overlay = host
  const shadow = host.attachShadow({ mode: 'open' })
  const style = document.createElement('style')
  style.textContent =
    '.backdrop{position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.66);display:flex;align-items:flex-start;justify-content:center;padding-top:8vh}' +
    '.panel{max-width:80vw;background:#181818;color:#eee;border-top:6px solid #e5534b;border-radius:6px;padding:20px 24px;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;overflow:auto;max-height:80vh}' +
    '.message{color:#ff8a80;font-weight:bold}.file{color:#8ab4f8;margin:8px 0}.frame{background:#222;padding:10px;border-radius:4px}.tip{color:#999;margin-top:12px;font-size:12px}'
  const backdrop = document.createElement('div')
  backdrop.className = 'backdrop'
  const panel = document.createElement('div')
  panel.className = 'panel'
  const add = (className: string, text: string) => {
    const el = document.createElement('div')
    el.className = className
    el.textContent = text
    panel.appendChild(el)
  }
  add('message', error.message)
  if (error.file) add('file', `${error.file}${error.line ? `:${error.line}:${error.column ?? 1}` : ''}`)
  if (error.frame) add('frame', error.frame)
  add('tip', 'Fix the code and save: this overlay goes away by itself. Click outside it to close it.')
  backdrop.appendChild(panel)
  backdrop.addEventListener('click', (event) => {
    if (event.target === backdrop) hideOverlay()
  })
  shadow.append(style, backdrop)
  document.body.appendChild(host)
}

function hideOverlay() {
  overlay?.remove()
  overlay = undefined
}

window.addEventListener('error', (event) => {
  const error = event.error as Error | undefined
  showOverlay({ message: error?.stack ?? event.message, file: event.filename, line: event.lineno, column: event.colno })
})
window.addEventListener('unhandledrejection', (event) => {
  const reason = event.reason as Error | undefined
  showOverlay({ message: `Unhandled rejection: ${reason?.stack ?? String(reason)}` })
})

// --- React Fast Refresh: the page's preamble installs the runtime; updates are batched ---

interface RefreshRuntime {
  performReactRefresh(): unknown
  isLikelyComponentType(value: unknown): boolean
}

let refreshQueued = false

/** A module that registered components was re-run: refresh if it exports only components, else invalidate. */
export function refreshUpdate(hot: { invalidate(message?: string): void }, next: ModuleNamespace | undefined): void {
  const runtime = (window as unknown as { __nexxo_refresh?: RefreshRuntime }).__nexxo_refresh
  const names = next ? Object.keys(next) : []
  const boundary =
    runtime !== undefined && names.length > 0 && names.every((n) => runtime.isLikelyComponentType(next![n]))
  if (!boundary) {
    hot.invalidate('it exports more than React components')
    return
  }
  // One refresh per batch of updates, as soon as the batch is in: a timer would add its delay to
  // every edit.
  if (refreshQueued) return
  refreshQueued = true
  queueMicrotask(() => {
    void updating.then(() => {
      refreshQueued = false
      runtime.performReactRefresh()
    })
  })
}

// --- the socket ---

function connect() {
  const socket = new WebSocket(__NEXXO_SOCKET__)
  socket.addEventListener('message', (event) => handle(JSON.parse(String(event.data)) as ServerMessage))
  socket.addEventListener('close', () => {
    log('server connection lost; polling for its return')
    const poll = setInterval(async () => {
      try {
        await fetch('/', { method: 'HEAD', cache: 'no-store' })
        clearInterval(poll)
        location.reload()
      } catch {}
    }, 1000)
  })
}
connect()
