// Types of bench/lib.mjs for the TypeScript bench scripts.
export declare const median: (xs: number[]) => number
export declare const percentile: (xs: number[], p: number) => number
export declare const shuffle: <T>(a: T[]) => T[]
export declare const load: () => number[]
export interface Machine {
  host: string
  cpu: string
  cores: number
  memoryGiB: number
  freeGiB: number
  node: string
  loadBefore: number[]
  loadAfter?: number[]
}
export declare function describeMachine(): Machine
