import { createDirectHandler } from './direct-handler'

declare const Deno: {
  env: { get(name: string): string | undefined }
  serve(options: { port: number; hostname: string }, handler: (request: Request) => Promise<Response>): unknown
}
const handler = createDirectHandler(async () =>
  WebAssembly.compile(await (await fetch(new URL('./esbuild.wasm', import.meta.url))).arrayBuffer()),
)
Deno.serve({ port: Number(Deno.env.get('PORT')), hostname: '127.0.0.1' }, (request) => handler.fetch(request))
