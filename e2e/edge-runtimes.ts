// Starting the edge example (examples/edge-worker/dist, from its build.mjs) in workerd, Deno and
// Bun on loopback, each pointed at a registry URL: shared by e2e/edge.test.ts and bench/edge-bench.ts.

import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repo } from './helpers.js'
import { freePort, startCacheService, workerdConfig } from './workerd-support.js'

export const EDGE_RUNTIMES = ['workerd', 'deno', 'bun'] as const
export type EdgeRuntime = (typeof EDGE_RUNTIMES)[number]

export interface RunningRuntime {
  origin: string
  stop(): void
}

const exampleDist = join(repo, 'examples/edge-worker/dist')

async function waitFor(origin: string, child: ChildProcess, log: () => string) {
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the runtime exited (${child.exitCode}): ${log()}`)
    try {
      if ((await fetch(`${origin}/health`)).ok) return
    } catch {}
    if (i > 600) throw new Error(`the runtime did not answer /health: ${log()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** `runtime` serving the example on a free port; resolves once /health answers. */
export interface StartOptions {
  /** Environment settings of the handler (examples/edge-worker/settings.ts). */
  settings?: Record<string, string>
  /** A directory laid out like the example's dist/ (worker.js, deno.js, bun.js, the wasm files). */
  dist?: string
  /** The wasm modules workerd binds. */
  wasm?: string[]
  /**
   * workerd: the example's own config.capnp as shipped (its bindings, no cache service), only the
   * socket moved to the free port; `registryUrl`, `settings`, `dist` and `wasm` do not apply.
   */
  shippedConfig?: boolean
}

export async function startRuntime(
  runtime: EdgeRuntime,
  registryUrl: string,
  work: string,
  {
    settings = {},
    dist = exampleDist,
    wasm = ['nexxo_core.wasm', 'esbuild.wasm', 'swc.wasm'],
    shippedConfig = false,
  }: StartOptions = {},
): Promise<RunningRuntime> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const env: Record<string, string> = { PORT: String(port), NEXXO_REGISTRY: registryUrl, ...settings }
  let cmd: string
  let args: string[]
  let cwd = work
  let cacheStop = () => {}
  if (runtime === 'workerd' && shippedConfig) {
    cmd = join(repo, 'node_modules/.bin/workerd')
    args = ['serve', 'config.capnp', `--socket-addr=http=127.0.0.1:${port}`]
    cwd = join(exampleDist, '..')
  } else if (runtime === 'workerd') {
    // workerd's Cache API forwards to a cache service; loopback is reachable only when allowed.
    const dir = join(work, `workerd-${port}`)
    mkdirSync(dir, { recursive: true })
    cpSync(dist, dir, { recursive: true })
    const service = await startCacheService(new Map())
    cacheStop = () => service.server.close()
    writeFileSync(
      join(dir, 'config.capnp'),
      workerdConfig({
        port,
        cachePort: service.port,
        main: 'worker.js',
        wasm,
        bindings: { NEXXO_REGISTRY: registryUrl, ...settings },
        loopback: true,
      }),
    )
    cmd = join(repo, 'node_modules/.bin/workerd')
    args = ['serve', 'config.capnp']
    cwd = dir
  } else if (runtime === 'deno') {
    cmd = join(repo, 'node_modules/.bin/deno')
    args = ['run', '--allow-net', '--allow-read', '--allow-env', join(dist, 'deno.js')]
    env.DENO_DIR = join(work, 'deno-dir')
    env.NO_COLOR = '1'
  } else {
    cmd = join(repo, 'node_modules/.bin/bun')
    args = [join(dist, 'bun.js')]
  }
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d))
  child.stderr!.on('data', (d: Buffer) => (out += d))
  const stop = () => {
    child.kill('SIGKILL')
    cacheStop()
  }
  try {
    await waitFor(origin, child, () => out)
  } catch (e) {
    stop()
    throw e
  }
  return { origin, stop }
}
