// The JS forms of non-code imports in dev, as Vite serves them: a file's URL, its text (`?raw`), a
// data URL (`?inline`) or a worker constructor (`?worker`). The file itself is still served as
// itself at its plain URL, for the <img> that uses the URL.

import { dataUrl, textOf } from '../app/assets.js'
import { NexxoError } from '../errors.js'

export function assetModule(path: string, query: URLSearchParams, bytes: Uint8Array): string {
  if (query.has('raw')) {
    const text = textOf(bytes)
    if (text === undefined) {
      throw NexxoError.single(
        'BINARY_RAW',
        `'${path.slice(1)}' is binary; '?raw' gives text only (import it without '?raw' for its URL).`,
        {
          file: path.slice(1),
        },
      )
    }
    return `export default ${JSON.stringify(text)}\n`
  }
  if (query.has('inline')) return `export default ${JSON.stringify(dataUrl(path, bytes))}\n`
  for (const [param, ctor] of [
    ['worker', 'Worker'],
    ['sharedworker', 'SharedWorker'],
  ] as const) {
    if (query.has(param)) {
      return `export default function WorkerWrapper(options) {
  return new ${ctor}(new URL(${JSON.stringify(path)}, import.meta.url), { type: 'module', name: options?.name })
}\n`
    }
  }
  return `export default ${JSON.stringify(path)}\n`
}
