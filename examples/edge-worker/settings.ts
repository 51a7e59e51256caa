// The handler's settings from environment variables, alike in every runtime.

import type { EdgeHandlerOptions } from 'nexxo/edge'

export function settings(env: Record<string, string | undefined>): Partial<EdgeHandlerOptions> {
  const timeout = Number(env.NEXXO_BUILD_TIMEOUT_MS)
  return {
    ...(env.NEXXO_REGISTRY ? { registry: env.NEXXO_REGISTRY } : {}),
    ...(timeout > 0 ? { limits: { buildTimeoutMs: timeout } } : {}),
  }
}
