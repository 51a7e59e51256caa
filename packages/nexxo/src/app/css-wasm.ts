// lightningcss-wasm where there is no file system: the browser worker fetches its wasm beside the
// worker's other assets; the edge handler passes it as a compiled module (workerd compiles no wasm
// from bytes at run time). The same package and version Node's wasm backend runs.

import init, { transform } from 'lightningcss-wasm'
import { type CssEngine, type CssLoader, LIGHTNINGCSS_VERSION } from './css-engine.js'

export function wasmCssLoader(input: () => Promise<URL | WebAssembly.Module>): CssLoader {
  let loaded: Promise<CssEngine> | undefined
  return () => {
    loaded ??= input().then(async (wasm) => {
      // init() takes a compiled module too (it instantiates whatever it is given).
      await init(wasm as URL)
      return {
        packageName: 'lightningcss-wasm',
        version: LIGHTNINGCSS_VERSION,
        transform: transform as CssEngine['transform'],
      }
    })
    return loaded
  }
}
