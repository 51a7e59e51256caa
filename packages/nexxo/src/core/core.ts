// The typed face of the Rust core, written once over either binding (`RawCore`).

import type { RawCore, RawGraph } from './raw.js'

export type Lang = 'js' | 'jsx' | 'ts' | 'tsx' | 'css'

export interface ImportRecord {
  specifier: string
  kind: 'static' | 'dynamic' | 'reexport' | 'require' | 'css-import' | 'css-url' | 'jsx-runtime'
  /** UTF-8 byte offsets of the specifier text (see offsets.ts to convert). */
  start: number
  end: number
  typeOnly: boolean
}

export interface HotInfo {
  usesHot: boolean
  selfAccepting: boolean
  acceptedDeps: string[]
  declined: boolean
}

export interface ScanResult {
  imports: ImportRecord[]
  hot: HotInfo
}

export interface ProjectModule {
  id: string
  hash: string
  size: number
  imports: {
    specifier: string
    kind: ImportRecord['kind']
    typeOnly: boolean
    resolved: string | null
    /** UTF-8 byte offset of the specifier. */
    start: number
  }[]
  deps: string[]
  hot: HotInfo | null
  /** Reached from the entries over runtime imports (every module, when no entries were given). */
  reachable: boolean
}

export interface ScanFailure {
  id: string
  code: 'UNTERMINATED' | 'NOT_UTF8' | 'TOO_DEEP'
  message: string
  /** UTF-8 byte offset. */
  offset: number
}

export interface Project {
  modules: ProjectModule[]
  /** Files the scanner could not read: `offset` is a UTF-8 byte offset. */
  errors: ScanFailure[]
  externals: string[]
  cycles: string[][]
  order: string[]
  /** How deep the evaluation walk goes from the entries: a chain of n modules is n deep. */
  depth: number
  graphHash: string
}

export interface ScanOptions {
  langs?: Record<string, string>
  jsxImportSource?: string
}

export interface ModuleInfo {
  id: string
  hash?: string
  deps?: string[]
  dynamicDeps?: string[]
  selfAccepting?: boolean
  acceptedDeps?: string[]
  isEntry?: boolean
}

export type HmrPlan =
  | { type: 'noop' }
  | { type: 'update'; boundaries: { boundary: string; acceptedVia: string }[]; invalidated: string[] }
  | { type: 'full-reload'; reason: string; module: string }

/** An error the core returned as data. */
export class CoreError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'CoreError'
  }
}

function unwrap<T>(answer: string): T {
  const parsed = JSON.parse(answer) as { ok: T } | { error: { message: string; offset?: number; code?: string } }
  if ('error' in parsed) throw new CoreError(parsed.error.message, parsed.error.offset, parsed.error.code)
  return parsed.ok
}

const encoder = new TextEncoder()

export class ModuleGraph {
  constructor(private readonly raw: RawGraph) {}
  private call<T>(op: string, args: object = {}): T {
    return unwrap<T>(this.raw.call(op, JSON.stringify(args)))
  }
  /** Adds or replaces a module; answers the modules its new imports left unimported, now out of the graph. */
  set(module: ModuleInfo): string[] {
    return this.call('set', module)
  }
  remove(id: string): boolean {
    return this.call('remove', { id })
  }
  importers(id: string): string[] {
    return this.call('importers', { id })
  }
  cycles(): string[][] {
    return this.call('cycles')
  }
  topoOrder(): string[] {
    return this.call('topoOrder')
  }
  graphHash(): string {
    return this.call('graphHash')
  }
  planHmr(changed: string[]): HmrPlan {
    return this.call('planHmr', { changed })
  }
  get size(): number {
    return this.call('size')
  }
  free(): void {
    this.raw.free()
  }
}

export class Core {
  constructor(readonly raw: RawCore) {}

  get kind(): 'native' | 'wasm' {
    return this.raw.kind
  }
  version(): string {
    return this.raw.version()
  }
  /** BLAKE3, 64 hex characters. Strings are hashed as UTF-8. */
  hash(content: string | Uint8Array): string {
    return this.raw.hash(typeof content === 'string' ? encoder.encode(content) : content)
  }
  scan(code: string, lang: Lang): ScanResult {
    return unwrap(this.raw.scan(code, lang))
  }
  cacheKey(input: { contentHash: string; engine: string; engineVersion: string; options: object }): string {
    return unwrap(this.raw.cacheKey(JSON.stringify(input)))
  }
  moduleId(root: string, path: string): string {
    return unwrap(this.raw.moduleId(JSON.stringify({ root, path })))
  }
  /**
   * The root-relative file ids `specifier` (relative, or root-absolute) may name from `importer`, in
   * the order the core's resolver tries them; null for a bare specifier or one that leaves the root.
   * For hosts that test files one by one (the dev server on disk) and must resolve as builds do.
   */
  relativeCandidates(importer: string, specifier: string): string[] | null {
    return unwrap(this.raw.relativeCandidates(JSON.stringify({ importer, specifier })))
  }
  /**
   * `langs`: files to scan as another language than their extension says (a plugin's output);
   * `jsxImportSource`: the JSX runtime's package where no pragma names one (tsconfig's).
   */
  projectFromFiles(files: Record<string, string>, entries: string[] = [], options: ScanOptions = {}): Project {
    return unwrap(this.raw.projectFromFiles(JSON.stringify({ files, entries, ...options })))
  }
  /** The same answer as `projectFromFiles` for a directory. Native: parallel in the addon. */
  async scanProject(root: string, entries: string[] = []): Promise<Project> {
    if (!this.raw.scanProject) throw new Error('scanProject needs the native backend; use projectFromFiles')
    return unwrap(`{"ok":${await this.raw.scanProject(root, entries)}}`)
  }
  /**
   * Native: scan errors of the files under `root` reachable from `entries` (a cheap pre-build
   * check); with `stamp`, also stamps of every file checked, taken before any engine reads them
   * (for `stampInputs`). Stamping costs a stat and a hash per file: ask only when a cache will store.
   * `outputs`: the build's output directories (absolute), which the stamped listings leave out.
   */
  async checkProject(
    root: string,
    entries: string[],
    { stamp = false, outputs = [] as string[] } = {},
  ): Promise<{ failures: ScanFailure[]; stamps?: string }> {
    if (!this.raw.checkProject) throw new Error('checkProject needs the native backend')
    const { failures, stamps } = await this.raw.checkProject(root, entries, stamp, outputs)
    return { failures: JSON.parse(failures) as ScanFailure[], ...(stamps ? { stamps } : {}) }
  }
  /**
   * Native: an opaque record of `paths` and their directories, for `inputsUnchanged`. Stamps found
   * in `prior` (a `checkProject` record) are reused: they were taken before the build read the files.
   * With `root`, paths under it are kept relative: the record then holds in another checkout.
   */
  async stampInputs(paths: string[], prior?: string, root?: string): Promise<string> {
    if (!this.raw.stampInputs) throw new Error('stampInputs needs the native backend')
    return this.raw.stampInputs(paths, prior ?? null, root ?? null)
  }
  /**
   * Native: whether the files and directories in a `stampInputs` record are as they were (its
   * relative paths taken as under `root`).
   */
  async inputsUnchanged(inputs: string, root?: string): Promise<boolean> {
    if (!this.raw.inputsUnchanged) throw new Error('inputsUnchanged needs the native backend')
    return this.raw.inputsUnchanged(inputs, root ?? null)
  }
  get canStampFiles(): boolean {
    return this.raw.stampInputs !== undefined
  }
  graph(): ModuleGraph {
    return new ModuleGraph(this.raw.newGraph())
  }
}
