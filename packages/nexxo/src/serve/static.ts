// Serving a built app from disk (`nexxo preview`): GET and HEAD only, files through the same access
// check as the dev server (serve/access.ts: nothing outside the directory, no dot-names or keys),
// `index.html` for directories, and optional COOP/COEP so that a page can be cross-origin isolated
// (threads for @rolldown/browser).

import { createReadStream, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { checkRequestTarget, fileFor, servedDirs } from './access.js'
import { contentType, TEXT_TYPE } from './content-type.js'

const isDirectory = (file: string) => {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}

export interface StaticOptions {
  /** Send COOP `same-origin` and COEP `require-corp`, making the page cross-origin isolated. */
  isolated?: boolean
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
}

export async function serveStatic(
  dir: string,
  options: StaticOptions = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const served = servedDirs([resolve(dir)])
  const headers: Record<string, string> = options.isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {}
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const rawUrl = req.url ?? '/'
    const refused = checkRequestTarget(rawUrl)
    const pathname = rawUrl.split('?')[0]!
    let found = refused ?? fileFor(pathname.endsWith('/') ? `${pathname}index.html` : pathname, served)
    if ('file' in found && isDirectory(found.file)) found = fileFor(`${pathname}/index.html`, served)
    if (!('file' in found)) {
      res.writeHead(found.status, { 'content-type': TEXT_TYPE }).end(`${found.reason}\n`)
      return
    }
    const { file } = found
    let size: number
    try {
      const stat = statSync(file)
      if (!stat.isFile()) throw new Error('not a file')
      size = stat.size
    } catch {
      res.writeHead(404, { 'content-type': TEXT_TYPE }).end('not found')
      return
    }
    res.writeHead(200, {
      ...headers,
      'content-type': contentType(file),
      'content-length': size,
      'cache-control': 'no-cache',
    })
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  }
  const server = createServer(handle)
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? 0, host, done)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    server,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}
