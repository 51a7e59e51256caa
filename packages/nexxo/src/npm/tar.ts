// npm tarballs (gzip + ustar, with pax and GNU long names) read in memory, for installing packages
// where there is no file system. Only regular files come out: links, devices, absolute names and
// names with `..` are skipped and listed, and bounds on size and entry count stop a tar bomb.

import { escapeReason } from '../build/files.js'
import { readBounded } from '../bytes.js'
import { NexxoError } from '../errors.js'

export interface TarLimits {
  /** Total bytes of file contents (default 64 MiB). */
  maxBytes: number
  /** Entries of any kind (default 20,000). */
  maxEntries: number
}

export interface UnpackedTarball {
  /** Package-relative paths (the tarball's first directory, `package/` for npm, removed) to contents. */
  files: Map<string, Uint8Array>
  skipped: { path: string; reason: string }[]
}

const BLOCK = 512
const DEFAULT_LIMITS: TarLimits = { maxBytes: 64 * 1024 * 1024, maxEntries: 20_000 }
const decoder = new TextDecoder()

const bad = (message: string) => NexxoError.single('BAD_TARBALL', message)

/**
 * Gunzips with the platform's DecompressionStream (browsers, workers, Node 18+, Deno, Bun, workerd),
 * stopping past `maxBytes` of output: a small gzip bomb must not fill the memory first.
 */
export async function gunzip(bytes: Uint8Array, maxBytes = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))
    return await readBounded(stream, maxBytes, () => bad(`The tarball unpacks to more than ${maxBytes} bytes.`))
  } catch (e) {
    if (e instanceof NexxoError) throw e
    throw bad(`The tarball is not valid gzip (${(e as Error).message}).`)
  }
}

function text(header: Uint8Array, start: number, length: number): string {
  const field = header.subarray(start, start + length)
  const end = field.indexOf(0)
  return decoder.decode(end === -1 ? field : field.subarray(0, end))
}

/** A numeric field: octal text, or GNU base-256 when the high bit of the first byte is set. */
function number(header: Uint8Array, start: number, length: number, what: string): number {
  const field = header.subarray(start, start + length)
  if (field[0]! & 0x80) {
    let n = field[0]! & 0x7f
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!
    if (!Number.isSafeInteger(n)) throw bad(`A tar header's ${what} is out of range.`)
    return n
  }
  const digits = text(header, start, length).trim()
  if (digits === '') return 0
  if (!/^[0-7]+$/.test(digits)) throw bad(`A tar header's ${what} is not a number: ${JSON.stringify(digits)}.`)
  return Number.parseInt(digits, 8)
}

function checksumOk(header: Uint8Array): boolean {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!
  return sum === number(header, 148, 8, 'checksum')
}

/** `path=` and friends from a pax extended header: `<length> <key>=<value>\n` records. */
function paxRecords(body: Uint8Array): Map<string, string> {
  const out = new Map<string, string>()
  let at = 0
  while (at < body.length) {
    const space = body.indexOf(0x20, at)
    const length = Number.parseInt(decoder.decode(body.subarray(at, space)), 10)
    if (space === -1 || !Number.isSafeInteger(length) || length <= 0 || at + length > body.length) {
      throw bad('A pax header record is malformed.')
    }
    const record = decoder.decode(body.subarray(space + 1, at + length - 1))
    const eq = record.indexOf('=')
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1))
    at += length
  }
  return out
}

/** The entries of an (uncompressed) tar archive. */
export function readTar(tar: Uint8Array, limits: Partial<TarLimits> = {}): UnpackedTarball {
  const { maxBytes, maxEntries } = { ...DEFAULT_LIMITS, ...limits }
  const files = new Map<string, Uint8Array>()
  const skipped: UnpackedTarball['skipped'] = []
  let entries = 0
  let total = 0
  let longName: string | undefined
  let pax: Map<string, string> | undefined
  let at = 0
  for (;;) {
    if (at + BLOCK > tar.length) throw bad('The tarball ends in the middle of a header (truncated).')
    const header = tar.subarray(at, at + BLOCK)
    // The archive ends with zero blocks.
    if (header.every((b) => b === 0)) break
    if (!checksumOk(header)) throw bad(`The tar header at byte ${at} fails its checksum (corrupt).`)
    if (++entries > maxEntries) throw bad(`The tarball has more than ${maxEntries} entries.`)
    const size = number(header, 124, 12, 'size')
    const type = String.fromCharCode(header[156]!)
    const bodyStart = at + BLOCK
    if (bodyStart + size > tar.length) throw bad('The tarball ends in the middle of a file (truncated).')
    const body = tar.subarray(bodyStart, bodyStart + size)
    at = bodyStart + Math.ceil(size / BLOCK) * BLOCK

    if (type === 'x' || type === 'g' || type === 'L') {
      if (size > 1024 * 1024) throw bad('A tar metadata header is over 1 MiB.')
      if (type === 'L') longName = text(body, 0, body.length)
      else if (type === 'x') pax = paxRecords(body)
      continue
    }
    const prefix = text(header, 345, 155)
    const name = pax?.get('path') ?? longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100))
    longName = undefined
    pax = undefined

    const unsafe = escapeReason(name)
    if (unsafe) {
      skipped.push({ path: name, reason: `name ${unsafe}` })
      continue
    }
    if (type !== '0' && type !== '\0' && type !== '7') {
      if (type !== '5')
        skipped.push({ path: name, reason: type === '1' || type === '2' ? 'is a link' : `is of type '${type}'` })
      continue
    }
    total += size
    if (total > maxBytes) throw bad(`The tarball unpacks to more than ${maxBytes} bytes.`)
    // npm puts everything under one top directory (`package/`, sometimes another name): drop it.
    const clean = name.replace(/^(\.\/)+/, '')
    const slash = clean.indexOf('/')
    const path = slash === -1 ? clean : clean.slice(slash + 1)
    if (path === '' || path.endsWith('/')) continue
    files.set(path, body.slice())
  }
  return { files, skipped }
}

/** An npm `.tgz` as files: gunzip, then `readTar`. */
export async function unpackTarball(tgz: Uint8Array, limits: Partial<TarLimits> = {}): Promise<UnpackedTarball> {
  const { maxBytes, maxEntries } = { ...DEFAULT_LIMITS, ...limits }
  // Room for the contents plus headers and padding (at most two blocks an entry) and the end blocks.
  return readTar(await gunzip(tgz, maxBytes + (maxEntries + 2) * 2 * BLOCK), limits)
}
