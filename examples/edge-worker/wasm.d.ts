// workerd and wrangler hand `.wasm` imports over as compiled modules (config bindings / CompiledWasm).
declare module '*.wasm' {
  const module: WebAssembly.Module
  export default module
}
