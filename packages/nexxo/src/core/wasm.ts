// The core compiled to wasm32 (wasm/), driven through its C ABI. Works wherever WebAssembly does:
// Node, Bun, Deno, browsers and workers, and workerd (pass a compiled `WebAssembly.Module` there,
// since it forbids compiling from bytes at run time).

import type { RawCore, RawGraph } from './raw.js'

interface Exports {
  memory: WebAssembly.Memory
  nexxo_alloc(len: number): number
  nexxo_free(ptr: number, len: number): void
  nexxo_result_ptr(): number
  nexxo_version(): number
  nexxo_hash(ptr: number, len: number): number
  nexxo_scan(code: number, codeLen: number, lang: number, langLen: number): number
  nexxo_cache_key(ptr: number, len: number): number
  nexxo_module_id(ptr: number, len: number): number
  nexxo_relative_candidates(ptr: number, len: number): number
  nexxo_project_from_files(ptr: number, len: number): number
  nexxo_graph_new(): number
  nexxo_graph_free(handle: number): void
  nexxo_graph_call(handle: number, op: number, opLen: number, args: number, argsLen: number): number
}

export type WasmSource = WebAssembly.Module | ArrayBuffer | Uint8Array

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export async function instantiateWasmCore(source: WasmSource): Promise<RawCore> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source as BufferSource)
  const instance = await WebAssembly.instantiate(module, {})
  return wrap(instance.exports as unknown as Exports)
}

function wrap(x: Exports): RawCore {
  // Inputs are copied in, the call runs, inputs are freed; the answer is read before the next call.
  const call = (inputs: Uint8Array[], fn: (...ptrLen: number[]) => number): string => {
    const args: number[] = []
    for (const bytes of inputs) {
      const ptr = x.nexxo_alloc(bytes.length)
      new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes)
      args.push(ptr, bytes.length)
    }
    try {
      const len = fn(...args)
      return decoder.decode(new Uint8Array(x.memory.buffer, x.nexxo_result_ptr(), len))
    } finally {
      for (let i = 0; i < args.length; i += 2) x.nexxo_free(args[i]!, args[i + 1]!)
    }
  }
  const text = (fn: (ptr: number, len: number) => number) => (input: string) =>
    call([encoder.encode(input)], (p, l) => fn(p!, l!))
  return {
    kind: 'wasm',
    version: () => call([], () => x.nexxo_version()),
    hash: (bytes) => call([bytes], (p, l) => x.nexxo_hash(p!, l!)),
    scan: (code, lang) =>
      call([encoder.encode(code), encoder.encode(lang)], (cp, cl, lp, ll) => x.nexxo_scan(cp!, cl!, lp!, ll!)),
    cacheKey: text(x.nexxo_cache_key),
    moduleId: text(x.nexxo_module_id),
    relativeCandidates: text(x.nexxo_relative_candidates),
    projectFromFiles: text(x.nexxo_project_from_files),
    newGraph(): RawGraph {
      let handle: number | null = x.nexxo_graph_new()
      return {
        call(op, args) {
          if (handle === null) throw new Error('graph was freed')
          const h = handle
          return call([encoder.encode(op), encoder.encode(args)], (op, ol, ap, al) =>
            x.nexxo_graph_call(h, op!, ol!, ap!, al!),
          )
        },
        free() {
          if (handle !== null) x.nexxo_graph_free(handle)
          handle = null
        },
      }
    },
  }
}
