// File reads for the dev server, where a file that vanished between a change and a request is an
// ordinary answer (a 404, a rebuild), not an exception.

import { readFileSync, statSync } from 'node:fs'
import { sep } from 'node:path'
import { fileFor, type Refusal, type ServedDirs } from '../serve/access.js'

/** The file's bytes, or undefined if it cannot be read. */
export function readBytes(file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

/** Whether `file` is a regular file now (following links). */
export function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false
  } catch {
    return false
  }
}

/**
 * What the dev server learnt of the tree it watches: which paths are files, and directories' real
 * paths (for `fileFor`). A bundle of 20,000 modules asks each several times; the watcher's every
 * added or removed file `forget`s it all, so no answer outlives a change it could depend on.
 */
export class TreeFacts {
  private files = new Map<string, boolean>()
  private dirs = new Map<string, boolean>()
  private answers = new Map<string, { file: string } | Refusal>()
  readonly realDirs = new Map<string, string>()

  /** `root`: the tree watched; what lies outside it is asked afresh every time. */
  constructor(private readonly root: string) {}

  isFile(file: string): boolean {
    if (!file.startsWith(this.root + sep)) return isFile(file)
    let known = this.files.get(file)
    if (known === undefined) {
      known = isFile(file)
      this.files.set(file, known)
    }
    return known
  }

  /** `fileFor`'s answer for a URL path: the checks are the same, made once until the tree changes. */
  fileFor(urlPath: string, served: ServedDirs): { file: string } | Refusal {
    let known = this.answers.get(urlPath)
    if (known === undefined) {
      known = fileFor(urlPath, served, this.realDirs)
      this.answers.set(urlPath, known)
    }
    return known
  }

  isDirectory(dir: string): boolean {
    let known = this.dirs.get(dir)
    if (known === undefined) {
      known = statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false
      this.dirs.set(dir, known)
    }
    return known
  }

  forget(): void {
    this.answers.clear()
    this.dirs.clear()
    this.files.clear()
    this.realDirs.clear()
  }
}
