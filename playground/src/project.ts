// The project a playground edits, its default, and its round trip through the URL hash
// (`#p=` + base64url of deflate-raw JSON), so that a link carries the whole project.

import { type Framework, isFramework, starters } from './starters'

export interface BuildSettings {
  engine: 'auto' | 'esbuild' | 'rolldown'
  format: 'esm' | 'iife' | 'cjs'
  target: string
  minify: boolean
}

export interface Project {
  framework: Framework
  files: Record<string, string>
  entry: string
  active: string
  settings: BuildSettings
}

const DEFAULT_SETTINGS: BuildSettings = { engine: 'auto', format: 'esm', target: '', minify: false }

/** The starter of `framework`, built with `settings` (the picker keeps what was chosen). */
export const starterProject = (framework: Framework, settings: BuildSettings = DEFAULT_SETTINGS): Project => ({
  framework,
  ...starters[framework](),
  settings: { ...settings },
})

export const defaultProject = (): Project => starterProject('react')

/** A shared link must not make the page inflate gigabytes. */
const MAX_SHARED_BYTES = 4 * 1024 * 1024

const toBase64Url = (bytes: Uint8Array) => {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
const fromBase64Url = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))

async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream, max = Infinity) {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(transform).getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    length += value.length
    if (length > max) {
      await reader.cancel()
      throw new Error(`the shared project is over ${max} bytes`)
    }
    chunks.push(value)
  }
  return new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer())
}

export async function encodeProject(project: Project): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(project))
  return `p=${toBase64Url(await pipe(json, new CompressionStream('deflate-raw')))}`
}

/** The project in a `#p=…` hash, or an Error saying why it cannot be read. */
export async function decodeProject(hash: string): Promise<Project | Error | undefined> {
  const m = /^#?p=([\w-]+)$/.exec(hash)
  if (!m) return undefined
  try {
    const json = await pipe(fromBase64Url(m[1]!), new DecompressionStream('deflate-raw'), MAX_SHARED_BYTES)
    const value = JSON.parse(new TextDecoder().decode(json)) as Partial<Project>
    const files = value.files
    if (!files || typeof files !== 'object' || Object.values(files).some((v) => typeof v !== 'string')) {
      throw new Error('it has no files')
    }
    const base = defaultProject()
    const entry = typeof value.entry === 'string' && value.entry in files ? value.entry : Object.keys(files)[0]!
    const active = typeof value.active === 'string' && value.active in files ? value.active : entry
    // Links from before the framework picker hold React projects.
    const framework = isFramework(value.framework) ? value.framework : 'react'
    return { framework, files, entry, active, settings: { ...base.settings, ...value.settings } }
  } catch (e) {
    return new Error(`The link's project could not be read (${(e as Error).message}); showing the default one.`)
  }
}
