// Shared by the e2e tests: running the CLI, temp dirs, and a static file server on loopback.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'
import { serveStatic } from '../packages/nexxo/src/serve/static.ts'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs'

export const repo = new URL('..', import.meta.url).pathname
export const cliPath = join(repo, 'packages/nexxo/bin/nexxo.js')

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `nexxo-${label}-`))
}

export function cli(args: string[], runtime = process.execPath) {
  return cliWith(args, {}, runtime)
}

/** `cli` with `env` added to the environment. */
export function cliWith(args: string[], env: Record<string, string>, runtime = process.execPath) {
  const r = spawnSync(runtime, [cliPath, ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Every file below `dir` with its bytes, for comparing two output trees. */
export function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) Object.assign(out, tree(p, `${prefix}${name}/`))
    else out[`${prefix}${name}`] = readFileSync(p, 'latin1')
  }
  return out
}

/** `nexxo preview`'s server on 127.0.0.1 at a free port; `isolated` adds COOP/COEP. */
export function serve(dir: string, { isolated = false } = {}) {
  return serveStatic(dir, { isolated })
}

/** Debian's Chromium (or $CHROMIUM_PATH) with its own profile directory. */
export function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  })
}
