import { createDirectHandler } from './direct-handler'

declare const Bun: {
  env: Record<string, string | undefined>
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): unknown
}
const handler = createDirectHandler(async () =>
  WebAssembly.compile(await (await fetch(new URL('./esbuild.wasm', import.meta.url))).arrayBuffer()),
)
Bun.serve({ port: Number(Bun.env.PORT), hostname: '127.0.0.1', fetch: (request) => handler.fetch(request) })
