// What workerd needs around it in tests: a free port, its config, and the HTTP cache service its
// Cache API forwards to (`cacheApiOutbound`), keeping the serialized responses as Cloudflare's edge
// would.

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** workerd's cache protocol: PUT stores a serialized response, GET answers HIT or MISS, PURGE deletes. */
export function startCacheService(stored: Map<string, Buffer>): Promise<{ server: Server; port: number }> {
  const cacheServer = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const key = `${req.headers['cf-cache-namespaces'] ?? ''} ${req.url}`
      if (req.method === 'PUT') {
        stored.set(key, Buffer.concat(chunks))
        res.writeHead(204).end()
      } else if (req.method === 'PURGE') {
        res.writeHead(stored.delete(key) ? 200 : 404).end()
      } else {
        const serialized = stored.get(key)
        if (!serialized) {
          res.writeHead(504, { 'cf-cache-status': 'MISS' }).end()
          return
        }
        const split = serialized.indexOf('\r\n\r\n')
        const [statusLine, ...lines] = serialized.subarray(0, split).toString('latin1').split('\r\n')
        const headers: Record<string, string> = { 'cf-cache-status': 'HIT' }
        for (const line of lines) {
          const colon = line.indexOf(':')
          const name = line.slice(0, colon).trim().toLowerCase()
          if (name !== 'transfer-encoding') headers[name] = line.slice(colon + 1).trim()
        }
        const body = serialized.subarray(split + 4)
        headers['content-length'] = String(body.length)
        res.writeHead(Number(statusLine!.split(' ')[1]), headers).end(body)
      }
    })
  })
  return new Promise((resolve) =>
    cacheServer.listen(0, '127.0.0.1', () =>
      resolve({ server: cacheServer, port: (cacheServer.address() as AddressInfo).port }),
    ),
  )
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })

export interface WorkerdConfig {
  port: number
  /** The cache service's port (`startCacheService`). */
  cachePort: number
  /** The worker's main module, a file beside the config. */
  main: string
  /** Wasm files beside the config, bound as modules under their own names. */
  wasm: string[]
  /** Text bindings (the worker's `env`). */
  bindings?: Record<string, string>
  /** Lets the worker fetch from loopback (a test registry). */
  loopback?: boolean
}

/** A workerd config serving `main` on 127.0.0.1:`port`, its Cache API backed by the cache service. */
export function workerdConfig(c: WorkerdConfig): string {
  const bindings = Object.entries(c.bindings ?? {})
    .map(([name, text]) => `(name = "${name}", text = ${JSON.stringify(text)})`)
    .join(', ')
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "cache", external = (address = "127.0.0.1:${c.cachePort}", http = ())),
    ${c.loopback ? '(name = "loopback", network = (allow = ["local", "private"])),' : ''}
  ],
  sockets = [(name = "http", address = "127.0.0.1:${c.port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "${c.main}"),
    ${c.wasm.map((name) => `(name = "${name}", wasm = embed "${name}"),`).join('\n    ')}
  ],
  compatibilityDate = "2025-01-01",
  cacheApiOutbound = "cache",
  ${c.loopback ? 'globalOutbound = "loopback",' : ''}
  bindings = [${bindings}],
);
`
}
