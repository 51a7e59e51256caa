// What an engine adapter receives and returns. Adapters translate these to one bundler's options;
// they never decide policy (defaults, validation, caching live in build/).

/**
 * Whether an output has a source map, without reading it: an engine's lazy output defines `map`
 * only when there is one (reading it would make the map a JS string).
 */
export const hasMap = (o: OutputFile): boolean => 'map' in o

export interface OutputFile {
  fileName: string
  type: 'chunk' | 'asset'
  code: string | Uint8Array
  /** Source map JSON, for chunks built with `sourcemap`. */
  map?: string
  isEntry?: boolean
  /** Entry chunks: the module the chunk was built for. */
  facadeModuleId?: string
  /** Chunks: the file names of the chunks it imports statically (a page preloads them). */
  imports?: string[]
  /** Emitted assets: the file (or entry, for a page's stylesheet) they came from. */
  originalFileName?: string
}

/** An in-memory project as the engines see it: ids are `/` + the files-map key. */
export interface MemoryFiles {
  read(id: string): string | undefined
  /** Whether the file is bytes (its `read` is a stand-in): only an asset loader can take it. */
  isBinary(id: string): boolean
  /** The resolved id, or null when the import cannot be resolved (the caller has reported it). */
  resolve(specifier: string, importer: string): string | null
}

/** Output options, already normalized (build/options.ts). */
export interface OutputOptions {
  format: 'esm' | 'cjs' | 'iife'
  /** esm only: chunks for dynamic imports; false inlines them into their importer's chunk. */
  splitting: boolean
  minify: boolean
  sourcemap: boolean
  target?: string
  define: Record<string, string>
  external: string[]
  entryFileNames: string
  chunkFileNames: string
  assetFileNames: string
}

/** A rewrite of script modules before the engine parses them (engines/swc.ts: decorators). */
export interface SourceTransform {
  /**
   * Ids and code worth asking about, checked by the engine before it calls into JS; simple enough
   * for rolldown to run natively. `apply` may still decline with undefined.
   */
  readonly id: RegExp
  readonly code: RegExp
  /** JavaScript (types stripped, JSX compiled) with its source map, or undefined to leave it. */
  apply(code: string, id: string): Promise<{ code: string; map?: string } | undefined>
}

export interface EngineInput extends OutputOptions {
  entries: string[]
  cwd: string
  files?: MemoryFiles
  sourceTransform?: SourceTransform
  /** Reads a file of a disk build, for engines that hand `sourceTransform` the source themselves. */
  readSource?: (path: string) => string | undefined
  /**
   * Rollup-compatible plugins (the app pipeline's and the user's). Rolldown takes them as they
   * are; esbuild gets the user's module hooks run by an adapter (engines/esbuild-plugins.ts).
   */
  plugins?: unknown[]
  /** `resolve.alias`: import prefixes replaced before resolution. */
  alias?: Record<string, string>
  /** Export conditions matched besides the browser's defaults. */
  conditions?: string[]
  /** JSX compiled this way whatever tsconfig says (its `jsx: preserve` would leave JSX in the output). */
  jsx?: { runtime: 'automatic'; importSource: string }
  /** Milliseconds one plugin hook may take (engines that run the hooks themselves: esbuild). */
  pluginTimeout?: number
  /** Warnings the plugins raise (`this.warn`). */
  onWarning?: (warning: { message: string; id?: string }) => void
  /** Ids the plugins compiled that render no code of their own (CSS modules), for the module count. */
  extraModuleIds?: () => Iterable<string>
  /**
   * Disk builds: an empty directory to write the outputs into. An engine that can write them itself
   * (rolldown, natively) does, and says so with `written`: their code then crosses into JS only when
   * something reads it. Others ignore it.
   */
  writeTo?: string
  /**
   * Called once the engine's work runs on threads of its own, leaving the main thread idle: the
   * caller's main-thread work that can wait for the outputs belongs there. An engine with no such
   * moment never calls it.
   */
  onBusy?: () => void
}

export interface EngineOutput {
  outputs: OutputFile[]
  /** The modules whose code reached the output (rolldown) or that the engine loaded (esbuild). */
  moduleIds: string[]
  /** Absolute paths of every file the engine read (for the whole-build cache on disk). */
  watchFiles: string[]
  /** The outputs (and their source maps) are in `writeTo` already. */
  written?: boolean
}

export interface Engine {
  readonly name: 'rolldown' | 'esbuild'
  /** The npm package that does the work, e.g. `@rolldown/browser`. */
  readonly packageName: string
  readonly version: string
  /**
   * The longest import chain this engine is trusted with. Engines walk the module graph
   * recursively and overflow their stack beyond some depth (see build/backend.ts for the numbers).
   */
  readonly maxImportDepth: number
  build(input: EngineInput): Promise<EngineOutput>
  /**
   * Starts loading the engine's module, if it loads lazily, so that the load overlaps whatever the
   * caller does before `build` (the pre-build check); a failure surfaces at `build`.
   */
  preload?(): void
  close?(): Promise<void>
}

export const loaderForPath = (id: string): 'js' | 'jsx' | 'ts' | 'tsx' | 'css' | 'json' | 'text' => {
  // An id's query (`?raw`, `?worker`) is the plugins' business; the file's extension decides here.
  const path = id.replace(/\?.*$/, '')
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase()
  switch (ext) {
    case 'ts':
    case 'mts':
    case 'cts':
      return 'ts'
    case 'tsx':
      return 'tsx'
    case 'jsx':
      return 'jsx'
    case 'js':
    case 'mjs':
    case 'cjs':
      return 'js'
    case 'css':
    case 'json':
      return ext
    default:
      return 'text'
  }
}
