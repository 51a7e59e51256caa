// Deno: deno run --allow-net --allow-read --allow-env dist/deno.js
import { createEdgeHandler } from 'nexxo/edge'
import { settings } from './settings'

declare const Deno: {
  env: { toObject(): Record<string, string> }
  serve(options: { port: number; hostname: string }, handler: (request: Request) => Promise<Response>): unknown
}
const env = Deno.env.toObject()
const wasm = (file: string) => new URL(`./${file}`, import.meta.url)
const handler = createEdgeHandler({
  wasm: { core: wasm('nexxo_core.wasm'), esbuild: wasm('esbuild.wasm'), swc: wasm('swc.wasm') },
  ...settings(env),
})
Deno.serve({ port: Number(env.PORT ?? 8787), hostname: env.HOST ?? '127.0.0.1' }, (request) => handler.fetch(request))
