// The whole-build cache: one entry per (inputs, engine, options). A hit returns the outputs without
// running the engine. In-memory projects are keyed by the hash of every file; projects on disk are
// keyed by their root and entries and store stamps of every file the engine read (and of those
// files' directories), which must all be unchanged for a hit.

import type { Core } from '../core/core.js'
import type { Engine, OutputFile } from '../engines/types.js'
import { payloadBuffer } from './envelope.js'
import type { Cache } from './store.js'

export interface CachedBuild {
  /** Disk builds: the `stampInputs` record that must still hold. */
  inputs?: string
  modules: number
  outputs: OutputFile[]
}

/** Bytes known by their length, copied in where the entry wants them (a file written by the engine). */
export interface ByteSource {
  length: number
  copyTo(target: Uint8Array): Promise<void>
}

/** An output's bytes as stored: its code (UTF-8 for text) and, for chunks with one, its map. */
export interface OutputBytes {
  code: Uint8Array | ByteSource
  /** The code was a string (chunks, text assets), not bytes. */
  text: boolean
  map?: Uint8Array | ByteSource
}

/** An output as the entry's header holds it: what it is, and where its bytes sit in the payload. */
interface StoredOutput extends Omit<OutputFile, 'code' | 'map'> {
  /** [offset, length] of the code in the payload. */
  code: [number, number]
  text: boolean
  map?: [number, number]
  /** The fields held relative to the build's root (see `encodeBuild`). */
  inRoot?: PathField[]
}

/** The fields of an output that name a file of the project. */
const PATH_FIELDS = ['facadeModuleId', 'originalFileName'] as const
type PathField = (typeof PATH_FIELDS)[number]

/** `id` relative to `root` when it is under it (either separator), else undefined. */
function underRoot(id: string, root: string): string | undefined {
  const sep = id[root.length]
  return id.startsWith(root) && (sep === '/' || sep === '\\') ? id.slice(root.length + 1) : undefined
}

/**
 * The stored entry's shape, in every key: an entry written before a field was added (chunks'
 * `imports` for modulepreload, 2) or in another framing (JSON, 2; a binary payload, 3) is a miss,
 * never an output without it.
 */
const ENTRY_FORMAT = 3

export function buildCacheKey(
  core: Core,
  contentHash: string,
  engine: Pick<Engine, 'name' | 'version'>,
  options: object,
): string {
  // The engine's name, not its package: rolldown and @rolldown/browser (esbuild and esbuild-wasm) at
  // one version write the same bytes, so native and wasm backends share entries.
  return `build:v${ENTRY_FORMAT}:${core.cacheKey({ contentHash, engine: engine.name, engineVersion: engine.version, options })}`
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** What an output is, without its code or map: read field by field, so a lazy output's code stays unread. */
export function outputMeta(o: OutputFile): Omit<OutputFile, 'code' | 'map'> {
  return {
    fileName: o.fileName,
    type: o.type,
    ...(o.isEntry !== undefined ? { isEntry: o.isEntry } : {}),
    ...(o.facadeModuleId !== undefined ? { facadeModuleId: o.facadeModuleId } : {}),
    ...(o.imports !== undefined ? { imports: o.imports } : {}),
    ...(o.originalFileName !== undefined ? { originalFileName: o.originalFileName } : {}),
  }
}

export const outputBytes = (o: OutputFile): OutputBytes => ({
  code: typeof o.code === 'string' ? encoder.encode(o.code) : o.code,
  text: typeof o.code === 'string',
  ...(o.map !== undefined ? { map: encoder.encode(o.map) } : {}),
})

/**
 * An entry as bytes: a 4-byte length, a JSON header (what each output is, where its bytes are),
 * then every output's code and map as they are. No escaping or base64 of a large source map, and
 * one buffer, with room for the cache's envelope: files the engine wrote are read straight into
 * it. `bytes` gives each output's bytes; by default they are encoded from the outputs. A disk
 * build's entry modules are stored relative to its `root`, as its stamps are: the entry then holds
 * in another checkout of the project (a remote cache's hit on another machine).
 */
export async function encodeBuild(
  build: CachedBuild,
  bytes: OutputBytes[] = build.outputs.map(outputBytes),
  root?: string,
): Promise<Uint8Array> {
  let offset = 0
  const place = (b: Uint8Array | ByteSource): [number, number] => {
    const at: [number, number] = [offset, b.length]
    offset += b.length
    return at
  }
  const outputs: StoredOutput[] = build.outputs.map((o, i) => {
    const { code, text, map } = bytes[i]!
    const meta = outputMeta(o)
    const inRoot: PathField[] = []
    for (const field of root === undefined ? [] : PATH_FIELDS) {
      const relative = meta[field] === undefined ? undefined : underRoot(meta[field], root!)
      if (relative === undefined) continue
      meta[field] = relative
      inRoot.push(field)
    }
    return {
      ...meta,
      code: place(code),
      text,
      ...(map ? { map: place(map) } : {}),
      ...(inRoot.length > 0 ? { inRoot } : {}),
    }
  })
  // The stamp record is NUL-separated text that JSON would escape six bytes a NUL: it goes with the bytes.
  const inputs = build.inputs !== undefined ? encoder.encode(build.inputs) : undefined
  const inputsAt = inputs && place(inputs)
  const header = encoder.encode(
    JSON.stringify({ ...(inputsAt ? { inputs: inputsAt } : {}), modules: build.modules, outputs }),
  )
  const out = payloadBuffer(4 + header.length + offset)
  new DataView(out.buffer, out.byteOffset).setUint32(0, header.length)
  out.set(header, 4)
  const fills: Promise<void>[] = []
  const put = (b: Uint8Array | ByteSource, [at, length]: [number, number]) => {
    const target = out.subarray(4 + header.length + at, 4 + header.length + at + length)
    if (b instanceof Uint8Array) target.set(b)
    else fills.push(b.copyTo(target))
  }
  outputs.forEach((o, i) => {
    const { code, map } = bytes[i]!
    put(code, o.code)
    if (map && o.map) put(map, o.map)
  })
  if (inputs && inputsAt) put(inputs, inputsAt)
  await Promise.all(fills)
  return out
}

/**
 * The stored build, or undefined if the bytes are not one (a hash-valid entry of another shape).
 * `root`: where a disk build's root-relative entry modules are now.
 */
export function decodeBuild(bytes: Uint8Array, root?: string): CachedBuild | undefined {
  try {
    if (bytes.length < 4) return undefined
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0)
    const payload = bytes.subarray(4 + headerLength)
    const stored = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headerLength))) as {
      inputs?: [number, number]
      modules: number
      outputs: StoredOutput[]
    }
    if (!Array.isArray(stored.outputs) || typeof stored.modules !== 'number') return undefined
    const slice = ([at, length]: [number, number]) => {
      if (!(at >= 0 && length >= 0 && at + length <= payload.length)) throw new Error('out of bounds')
      return payload.subarray(at, at + length)
    }
    const outputs = stored.outputs.map(({ code, text, map, inRoot, ...meta }): OutputFile => {
      const body = slice(code)
      for (const field of inRoot ?? []) {
        if (root === undefined || !PATH_FIELDS.includes(field)) throw new Error('not a path under a root')
        meta[field] = `${root}/${meta[field]}`
      }
      return {
        ...meta,
        // Bytes of their own, not views of the whole entry, which would otherwise stay alive with them.
        code: text ? decoder.decode(body) : body.slice(),
        ...(map ? { map: decoder.decode(slice(map)) } : {}),
      }
    })
    const inputs = stored.inputs ? decoder.decode(slice(stored.inputs)) : undefined
    return { ...(inputs !== undefined ? { inputs } : {}), modules: stored.modules, outputs }
  } catch {
    return undefined
  }
}

/**
 * A cached build that still holds: its entry exists and, for disk builds (under `root`), its inputs
 * are unchanged.
 */
export async function lookupBuild(
  cache: Cache,
  core: Core,
  key: string,
  root?: string,
): Promise<CachedBuild | undefined> {
  const bytes = await cache.get(key)
  const build = bytes && decodeBuild(bytes, root)
  if (!build) return undefined
  if (build.inputs !== undefined && !(await core.inputsUnchanged(build.inputs, root))) return undefined
  return build
}
