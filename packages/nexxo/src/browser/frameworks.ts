// The framework plugins the build worker makes itself (frameworks/worker-side.ts says why), with the
// compilers it ships: each fetched by the first build that needs it, as a chunk of its own.

import { type SwcLoader, stripTypes } from '../engines/swc.js'
import solid, { type SolidCompiler } from '../frameworks/solid.js'
import svelte from '../frameworks/svelte.js'
import vue from '../frameworks/vue.js'
import type { WorkerSidePlugin } from '../frameworks/worker-side.js'
import type { NexxoPlugin } from '../plugin/types.js'

/**
 * `solidCompiler`: the URL of `nexxo-solid-compiler.js` (Babel with Solid's preset, one file built
 * apart from the worker: scripts/build-browser.mjs).
 */
export function frameworkPlugins(
  swc: SwcLoader,
  solidCompiler: () => URL,
): (plugin: WorkerSidePlugin) => Promise<NexxoPlugin> {
  return async ({ framework, options }) => {
    switch (framework) {
      case 'solid': {
        const { compiler } = (await import(/* @vite-ignore */ solidCompiler().href)) as { compiler: SolidCompiler }
        return solid({ ...options, compiler })
      }
      case 'vue':
        return vue({ ...options, compiler: await import('vue/compiler-sfc') })
      case 'svelte':
        return svelte({
          ...options,
          compiler: await import('svelte/compiler'),
          stripTypes: (code, id) => stripTypes(swc, code, id),
        })
    }
  }
}
