// The peers as a playground would call them directly: esbuild-wasm and @rolldown/browser in a
// module worker (as nexxo's build runs in one), over the same in-memory files. Imports resolve from
// a map the driver precomputed, cheaper than any real resolver: the peers' numbers are a floor.

import * as esbuild from 'esbuild-wasm'

type Files = Record<string, string>
type Resolutions = Record<string, string>

const loader = (id: string) => (/\.tsx$/.test(id) ? 'tsx' : /\.ts$/.test(id) ? 'ts' : /\.jsx$/.test(id) ? 'jsx' : 'js')
const lookup = (resolutions: Resolutions, importer: string, specifier: string) =>
  resolutions[`${importer.replace(/^\//, '')}\0${specifier}`]

let esbuildReady: Promise<void> | undefined

async function esbuildBuild(files: Files, resolutions: Resolutions, entry: string) {
  esbuildReady ??= esbuild.initialize({ wasmURL: new URL('esbuild.wasm', import.meta.url).href, worker: false })
  await esbuildReady
  const result = await esbuild.build({
    entryPoints: [`/${entry}`],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir: '/out',
    logLevel: 'silent',
    plugins: [
      {
        name: 'files',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return { path: args.path }
            const id = lookup(resolutions, args.importer, args.path)
            return id ? { path: `/${id}` } : { errors: [{ text: `unresolved ${args.path}` }] }
          })
          build.onLoad({ filter: /.*/ }, (args) => ({
            contents: files[args.path.slice(1)]!,
            loader: loader(args.path),
          }))
        },
      },
    ],
  })
  return result.outputFiles.reduce((n, f) => n + f.contents.length, 0)
}

async function rolldownBuild(files: Files, resolutions: Resolutions, entry: string) {
  const { rolldown } = await import('@rolldown/browser')
  const bundle = await rolldown({
    input: `/${entry}`,
    // Without it, rolldown asks `process.cwd()`, which a worker has none of.
    cwd: '/',
    platform: 'browser',
    logLevel: 'silent',
    tsconfig: false,
    transform: { define: { 'process.env.NODE_ENV': '"production"' } },
    plugins: [
      {
        name: 'files',
        resolveId(source, importer) {
          if (!importer) return source
          const id = lookup(resolutions, importer, source)
          if (!id) throw new Error(`unresolved ${source}`)
          return `/${id}`
        },
        load(id) {
          return files[id.slice(1)] ?? null
        },
      },
    ],
  })
  try {
    const { output } = await bundle.generate({ format: 'esm', minify: true })
    return output.reduce((n, o) => n + (o.type === 'chunk' ? o.code.length : 0), 0)
  } finally {
    await bundle.close()
  }
}

self.onmessage = async (e: MessageEvent<{ engine: string; files: Files; resolutions: Resolutions; entry: string }>) => {
  const { engine, files, resolutions, entry } = e.data
  const t0 = performance.now()
  try {
    const bytes = await (engine === 'esbuild' ? esbuildBuild : rolldownBuild)(files, resolutions, entry)
    self.postMessage({ ms: performance.now() - t0, bytes })
  } catch (err) {
    self.postMessage({ error: String((err as Error).stack ?? err) })
  }
}
