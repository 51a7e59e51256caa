// `npm test`: every test of the project, then one summary line.
// Rust (cargo test for the core and its Node-API binding), then TypeScript unit and e2e tests (node:test, run through tsx).
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
// rustup's cargo, not Debian's 1.65 (which is only for the wasm32 build).
process.env.PATH = `${process.env.HOME}/.cargo/bin:${process.env.PATH}`
const totals = { passed: 0, failed: 0, skipped: 0 }
let failedSuites = 0

function run(label, cmd, args, parse) {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  })
  process.stdout.write(r.stdout ?? '')
  parse(r.stdout ?? '')
  if (r.status !== 0) failedSuites++
}

const findTests = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (name === 'node_modules' || name === 'dist') return []
    return statSync(p).isDirectory() ? findTests(p) : /\.test\.(ts|mjs)$/.test(name) ? [p] : []
  })

run('core (Rust)', 'cargo', ['test', '-p', 'nexxo-core', '-p', 'nexxo-native', '--quiet'], (out) => {
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
    totals.passed += +m[1]
    totals.failed += +m[2]
    totals.skipped += +m[3]
  }
})

const filter = process.argv.slice(2)
const files = [
  ...findTests(join(root, 'packages')),
  ...findTests(join(root, 'e2e')),
  ...findTests(join(root, 'bench/suite')),
]
  .map((f) => f.slice(root.length))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort()
run(
  'facade, CLI and e2e (node:test)',
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  (out) => {
    const count = (name) => +(new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(out)?.[1] ?? 0)
    totals.passed += count('pass')
    totals.failed += count('fail') + count('cancelled')
    totals.skipped += count('skipped') + count('todo')
  },
)

console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(failedSuites > 0 || totals.failed > 0 ? 1 : 0)
