// Framework plugins a browser build worker makes itself. A plugin is code, which cannot be posted to
// a worker, so a page's plugins run on the page (browser/page-plugins.ts); but a compiler on the
// page's main thread is what the worker exists to avoid. nexxo/vue, nexxo/svelte and nexxo/solid without a
// compiler of the page's own are described as data instead, and the worker builds them with the
// compilers it ships.

import type { NexxoPlugin } from '../plugin/types.js'

export type WorkerFramework = 'vue' | 'svelte' | 'solid'

/** What the worker needs to make the plugin: the framework and its options (structured-cloneable). */
export interface WorkerSidePlugin {
  framework: WorkerFramework
  options: Record<string, unknown>
}

const WORKER_SIDE = Symbol.for('nexxo.workerSide')

/** `plugin`, marked as one the browser worker can make from `framework` and `options`. */
export function workerSide<P extends NexxoPlugin>(plugin: P, framework: WorkerFramework, options: object): P {
  const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
  Object.defineProperty(plugin, WORKER_SIDE, { value: { framework, options: clean } satisfies WorkerSidePlugin })
  return plugin
}

export function workerSideOf(plugin: unknown): WorkerSidePlugin | undefined {
  return plugin && typeof plugin === 'object'
    ? ((plugin as Record<symbol, WorkerSidePlugin | undefined>)[WORKER_SIDE] ?? undefined)
    : undefined
}
