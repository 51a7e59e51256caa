// The peer of nexxo/edge in bench/edge-bench.ts: esbuild-wasm called directly in the isolate, as a
// hand-written handler would: POST /build { files, entry } → the entry bundled as one ES module.
// Resolution is the least that builds the bench project (relative paths, .ts/.js probing); no
// cache, no registry, no checks: the floor nexxo's handler is measured against.

import * as esbuild from 'esbuild-wasm'

const EXTENSIONS = ['', '.ts', '.tsx', '.js', '/index.ts', '/index.js']

export function createDirectHandler(wasmModule: () => Promise<WebAssembly.Module>) {
  let ready: Promise<void> | undefined
  return {
    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url)
      if (url.pathname === '/health') return new Response('ok')
      ready ??= wasmModule().then((module) => esbuild.initialize({ wasmModule: module, worker: false }))
      await ready
      const { files, entry } = (await request.json()) as { files: Record<string, string>; entry: string }
      const plugin: esbuild.Plugin = {
        name: 'files',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            const base = args.kind === 'entry-point' ? '' : args.importer.slice(0, args.importer.lastIndexOf('/') + 1)
            const joined = new URL(args.path, `file:///${base}`).pathname.slice(1)
            const found = EXTENSIONS.map((e) => joined + e).find((p) => p in files)
            return found ? { path: found, namespace: 'files' } : { errors: [{ text: `cannot resolve ${args.path}` }] }
          })
          build.onLoad({ filter: /.*/, namespace: 'files' }, (args) => ({
            contents: files[args.path],
            loader: args.path.endsWith('.tsx') ? 'tsx' : args.path.endsWith('.ts') ? 'ts' : 'js',
          }))
        },
      }
      try {
        const result = await esbuild.build({
          entryPoints: [entry],
          bundle: true,
          write: false,
          format: 'esm',
          outdir: '/out',
          logLevel: 'silent',
          plugins: [plugin],
        })
        return new Response(result.outputFiles[0]!.text, { headers: { 'content-type': 'text/javascript' } })
      } catch (e) {
        return new Response(String(e), { status: 422 })
      }
    },
  }
}
