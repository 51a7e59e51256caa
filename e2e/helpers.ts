// Shared by the e2e tests: running the CLI, temp dirs, and a static file server on loopback.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

export const repo = new URL('..', import.meta.url).pathname
export const cliPath = join(repo, 'packages/nexxo/bin/nexxo.js')

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `nexxo-${label}-`))
}

export function cli(args: string[], runtime = process.execPath) {
  const r = spawnSync(runtime, [cliPath, ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
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

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.map': 'application/json',
}

/** Serves `dir` on 127.0.0.1 at a free port; `headers` go on every response (COOP/COEP for an isolated page, say). */
export async function serve(
  dir: string,
  headers: Record<string, string> = {},
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path)
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end()
      return
    }
    try {
      const body = readFileSync(file)
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server }
}

// The flags DESIGN.md lists: this machine has no GPU and no outside network.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Debian's Chromium (or $CHROMIUM_PATH) with its own profile directory. */
export function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  })
}
