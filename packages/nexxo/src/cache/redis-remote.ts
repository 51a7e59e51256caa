// The remote cache tier on Redis (`redis://` or `rediss://` URLs), for teams that run Redis rather
// than a Turborepo cache server. Through ioredis, an optional peer dependency loaded on first use:
// a machine without it gets one warning and local builds. Artifacts are stored as the Turborepo
// tier stores them (sealed entries by a hash of their keys, the team a key prefix, a signature
// beside each when signing), with the same faults: the first one turns the remote off.

import type { Redis } from 'ioredis'
import { DEFAULT_REMOTE_TIMEOUT_MS, RemoteStore } from './remote.js'

/** What Redis answers a client it does not take: a password it refuses, or none given. */
const REFUSED = /^(NOAUTH|WRONGPASS)\b/

export class RedisRemoteStore extends RemoteStore {
  private client: Promise<Redis | undefined> | undefined

  protected async fetchArtifact(hash: string): Promise<{ body: Uint8Array; tag: string | null } | 'miss' | undefined> {
    const redis = await this.connected()
    if (!redis) return undefined
    const key = this.key(hash)
    try {
      // One round trip for the artifact and its tag (the base refuses one over the size bound).
      const [[, body], [, tag]] = (await redis.multi().getBuffer(key).get(`${key}:tag`).exec()) as [
        [null, Buffer | null],
        [null, string | null],
      ]
      if (body === null) return 'miss'
      return { body: new Uint8Array(body.buffer, body.byteOffset, body.length), tag }
    } catch (e) {
      return this.fault('GET', e)
    }
  }

  protected async storeArtifact(hash: string, body: Uint8Array, tag: string | undefined): Promise<boolean> {
    const redis = await this.connected()
    if (!redis) return false
    const key = this.key(hash)
    try {
      // Both or neither: a signed artifact is never seen without its tag.
      const writes = redis.multi().set(key, Buffer.from(body.buffer, body.byteOffset, body.length))
      if (tag) writes.set(`${key}:tag`, tag)
      else writes.del(`${key}:tag`)
      await writes.exec()
      return true
    } catch (e) {
      this.fault('SET', e)
      return false
    }
  }

  async close(): Promise<void> {
    const redis = await this.client
    redis?.disconnect()
  }

  private key(hash: string): string {
    return `nexxo:artifacts:${this.options.team ?? ''}:${hash}`
  }

  private fault(what: string, e: unknown): undefined {
    const message = e instanceof Error ? e.message : String(e)
    return this.turnOff(`failed a ${what} (${message})`, REFUSED.test(message))
  }

  /** The client, connected on first use; undefined once the remote is off. */
  private connected(): Promise<Redis | undefined> {
    this.client ??= this.connect()
    return this.client.then((redis) => (this.usable ? redis : undefined))
  }

  private async connect(): Promise<Redis | undefined> {
    let RedisClient: typeof Redis
    try {
      RedisClient = (await import('ioredis')).Redis
    } catch {
      return this.turnOff('needs the ioredis package (npm install ioredis)')
    }
    const timeout = this.options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS
    const redis = new RedisClient(this.options.url, {
      lazyConnect: true,
      ...(this.options.token ? { password: this.options.token } : {}),
      connectTimeout: timeout,
      commandTimeout: timeout,
      // A fault is the remote's end for this process, as with the HTTP tier: no retries, no queue.
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    })
    // Errors also come as events: a refused password only so (the connect then fails with
    // "Connection is closed"), a connection lost later too (the commands' own errors report it).
    let refusal: Error | undefined
    redis.on('error', (e: Error) => {
      if (REFUSED.test(e.message)) refusal = e
    })
    try {
      await redis.connect()
      return redis
    } catch (e) {
      redis.disconnect()
      return this.fault('connection', refusal ?? e)
    }
  }
}
