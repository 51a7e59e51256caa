// What decides how a build on disk resolved its imports, beyond the files it read: the package.json
// of every package a module came from (its `exports`, `module`, `browser` fields), the project's own
// package.json, and the lockfile. Stamped with the build, so an install that changes any of them
// misses even when every module file stayed byte-identical.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Core } from '../core/core.js'

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb']

/** `…/node_modules/@scope/name/…` or `…/node_modules/name/…` -> that package's package.json. */
function packageJsonOf(file: string): string | undefined {
  const at = file.lastIndexOf('/node_modules/')
  if (at < 0) return undefined
  const rest = file.slice(at + '/node_modules/'.length).split('/')
  const depth = rest[0]?.startsWith('@') ? 2 : 1
  if (rest.length <= depth) return undefined
  return `${file.slice(0, at)}/node_modules/${rest.slice(0, depth).join('/')}/package.json`
}

/** Files to stamp besides `read`: existing package.json files and lockfiles that shaped resolution. */
export function resolutionInputs(root: string, read: string[]): string[] {
  const found = new Set<string>()
  const alreadyRead = new Set(read)
  for (const file of read) {
    const pkg = packageJsonOf(file.replace(/\\/g, '/'))
    if (pkg) found.add(pkg)
  }
  for (const name of ['package.json', ...LOCKFILES]) found.add(join(root, name))
  return [...found].filter((file) => !alreadyRead.has(file) && existsSync(file))
}

/**
 * The core's stamp record of a disk build: every file it read and what shaped its resolution, with
 * paths relative to `root`. The build cache and the dev server's kept pre-bundle both check it
 * with `core.inputsUnchanged(record, root)`.
 */
export function stampBuildInputs(core: Core, root: string, read: string[], prior?: string): Promise<string> {
  return core.stampInputs([...read, ...resolutionInputs(root, read)], prior, root)
}
