// File reads for the dev server, where a file that vanished between a change and a request is an
// ordinary answer (a 404, a rebuild), not an exception.

import { readFileSync, statSync } from 'node:fs'

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
    return statSync(file).isFile()
  } catch {
    return false
  }
}
