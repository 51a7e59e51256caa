import assert from 'node:assert/strict'
import { test } from 'node:test'
import { packageVersion } from '../build/backend.js'
import { cssTargets, LIGHTNINGCSS_VERSION } from './css-engine.js'

test('lightningcss and lightningcss-wasm are installed at the one version the browser bundle names', () => {
  // Same version on both backends is what makes a stylesheet the same bytes everywhere.
  assert.equal(packageVersion('lightningcss'), LIGHTNINGCSS_VERSION)
  assert.equal(packageVersion('lightningcss-wasm'), LIGHTNINGCSS_VERSION)
})

test('cssTargets packs esbuild-style targets for lightningcss and names an unknown browser', () => {
  assert.deepEqual(cssTargets(['es2020', 'chrome111', 'safari16.4']), {
    chrome: 111 << 16,
    safari: (16 << 16) | (4 << 8),
  })
  assert.throws(() => cssTargets(['netscape4']), /Unknown CSS target 'netscape4'/)
})
