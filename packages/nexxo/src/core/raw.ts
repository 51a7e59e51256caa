// The surface both bindings expose, unchanged from crates/nexxo-core/src/api.rs: JSON text in and
// out. The wasm module and the Node-API addon each implement it in a few lines; everything typed
// lives once, in core.ts.

export interface RawGraph {
  call(op: string, args: string): string
  free(): void
}

export interface RawCore {
  readonly kind: 'native' | 'wasm'
  version(): string
  hash(bytes: Uint8Array): string
  scan(code: string, lang: string): string
  cacheKey(input: string): string
  moduleId(input: string): string
  relativeCandidates(input: string): string
  projectFromFiles(input: string): string
  newGraph(): RawGraph
  /** Native only: reads, hashes and scans a directory tree in parallel. */
  scanProject?(root: string, entries: string[]): Promise<string>
  /**
   * Native only: the scan errors (JSON) of the files reachable from `entries`, and with `stamp` a
   * stamp record of every file checked, taken as it was read; its directory listings leave out
   * the build's `outputs` (and their staging siblings), which the build itself writes.
   */
  checkProject?(
    root: string,
    entries: string[],
    stamp: boolean,
    outputs?: string[],
  ): Promise<{ failures: string; stamps?: string | null }>
  /** Native only: stamps (size, mtime, hash) of files and their directories' listings; those in `prior` are reused. */
  stampInputs?(paths: string[], prior?: string | null, root?: string | null): Promise<string>
  /** Native only: whether everything `stampInputs` recorded is unchanged. */
  inputsUnchanged?(inputs: string, root?: string | null): Promise<boolean>
}
