// Web workers, as Vite has them: a `new Worker(new URL(<relative path>, import.meta.url), ...)`
// (and `SharedWorker`) and `import W from './w.ts?worker'` (`?sharedworker`) bundle the worker as an
// entry chunk of its own and point at it. Workers are ES modules: they may share chunks with the
// page, so they must be created with `{ type: 'module' }` (Vite's default format, iife, is not
// offered: a classic worker built here would fail at its first `import`).

import type { Plugin } from 'rolldown'
import { literalUrlMatches } from './assets.js'

/** Matched on stripped code (see literalUrlMatches): group 2 is the quoted literal. */
const WORKER_URL =
  /\bnew\s+(Worker|SharedWorker)\(\s*new\s+URL\(\s*('[^']+'|"[^"]+"|`[^`]+`)\s*,\s*import\.meta\.url\s*\)/dg
const WORKER_QUERY = /\?(worker|sharedworker)$/

export function workersPlugin(): Plugin {
  return {
    name: 'nexxo:workers',
    load: {
      filter: { id: WORKER_QUERY },
      handler(id) {
        const m = WORKER_QUERY.exec(id)!
        const ref = this.emitFile({ type: 'chunk', id: id.slice(0, m.index) })
        const ctor = m[1] === 'worker' ? 'Worker' : 'SharedWorker'
        return {
          code: `export default function WorkerWrapper(options) {
  return new ${ctor}(new URL(import.meta.ROLLUP_FILE_URL_${ref}), { type: 'module', name: options?.name })
}`,
          moduleType: 'js',
        }
      },
    },
    resolveId: {
      filter: { id: WORKER_QUERY },
      async handler(source, importer, extra) {
        const m = WORKER_QUERY.exec(source)!
        const resolved = await this.resolve(source.slice(0, m.index), importer, { ...extra, skipSelf: true })
        return resolved && !resolved.external ? `${resolved.id}?${m[1]}` : resolved
      },
    },
    transform: {
      filter: { code: /new\s+(?:Shared)?Worker\(\s*new\s+URL\(/ },
      async handler(code, id) {
        const replacements: [number, number, string][] = []
        for (const m of await literalUrlMatches(code, WORKER_URL, 2, false)) {
          const ctor = m.match[1]!
          const resolved = await this.resolve(m.url, id)
          if (!resolved || resolved.external) {
            // Left as is, as Vite does: the file may be served by something else.
            this.warn(`new ${ctor}(new URL('${m.url}', import.meta.url)) in ${id}: no such file; left as is.`)
            continue
          }
          const ref = this.emitFile({ type: 'chunk', id: resolved.id })
          replacements.push([m.start, m.end, `new ${ctor}(new URL(import.meta.ROLLUP_FILE_URL_${ref})`])
        }
        if (replacements.length === 0) return null
        let out = code
        for (const [start, end, text] of replacements.reverse()) out = out.slice(0, start) + text + out.slice(end)
        return { code: out }
      },
    },
  }
}
