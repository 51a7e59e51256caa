// workerd / Cloudflare Workers: the wasm modules arrive as module bindings (the isolate may not
// compile wasm from bytes). Settings come from the environment: NEXXO_REGISTRY (an npm registry
// URL) and NEXXO_BUILD_TIMEOUT_MS.

import { createEdgeHandler, type EdgeHandler } from 'nexxo/edge'
import esbuild from './esbuild.wasm'
import core from './nexxo_core.wasm'
import { settings } from './settings'
import swc from './swc.wasm'

let handler: EdgeHandler | undefined

export default {
  fetch(request: Request, env: Record<string, string | undefined>, ctx: unknown): Promise<Response> {
    handler ??= createEdgeHandler({ wasm: { core, esbuild, swc }, ...settings(env) })
    return handler.fetch(request, env, ctx)
  },
}
