// For the build tests: every backend × engine pair, one bundler each for the whole test file
// (closed after it), and a way to run what they built.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after } from 'node:test'
import type { BackendName, EngineName } from '../types.js'
import type { Bundler } from './bundler.js'
import { createBundler } from './create.js'

export const combos: [BackendName, EngineName][] = [
  ['native', 'rolldown'],
  ['wasm', 'rolldown'],
  ['native', 'esbuild'],
  ['wasm', 'esbuild'],
]

const bundlers = new Map<string, Bundler>()
after(async () => {
  for (const b of bundlers.values()) await b.close()
})

/** The shared bundler of a pair, created on first use. */
export async function bundler(backend: BackendName, engine: EngineName): Promise<Bundler> {
  const key = `${backend}/${engine}`
  if (!bundlers.has(key)) bundlers.set(key, await createBundler({ backend, engine }))
  return bundlers.get(key)!
}

/** Runs a bundle in a fresh Node process (as an ES module unless told) and returns what it logged. */
export function run(code: string, type: 'module' | 'commonjs' = 'module'): string {
  const r = spawnSync(process.execPath, [`--input-type=${type}`, '-e', code], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.trim()
}

const repo = join(import.meta.dirname, '../../../..')
let projects = 0

/**
 * `files` written as a project inside the repository (under e2e/artifacts, removed after the test
 * file), so that packages and compilers resolve from the repository's node_modules.
 */
export function repoProject(label: string, files: Record<string, string>): string {
  const dir = join(repo, 'e2e/artifacts', `${label}-${process.pid}-${projects++}`)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Packages installed in the repository's node_modules as `node_modules/<name>/…` keys of a files map
 * (their scripts and manifests): an in-memory project with real dependencies.
 */
export function installedFiles(names: string[]): Record<string, string> {
  const modules = join(repo, 'node_modules')
  const files: Record<string, string> = {}
  const walk = (dir: string, key: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(join(dir, entry.name), `${key}/${entry.name}`)
      } else if (/\.(?:[cm]?js|json)$/.test(entry.name)) {
        files[`${key}/${entry.name}`] = readFileSync(join(dir, entry.name), 'utf8')
      }
    }
  }
  for (const name of names) walk(join(modules, name), `node_modules/${name}`)
  return files
}
