// Source maps of the CSS a build emits. lightningcss maps each stylesheet it compiles; what the
// pipeline does afterwards (URL placeholders replaced by longer or shorter URLs, remote `@import`s
// put first, stylesheets joined per entry, the whole minified) is applied to those maps here, so
// a rule in `dist/assets/index-x.css` still points at its line in `src/App.css`.

import remapping from '@jridgewell/remapping'
import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec'

/** A map with its mappings decoded: what the pipeline edits, cheaper than re-parsing per step. */
export interface StyleMap {
  sources: string[]
  sourcesContent: (string | null)[]
  mappings: SourceMapMappings
}

interface RawMap {
  sources: (string | null)[]
  sourcesContent?: (string | null)[]
  mappings: string
}

const decoder = new TextDecoder()

export function parseMap(json: Uint8Array | string): StyleMap {
  const raw = JSON.parse(typeof json === 'string' ? json : decoder.decode(json)) as RawMap
  return {
    sources: raw.sources.map((s) => s ?? ''),
    sourcesContent: raw.sourcesContent ?? raw.sources.map(() => null),
    mappings: decode(raw.mappings),
  }
}

/**
 * `css` with each placeholder replaced by its value, and `map` (of `css`) moved to match: on a
 * line where a placeholder grew or shrank, the segments after it shift by the difference.
 */
export function replacePlaceholders(
  css: string,
  values: ReadonlyMap<string, string>,
  map: StyleMap | undefined,
): string {
  if (values.size === 0) return css
  const pattern = new RegExp([...values.keys()].map((k) => k.replace(/[^\w]/g, '\\$&')).join('|'), 'g')
  if (!map) return css.replace(pattern, (p) => values.get(p)!)
  const lines = css.split('\n')
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!
    const shifts: { at: number; by: number }[] = []
    const replaced = line.replace(pattern, (p, at: number) => {
      const value = values.get(p)!
      shifts.push({ at, by: value.length - p.length })
      return value
    })
    if (shifts.length === 0) continue
    lines[n] = replaced
    const segments = map.mappings[n]
    if (!segments) continue
    for (const segment of segments) {
      let by = 0
      for (const shift of shifts) if (segment[0] > shift.at) by += shift.by
      segment[0] += by
    }
  }
  return lines.join('\n')
}

/** The map of `lines` empty lines followed by the mapped text. */
export function prependLines(map: StyleMap, lines: number): void {
  for (let i = 0; i < lines; i++) map.mappings.unshift([])
}

/** The map of the parts joined with '\n', sources merged; a part without a map maps nowhere. */
export function concatMaps(parts: readonly { css: string; map?: StyleMap }[]): StyleMap {
  const out: StyleMap = { sources: [], sourcesContent: [], mappings: [] }
  const index = new Map<string, number>()
  for (const part of parts) {
    const lineCount = countLines(part.css)
    const start = out.mappings.length
    for (let i = 0; i < lineCount; i++) out.mappings.push([])
    if (!part.map) continue
    const remap = part.map.sources.map((source, i) => {
      let at = index.get(source)
      if (at === undefined) {
        at = out.sources.length
        index.set(source, at)
        out.sources.push(source)
        out.sourcesContent.push(part.map!.sourcesContent[i] ?? null)
      }
      return at
    })
    part.map.mappings.forEach((segments, line) => {
      if (line >= lineCount) return
      out.mappings[start + line] = segments.map((s) =>
        s.length === 1
          ? [s[0]]
          : s.length === 4
            ? [s[0], remap[s[1]]!, s[2], s[3]]
            : [s[0], remap[s[1]]!, s[2], s[3], s[4]],
      )
    })
  }
  return out
}

const countLines = (text: string) => {
  let lines = 1
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++
  return lines
}

/** `outer` (of a file made from the text `inner` maps) traced through `inner` to the original sources. */
export function chainMaps(outer: Uint8Array | string, innerFile: string, inner: StyleMap): StyleMap {
  const outerRaw = JSON.parse(typeof outer === 'string' ? outer : decoder.decode(outer)) as RawMap
  const innerRaw = { version: 3 as const, names: [], ...inner }
  const chained = remapping(
    outerRaw as Parameters<typeof remapping>[0],
    (file) => (file === innerFile ? innerRaw : null),
    { decodedMappings: true },
  )
  return {
    sources: chained.sources.map((s) => s ?? ''),
    sourcesContent: (chained.sourcesContent ?? chained.sources.map(() => null)) as (string | null)[],
    mappings: chained.mappings as SourceMapMappings,
  }
}

const serializable = (map: StyleMap) => ({
  sources: map.sources,
  sourcesContent: map.sourcesContent,
  mappings: encode(map.mappings),
  names: [] as string[],
})

/**
 * The map file's JSON for `fileName`, its sources relative to the map as rolldown writes them for
 * chunks: `../../src/App.css`. Sources are root-relative paths, or absolute for files outside the
 * root. Rolldown places the output in `<root>/dist` for that purpose whatever the real `outDir`
 * (it generates in memory), and so does this, so that a chunk's map and a stylesheet's agree.
 */
export function mapFile(map: StyleMap, fileName: string, root: string): string {
  const from = `${root}/dist/${fileName}`.split('/').slice(0, -1)
  return JSON.stringify({
    version: 3,
    file: fileName.slice(fileName.lastIndexOf('/') + 1),
    ...serializable({
      ...map,
      sources: map.sources.map((s) => relativePath(from, (s.startsWith('/') ? s : `${root}/${s}`).split('/'))),
    }),
  })
}

/** POSIX `relative` over split paths (both absolute from the same root). */
function relativePath(from: string[], to: string[]): string {
  let common = 0
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++
  return [...from.slice(common).map(() => '..'), ...to.slice(common)].join('/')
}
