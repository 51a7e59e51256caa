// A real Turborepo remote cache server for tests (npm turborepo-remote-cache, file system storage),
// shared by the cache's own tests and the CLI's e2e.

import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const bin = new URL('../../../../node_modules/.bin/turborepo-remote-cache', import.meta.url).pathname

export interface RemoteCacheServer {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

/**
 * turborepo-remote-cache on `port` (a free one by default) with `token`, storing in `storage`;
 * resolves once it answers. `keepsTags`: the server stores the clients' `x-artifact-tag`s and then
 * serves only artifacts that have one (its TURBO_REMOTE_CACHE_SIGNATURE_KEY; it signs nothing itself).
 */
export async function startRemoteCache(
  storage: string,
  token: string,
  { port = 0, keepsTags = false }: { port?: number; keepsTags?: boolean } = {},
): Promise<RemoteCacheServer> {
  const chosen = port || (await freePort())
  const child = spawn(bin, [], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      TURBO_TOKEN: token,
      PORT: String(chosen),
      STORAGE_PROVIDER: 'local',
      STORAGE_PATH: storage,
      STORAGE_PATH_USE_TMP_FOLDER: 'false',
      ...(keepsTags ? { TURBO_REMOTE_CACHE_SIGNATURE_KEY: 'on' } : {}),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let output = ''
  child.stderr!.on('data', (d) => {
    output += d
  })
  const url = `http://127.0.0.1:${chosen}`
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done()
      child.once('exit', () => done())
      child.kill('SIGKILL')
    })
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`turborepo-remote-cache exited:\n${output}`)
    try {
      await fetch(`${url}/v8/artifacts/status`, { headers: { authorization: `Bearer ${token}` } })
      return { url, child, stop }
    } catch {
      if (i > 300) {
        await stop()
        throw new Error(`turborepo-remote-cache did not start:\n${output}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

export const freePort = (): Promise<number> =>
  new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => done(port))
    })
  })
