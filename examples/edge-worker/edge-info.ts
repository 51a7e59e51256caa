// A plugin run inside the isolate on every /build: `import { runtime } from 'virtual:edge'` gives
// the code the runtime that built it (workerd says Cloudflare-Workers, Deno and Bun their name).
// Plugins are objects in the worker's code; a request cannot bring its own.

import type { NexxoPlugin } from 'nexxo/edge'

const ID = '\0virtual:edge'

export function edgeInfo(): NexxoPlugin {
  const runtime = typeof navigator === 'undefined' ? 'unknown' : navigator.userAgent
  return {
    name: 'edge-info',
    // Part of the cache key: the module's text depends on nothing else.
    version: `1:${runtime}`,
    resolveId: { filter: { id: /^virtual:edge$/ }, handler: () => ID },
    load: (id) => (id === ID ? `export const runtime = ${JSON.stringify(runtime)}\n` : null),
  }
}
