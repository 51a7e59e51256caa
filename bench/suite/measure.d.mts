// Types of bench/suite/measure.mjs for the TypeScript bench scripts.
export declare function processTree(pid: number): number[]
export declare const treePeakRssMb: (pid: number) => number
export declare function measure(
  command: string[],
  options?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<{ ms: number; cpuS: number; rssMb: number; stdout: string }>
export declare function outputBytes(dir: string): Promise<{ raw: number; gzip: number }>
