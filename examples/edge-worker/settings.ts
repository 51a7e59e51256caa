// The handler's settings from environment variables, alike in every runtime.

import type { EdgeHandlerOptions } from 'nexxo/edge'
import { edgeInfo } from './edge-info'

export function settings(env: Record<string, string | undefined>): Partial<EdgeHandlerOptions> {
  const timeout = Number(env.NEXXO_BUILD_TIMEOUT_MS)
  const maxOutput = Number(env.NEXXO_MAX_OUTPUT_BYTES)
  const origins = env.NEXXO_CORS_ORIGINS?.split(',').filter(Boolean)
  return {
    plugins: [edgeInfo()],
    ...(env.NEXXO_REGISTRY ? { registry: env.NEXXO_REGISTRY } : {}),
    limits: {
      ...(timeout > 0 ? { buildTimeoutMs: timeout } : {}),
      ...(maxOutput > 0 ? { maxOutputBytes: maxOutput } : {}),
    },
    ...(origins?.length ? { cors: { origins: origins.includes('*') ? ('*' as const) : origins } } : {}),
    ...(env.NEXXO_CACHE === 'memory' || env.NEXXO_CACHE === 'off'
      ? { cache: env.NEXXO_CACHE === 'off' ? false : ('memory' as const) }
      : {}),
  }
}
