// The Nexxo playground: edit a project, and every edit (debounced) is bundled in a Web Worker by
// nexxo/browser, then run in a sandboxed preview. Engine follows the page's isolation unless picked.

import { type BrowserBundler, type BuildResult, createBundler, type Diagnostic, type NexxoPlugin } from 'nexxo/browser'
import solid from 'nexxo/solid'
import svelte from 'nexxo/svelte'
import vue from 'nexxo/vue'
import { Editor } from './editor'
import { type PreviewMessage, previewDocument } from './preview'
import {
  type BuildSettings,
  decodeProject,
  defaultProject,
  encodeProject,
  type Project,
  starterProject,
} from './project'
import { type Framework, isFramework } from './starters'
import { afterPageSettles, gzipSize, nextTask } from './tasks'
import './style.css'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const statusEl = $<HTMLSpanElement>('status')
const previewEl = $<HTMLIFrameElement>('preview')
const errorsEl = $<HTMLDivElement>('errors')
const consoleEl = $<HTMLDivElement>('console')

const params = new URLSearchParams(location.search)
/** `?registry=` points bare imports at another npm-compatible registry (the tests use one on 127.0.0.1). */
const registry = params.get('registry') ?? undefined
const DEBOUNCE_MS = 300

/** What the e2e tests read: the last build, and the page's long tasks while builds ran. */
const state = {
  builds: 0,
  last: undefined as
    | undefined
    | { ok: boolean; engine: string; durationMs: number; hits: number; packages: string[]; codes: string[] },
  /** `[start, end]` of each build, and the page's long tasks (over 50 ms), on performance.now()'s clock. */
  buildWindows: [] as [number, number][],
  longTasks: [] as { start: number; duration: number }[],
  /** Long animation frames with the scripts that ran in them: what made a task long. */
  longFrames: [] as { start: number; duration: number; blocking: number; scripts: string[] }[],
  longFramesObserved: PerformanceObserver.supportedEntryTypes.includes('long-animation-frame'),
}
Object.assign(globalThis, { __playground: state })

let project: Project = defaultProject()
let bundler: Promise<BrowserBundler> | undefined
let run = 0

const editor = new Editor($('editor'), (path, text) => {
  project.files[path] = text
  scheduleBuild()
})

function setStatus(kind: string, text: string) {
  statusEl.dataset.state = kind
  statusEl.textContent = text
}

// ---- file tree ----
function renderFiles() {
  const list = $('file-list')
  list.replaceChildren()
  for (const path of Object.keys(project.files).sort()) {
    const li = document.createElement('li')
    const open = document.createElement('button')
    open.type = 'button'
    open.textContent = path
    open.className = path === project.active ? 'active' : ''
    open.title = path === project.entry ? 'entry' : ''
    if (path === project.entry) open.textContent += ' ★'
    open.onclick = () => openFile(path)
    li.append(open)
    if (path !== project.entry) {
      const remove = document.createElement('button')
      remove.type = 'button'
      remove.className = 'remove'
      remove.textContent = '×'
      remove.title = `delete ${path}`
      remove.onclick = () => {
        delete project.files[path]
        editor.forget(path)
        if (project.active === path) project.active = project.entry
        openFile(project.active)
        scheduleBuild()
      }
      li.append(remove)
    }
    list.append(li)
  }
}

function openFile(path: string) {
  project.active = path
  editor.open(path, project.files[path] ?? '')
  renderFiles()
}

$('add-file').onclick = () => {
  const name = prompt('New file (e.g. src/util.ts):')
    ?.trim()
    .replace(/^\.?\//, '')
  if (!name) return
  if (name.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    alert(`'${name}' is not a file path inside the project.`)
    return
  }
  project.files[name] ??= ''
  openFile(name)
}

// ---- framework ----
const frameworkEl = $<HTMLSelectElement>('framework')
/**
 * The plugins a framework's project is built with. nexxo/vue, nexxo/svelte and nexxo/solid run in
 * the build worker, with the compilers it ships: nothing of them runs on this page.
 */
const FRAMEWORK_PLUGINS: Partial<Record<Framework, () => NexxoPlugin>> = { vue, svelte, solid }
const frameworkPlugins = (framework: Framework): NexxoPlugin[] => {
  const plugin = FRAMEWORK_PLUGINS[framework]
  return plugin ? [plugin()] : []
}

frameworkEl.onchange = () => {
  if (!isFramework(frameworkEl.value)) return
  project = starterProject(frameworkEl.value, project.settings)
  editor.forgetAll()
  openFile(project.active)
  scheduleBuild(0)
}

// ---- settings ----
const engineEl = $<HTMLSelectElement>('engine')
const formatEl = $<HTMLSelectElement>('format')
const targetEl = $<HTMLSelectElement>('target')
const minifyEl = $<HTMLInputElement>('minify')

function showSettings(s: BuildSettings) {
  engineEl.value = s.engine
  formatEl.value = s.format
  targetEl.value = s.target
  minifyEl.checked = s.minify
}
function readSettings(): BuildSettings {
  return {
    engine: engineEl.value as BuildSettings['engine'],
    format: formatEl.value as BuildSettings['format'],
    target: targetEl.value,
    minify: minifyEl.checked,
  }
}
if (!crossOriginIsolated) {
  const option = engineEl.querySelector<HTMLOptionElement>('option[value=rolldown]')!
  option.disabled = true
  option.textContent += ' (needs a cross-origin isolated page)'
}
for (const el of [formatEl, targetEl, minifyEl]) {
  el.onchange = () => {
    project.settings = readSettings()
    scheduleBuild(0)
  }
}
engineEl.onchange = () => {
  project.settings = readSettings()
  const old = bundler
  bundler = undefined
  void old?.then((b) => b.close()).catch(() => {})
  scheduleBuild(0)
}

// ---- building ----
function getBundler(): Promise<BrowserBundler> {
  bundler ??= createBundler({
    engine: project.settings.engine,
    workerUrl: new URL('nexxo/nexxo-worker.js', location.href),
    cacheName: 'nexxo-playground',
    ...(registry ? { registry } : {}),
  })
  const current = bundler
  // A worker that failed to start is not kept: the next build tries again.
  current.catch(() => {
    if (bundler === current) bundler = undefined
  })
  return current
}

let timer: ReturnType<typeof setTimeout> | undefined
let building = false
let again = false

function scheduleBuild(delay = DEBOUNCE_MS) {
  clearTimeout(timer)
  timer = setTimeout(() => void build(), delay)
  void saveToHash()
}

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) state.longTasks.push({ start: entry.startTime, duration: entry.duration })
}).observe({ type: 'longtask', buffered: true })
interface FrameTiming extends PerformanceEntry {
  blockingDuration: number
  scripts: { invoker: string; sourceURL: string; sourceFunctionName: string; duration: number }[]
}
if (state.longFramesObserved) {
  new PerformanceObserver((list) => {
    for (const f of list.getEntries() as FrameTiming[]) {
      state.longFrames.push({
        start: f.startTime,
        duration: f.duration,
        blocking: f.blockingDuration,
        scripts: f.scripts.map(
          (s) => `${s.invoker} ${s.sourceFunctionName}@${s.sourceURL.split('/').pop()} ${Math.round(s.duration)}ms`,
        ),
      })
    }
  }).observe({ type: 'long-animation-frame', buffered: true })
}

async function build() {
  if (building) {
    again = true
    return
  }
  building = true
  const id = ++run
  setStatus('building', 'building…')
  const started = performance.now()
  const settings = project.settings
  let engine = ''
  try {
    const b = await getBundler()
    engine = b.engineVersion
    const result = await b.build({
      input: project.entry,
      files: { ...project.files },
      plugins: frameworkPlugins(project.framework),
      format: settings.format,
      minify: settings.minify,
      ...(settings.target ? { target: settings.target } : {}),
    })
    state.buildWindows.push([started, performance.now()])
    // The reply's task stays short: showing the result starts in a task of its own.
    await nextTask()
    await showResult(result, engine, id)
  } catch (e) {
    state.buildWindows.push([started, performance.now()])
    await nextTask()
    showErrors(e, engine)
  } finally {
    state.builds++
    statusEl.dataset.builds = String(state.builds)
    building = false
    if (again) {
      again = false
      void build()
    }
  }
}

const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} kB`)

async function showResult(result: BuildResult, engine: string, id: number) {
  const { stats } = result
  const packages = (stats.packages ?? []).map((p) => `${p.name}@${p.version}${p.cached ? ' (cached)' : ''}`)
  state.last = {
    ok: true,
    engine,
    durationMs: stats.durationMs,
    hits: stats.cache.hits,
    packages,
    codes: result.warnings.map((w) => w.code ?? ''),
  }
  errorsEl.hidden = true
  const cache = stats.cache.hits > 0 ? 'cache hit' : 'cache miss'
  const isolation = crossOriginIsolated ? 'cross-origin isolated' : 'not isolated'
  setStatus(
    'ok',
    `${engine} · ${Math.round(stats.durationMs)} ms · ${cache} · ${stats.modules} modules` +
      `${packages.length ? ` · ${packages.length} packages` : ''} · ${isolation}`,
  )
  statusEl.title = packages.join('\n')
  renderOutputs(result, id)
  await nextTask()
  consoleEl.replaceChildren()
  const doc = previewDocument(result, project.settings.format, id)
  if ('error' in doc) {
    logLine('note', doc.error)
    previewEl.srcdoc = ''
    return
  }
  if (doc.note) logLine('note', doc.note)
  for (const w of result.warnings) logLine('note', w.message)
  previewEl.srcdoc = doc.html
}

/** The outputs table; gzip sizes fill in afterwards, a slice per task, until a newer build shows. */
function renderOutputs(result: BuildResult, id: number) {
  const list = $('output-list')
  const code = $('output-code')
  const rows = result.outputs.map((o) => {
    const text = typeof o.code === 'string' ? o.code : new TextDecoder().decode(o.code)
    const size = typeof o.code === 'string' ? new TextEncoder().encode(o.code).length : o.code.length
    const tr = document.createElement('tr')
    const cells = [o.fileName, kb(size), '…'].map((cell) => {
      const td = document.createElement('td')
      td.textContent = cell
      tr.append(td)
      return td
    })
    const gzip = async () => {
      const n = await gzipSize(o.code, () => id === run)
      if (n !== undefined) cells[2]!.textContent = kb(n)
    }
    tr.onclick = () => show()
    const show = () => {
      for (const row of list.children) row.classList.remove('active')
      tr.classList.add('active')
      // Laying out a whole React bundle as text would stall the page for a frame or two.
      code.textContent = text.length > 60_000 ? `${text.slice(0, 60_000)}\n… (${kb(size)} in all)` : text
    }
    return { tr, show, gzip }
  })
  list.replaceChildren(...rows.map((r) => r.tr))
  rows[0]?.show()
  void (async () => {
    for (const row of rows) await row.gzip()
  })()
}

function showErrors(e: unknown, engine: string) {
  const diagnostics: Diagnostic[] = (e as { diagnostics?: Diagnostic[] }).diagnostics ?? [
    { message: e instanceof Error ? e.message : String(e) },
  ]
  const code = (e as { code?: string }).code ?? 'INTERNAL'
  state.last = {
    ok: false,
    engine,
    durationMs: 0,
    hits: 0,
    packages: [],
    codes: diagnostics.map((d) => d.code ?? code),
  }
  setStatus('error', `${engine ? `${engine} · ` : ''}build failed: ${diagnostics.length} error(s)`)
  errorsEl.replaceChildren()
  for (const d of diagnostics) {
    const item = document.createElement('button')
    item.type = 'button'
    item.className = 'diagnostic'
    const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}` : ''
    const head = document.createElement('div')
    head.textContent = `${where ? `${where}: ` : ''}${d.message}`
    item.append(head)
    if (d.frame) {
      const frame = document.createElement('pre')
      frame.textContent = d.frame
      item.append(frame)
    }
    if (d.file && d.file in project.files) {
      item.onclick = () => {
        openFile(d.file!)
        editor.jumpTo(d.line ?? 1, d.column ?? 1)
      }
    }
    errorsEl.append(item)
  }
  errorsEl.hidden = false
}

function logLine(kind: string, text: string) {
  const line = document.createElement('div')
  line.className = kind
  line.textContent = text
  consoleEl.append(line)
}

addEventListener('message', (e: MessageEvent<PreviewMessage>) => {
  const m = e.data
  if (e.source !== previewEl.contentWindow || m?.source !== 'nexxo-preview' || m.run !== run) return
  if (m.type === 'ready') previewEl.dataset.run = String(m.run)
  else logLine(m.type, m.text)
})

// ---- sharing ----
async function saveToHash() {
  history.replaceState(null, '', `${location.pathname}${location.search}#${await encodeProject(project)}`)
}
$('share').onclick = async () => {
  await saveToHash()
  await navigator.clipboard?.writeText(location.href).catch(() => {})
  setStatus(statusEl.dataset.state ?? 'ok', 'link copied: the whole project is in the URL')
}

async function start() {
  const shared = await decodeProject(location.hash)
  if (shared instanceof Error) logLine('error', shared.message)
  else if (shared) project = shared
  showSettings(project.settings)
  frameworkEl.value = project.framework
  openFile(project.active)
  // The page renders and the editor parses before the worker starts competing for the CPU.
  await afterPageSettles()
  scheduleBuild(0)
}
void start()
