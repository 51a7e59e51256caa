// Every tool the suite builds with: nexxo and its peers, each a fresh process per build with the
// same job (entry, minify, source maps, output directory). `cache` marks tools with a persistent
// build cache of their own, which get a warm row (the cache kept from the build before).
import { join } from 'node:path'

const here = new URL('.', import.meta.url).pathname
const nodeArgs = (script, ...args) => [process.execPath, script, ...args]
const repo = join(here, '../..')
const runner = (name) => join(here, '..', 'runners', name)
/** Runners of the tools installed in bench/peers, beside their install. */
const peer = (name) => join(here, '..', 'peers', name)
const nexxo = (backend) => (job) =>
  nodeArgs(
    join(repo, 'packages/nexxo/bin/nexxo.js'),
    'build',
    job.app,
    '--entry',
    job.entry,
    '--minify',
    '--sourcemap',
    '--out-dir',
    job.out,
    '--backend',
    backend,
    ...(job.cacheDir ? ['--cache-dir', job.cacheDir] : ['--no-cache']),
  )

/**
 * name -> { lane, nexxo (ours, not a peer), cache, warmHit?(stdout), command(job) }. `warmHit`
 * says whether a warm build was served from the cache: a warm row that was a miss is a failure. Lanes compare like with like:
 * `native` tools run platform binaries, `wasm` tools run WebAssembly engines in Node.
 */
export const TOOLS = {
  nexxo: {
    lane: 'native',
    nexxo: true,
    cache: true,
    warmHit: (stdout) => /cache hit/.test(stdout),
    command: nexxo('native'),
  },
  'vite 8': { lane: 'native', cache: false, command: (job) => nodeArgs(runner('vite.mjs'), JSON.stringify(job)) },
  rolldown: {
    lane: 'native',
    cache: false,
    command: (job) => nodeArgs(runner('rolldown.mjs'), 'native', JSON.stringify(job)),
  },
  esbuild: {
    lane: 'native',
    cache: false,
    command: (job) => nodeArgs(runner('esbuild.mjs'), 'native', JSON.stringify(job)),
  },
  rsbuild: { lane: 'native', cache: true, command: (job) => nodeArgs(peer('rsbuild.mjs'), JSON.stringify(job)) },
  // Turbopack ships only inside Next.js: `next build` of a one-page app that loads the case's entry
  // in the browser only (bench/peers/turbopack.mjs). Next's own page runtime is in its output.
  'turbopack (next build)': {
    lane: 'native',
    cache: true,
    command: (job) => nodeArgs(peer('turbopack.mjs'), JSON.stringify(job)),
  },
  'webpack + swc-loader': {
    lane: 'native',
    cache: true,
    command: (job) => nodeArgs(peer('webpack.mjs'), JSON.stringify(job)),
  },
  'nexxo wasm': { lane: 'wasm', nexxo: true, cache: false, command: nexxo('wasm') },
  'esbuild-wasm': {
    lane: 'wasm',
    cache: false,
    command: (job) => nodeArgs(runner('esbuild.mjs'), 'wasm', JSON.stringify(job)),
  },
  '@rolldown/browser': {
    lane: 'wasm',
    cache: false,
    command: (job) => nodeArgs(runner('rolldown.mjs'), 'wasm', JSON.stringify(job)),
  },
}

/** Peers that are not in the suite, and why; the report prints this. */
export const ABSENT = {
  'Angular CLI':
    '@angular/cli 22.2.7 is on npm, but its builders take an Angular workspace (angular.json, an Angular app compiled by ngtsc) and none of the cases is one; an Angular case is still to be written.',
}
