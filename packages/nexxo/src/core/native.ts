// The core as a Node-API addon (native/), for Node and Bun. The addon's functions already have the
// RawCore shapes; only its graph class needs wrapping.

import { createRequire } from 'node:module'
import type { RawCore } from './raw.js'

interface Addon extends Required<Omit<RawCore, 'kind' | 'newGraph'>> {
  Graph: new () => { call(op: string, args: string): string }
  limitMallocArenas(max: number): boolean
  returnFreedMemory(bytes: number): boolean
}

const loadAddon = () => createRequire(import.meta.url)('@nexxo/native') as Addon

export function loadNativeCore(): RawCore {
  const addon = loadAddon()
  const { version, hash, scan, cacheKey, moduleId, relativeCandidates, projectFromFiles, scanProject, checkProject } =
    addon
  const { stampInputs, inputsUnchanged } = addon
  return {
    kind: 'native',
    version,
    hash,
    scan,
    cacheKey,
    moduleId,
    relativeCandidates,
    projectFromFiles,
    scanProject,
    checkProject,
    stampInputs,
    inputsUnchanged,
    newGraph() {
      const graph = new addon.Graph()
      // The addon's graph is garbage-collected with its JS object.
      return { call: (op, args) => graph.call(op, args), free() {} }
    },
  }
}

/**
 * Caps glibc's malloc arenas for the rest of this process (see the addon's `limit_malloc_arenas`).
 * For processes nexxo owns, such as `nexxo dev`; false where the addon or glibc is not there.
 */
export function limitMallocArenas(max: number): boolean {
  try {
    return loadAddon().limitMallocArenas(max)
  } catch {
    return false
  }
}

/**
 * Fixes glibc's mmap and trim thresholds at `bytes` for the rest of this process (see the addon's
 * `return_freed_memory`). For processes nexxo owns; false where the addon or glibc is not there.
 */
export function returnFreedMemory(bytes: number): boolean {
  try {
    return loadAddon().returnFreedMemory(bytes)
  } catch {
    return false
  }
}
