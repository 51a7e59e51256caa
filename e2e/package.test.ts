// The package as a user's project loads it: through its exports, which point at the bundled Node
// entries in dist/node (scripts/bundle-node.mjs), not at tsc's files.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test } from 'node:test'
import { repo } from './helpers.js'

const pkg = JSON.parse(readFileSync(join(repo, 'packages/nexxo/package.json'), 'utf8')) as { version: string }

test('every Node entry resolves to the bundle and shares one NexxoError with the others', async () => {
  const resolveFrom = createRequire(join(repo, 'e2e/package.test.ts'))
  const entries = ['nexxo', 'nexxo/edge', 'nexxo/vue', 'nexxo/svelte', 'nexxo/solid']
  for (const entry of entries) {
    assert.match(resolveFrom.resolve(entry), /packages\/nexxo\/dist\/node\/[a-z]+\.js$/, entry)
  }
  const [main, edge] = await Promise.all([import('nexxo'), import('nexxo/edge')])
  // Two copies of the error class would make `instanceof` fail across entries.
  assert.equal(edge.NexxoError, main.NexxoError)
})

test('the bundled CLI finds the package beside it: --version is the package version', () => {
  const r = spawnSync(process.execPath, [join(repo, 'packages/nexxo/bin/nexxo.js'), '--version'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), pkg.version)
})
