// Bun: bun dist/bun.js
import { createEdgeHandler } from 'nexxo/edge'
import { settings } from './settings'

declare const Bun: {
  env: Record<string, string | undefined>
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): { port: number }
}
const wasm = (file: string) => new URL(`./${file}`, import.meta.url)
const handler = createEdgeHandler({
  wasm: { core: wasm('nexxo_core.wasm'), esbuild: wasm('esbuild.wasm'), swc: wasm('swc.wasm') },
  ...settings(Bun.env),
})
const server = Bun.serve({
  port: Number(Bun.env.PORT ?? 8787),
  hostname: Bun.env.HOST ?? '127.0.0.1',
  fetch: (request) => handler.fetch(request),
})
console.log(`nexxo edge on http://127.0.0.1:${server.port}/`)
