// `npm run setup`: everything a fresh Debian machine with Node 20+ and rustup needs, then the main
// job on its defaults (`nexxo build examples/react-app`). Safe to rerun: each step skips what is done.
import { execSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const root = new URL('..', import.meta.url).pathname
// Debian's cargo 1.65 (installed below for wasm32) must never shadow rustup's for the native build.
process.env.PATH = `${process.env.HOME}/.cargo/bin:${process.env.PATH}`
const step = (title) => console.log(`\n▶ ${title}`)
const sh = (cmd, opts = {}) => execSync(cmd, { cwd: root, stdio: 'inherit', ...opts })
const ok = (cmd) => spawnSync('bash', ['-c', cmd], { cwd: root, stdio: 'ignore' }).status === 0

// Debian packages: Chromium for the browser tests, redis-server for the Redis remote cache's;
// Debian's rustc + wasm32 std only when rustup cannot build wasm32 itself (it cannot download
// targets on machines without internet access).
const wantDebian = []
if (!existsSync('/usr/bin/chromium')) wantDebian.push('chromium')
if (!existsSync('/usr/bin/redis-server')) wantDebian.push('redis-server')
const rustupHasWasm = ok('rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown')
if (!rustupHasWasm && !existsSync('/usr/lib/rustlib/wasm32-unknown-unknown')) {
  wantDebian.push('rustc', 'cargo', 'libstd-rust-dev-wasm32')
}
if (wantDebian.length > 0) {
  step(`Debian packages: ${wantDebian.join(' ')}`)
  const sudo = process.getuid?.() === 0 ? '' : 'sudo '
  if (sudo && !ok('command -v sudo')) {
    console.error(`Install these as root, then rerun: apt-get install -y ${wantDebian.join(' ')}`)
    process.exit(1)
  }
  sh(
    `${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${wantDebian.join(' ')}`,
  )
}

step('npm dependencies')
// `npm install`, not `npm ci`: the lockfile pins every version either way, but npm 11 against this
// project's registry leaves other platforms' optional packages out of the lock, which `npm ci` refuses.
sh('npm install --no-audit --no-fund')

step('core -> wasm (wasm/nexxo_core.wasm)')
sh('bash wasm/build.sh')

step('core -> Node-API addon (native/)')
sh('npm run build -w @nexxo/native')

step('TypeScript (packages/nexxo)')
sh('npx tsc -b packages/nexxo')
sh('node scripts/bundle-node.mjs')

step('browser worker (packages/nexxo/dist/browser)')
sh('node scripts/build-browser.mjs')

step('main job: nexxo build examples/react-app')
sh('node packages/nexxo/bin/nexxo.js build examples/react-app')
