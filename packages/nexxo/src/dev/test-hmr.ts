// For the dev server's tests: a client on its HMR socket, as the page's is (the token from
// /@nexxo/client, the server's own origin), keeping every message the server sends.

import WebSocket from 'ws'

export interface HmrMessage {
  type: string
  updates?: { boundary: string; path?: string }[]
  error?: { file?: string; line?: number }
}

export interface HmrClient {
  /** Every message so far, in order (clear it with `messages.length = 0`). */
  readonly messages: HmrMessage[]
  /** Waits until `ok()` holds, or `ms` pass; whether it held. */
  until(ok: () => boolean, ms?: number): Promise<boolean>
  close(): void
}

export async function hmrClient(port: number): Promise<HmrClient> {
  const origin = `http://127.0.0.1:${port}`
  const client = await (await fetch(`${origin}/@nexxo/client`)).text()
  const token = /token=([\w-]+)/.exec(client)![1]!
  const socket = new WebSocket(`ws://127.0.0.1:${port}/@nexxo/hmr?token=${token}`, { origin })
  const messages: HmrMessage[] = []
  socket.on('message', (m) => messages.push(JSON.parse(String(m))))
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  return {
    messages,
    async until(ok, ms = 8000) {
      for (const deadline = Date.now() + ms; !ok() && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 20))
      return ok()
    },
    close: () => socket.close(),
  }
}
