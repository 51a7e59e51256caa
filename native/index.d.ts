// The addon's exports: every function answers JSON text from nexxo-core's `api` module.
export declare function version(): string
export declare function limitMallocArenas(max: number): boolean
export declare function hash(bytes: Uint8Array): string
export declare function scan(code: string, lang: string): string
export declare function cacheKey(input: string): string
export declare function moduleId(input: string): string
export declare function relativeCandidates(input: string): string
export declare function projectFromFiles(input: string): string
export declare function scanProject(root: string, entries: string[]): Promise<string>
export declare class Graph {
  constructor()
  call(op: string, args: string): string
}
