import { createDirectHandler } from './direct-handler'
import wasm from './esbuild.wasm'

const handler = createDirectHandler(async () => wasm)
export default { fetch: (request: Request) => handler.fetch(request) }
