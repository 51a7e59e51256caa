// Turbopack production build. Turbopack ships only inside Next.js, so the case becomes a one-page
// Next app (pages router) whose page imports the case's entry in the browser only. The import sits
// behind `typeof window`, which Next settles at compile time, so the server build compiles a page
// shell and not the case a second time (`next/dynamic` with `ssr: false` still compiled it for the
// server: a react-1k build took 21 s instead of 13). `next build` runs in compile mode (no
// prerendering), minifies, and writes browser source maps. Its persistent cache
// (turbopackFileSystemCacheForBuild, on by default in Next 16.4) lives in the dist directory, which
// Next wants inside the app, so the whole Next app lives in `cacheDir` when one is given (removed
// for a cold build, kept for a warm one). The browser chunks are copied to `out` to be counted.
// Usage: node turbopack.mjs '<job json>'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const job = JSON.parse(process.argv[2])
const here = dirname(fileURLToPath(import.meta.url))
const modules = join(here, 'node_modules')
const project = job.cacheDir ?? join(job.app, '_turbopack')
const dist = join(project, '.next')
if (!job.cacheDir) rmSync(dist, { recursive: true, force: true })
/** Turbopack reads nothing outside its root: the deepest directory holding the app, Next and the case. */
const root = [job.app, project].reduce((a, b) => {
  const x = a.split(sep)
  const y = b.split(sep)
  let i = 0
  while (i < x.length && x[i] === y[i]) i++
  return x.slice(0, i).join(sep) || sep
}, modules)
mkdirSync(join(project, 'pages'), { recursive: true })
// Next looks for itself from the app up; the app sits beside the peers' install, not under it.
mkdirSync(join(project, 'node_modules'), { recursive: true })
for (const name of ['next', 'react', 'react-dom']) {
  const link = join(project, 'node_modules', name)
  if (!existsSync(link)) symlinkSync(join(modules, name), link)
}
const entry = relative(join(project, 'pages'), join(job.app, job.entry))
writeFileSync(
  join(project, 'pages/index.jsx'),
  `import { useEffect } from 'react'\n\nexport default function Page() {\n  useEffect(() => {\n    if (typeof window !== 'undefined') import(${JSON.stringify(`./${entry}`)})\n  }, [])\n  return <div id="root" />\n}\n`,
)
// The case's sources resolve React from where they sit, Next's runtime from beside Next: one copy.
const alias = Object.fromEntries(
  ['react', 'react-dom'].flatMap((name) => [
    [name, `./${relative(project, join(modules, name))}`],
    [`${name}/*`, `./${relative(project, join(modules, name))}/*`],
  ]),
)
writeFileSync(
  join(project, 'next.config.mjs'),
  `export default ${JSON.stringify(
    {
      productionBrowserSourceMaps: true,
      typescript: { ignoreBuildErrors: true },
      outputFileTracingRoot: root,
      turbopack: { root, resolveAlias: alias },
    },
    null,
    2,
  )}\n`,
)
const r = spawnSync(
  process.execPath,
  [join(modules, 'next/dist/bin/next'), 'build', '--turbopack', '--experimental-build-mode', 'compile', project],
  { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } },
)
if (r.status !== 0) process.exit(r.status ?? 1)
rmSync(job.out, { recursive: true, force: true })
cpSync(join(dist, 'static'), job.out, { recursive: true })
