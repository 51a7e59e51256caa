// The core as a Node-API addon (native/), for Node and Bun.

import { createRequire } from 'node:module'
import type { RawCore } from './raw.js'

interface Addon {
  version(): string
  hash(bytes: Uint8Array): string
  scan(code: string, lang: string): string
  cacheKey(input: string): string
  moduleId(input: string): string
  projectFromFiles(input: string): string
  scanProject(root: string, entries: string[]): Promise<string>
  checkProject(root: string, entries: string[]): Promise<string>
  Graph: new () => { call(op: string, args: string): string }
}

export function loadNativeCore(): RawCore {
  const addon = createRequire(import.meta.url)('@nexxo/native') as Addon
  return {
    kind: 'native',
    version: () => addon.version(),
    hash: (bytes) => addon.hash(bytes),
    scan: (code, lang) => addon.scan(code, lang),
    cacheKey: (input) => addon.cacheKey(input),
    moduleId: (input) => addon.moduleId(input),
    projectFromFiles: (input) => addon.projectFromFiles(input),
    scanProject: (root, entries) => addon.scanProject(root, entries),
    checkProject: (root, entries) => addon.checkProject(root, entries),
    newGraph() {
      const graph = new addon.Graph()
      // The addon's graph is garbage-collected with its JS object.
      return { call: (op, args) => graph.call(op, args), free() {} }
    },
  }
}
