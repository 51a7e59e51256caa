// The `/npm/` path parser and the CommonJS export reader, against the forms real packages use.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { loadNativeCoreOnce } from '../build/backend.js'
import { NexxoError } from '../errors.js'
import { cjsExports } from './cjs-exports.js'
import { entryModule, isExact, parsePackagePath } from './npm-route.js'

const require = createRequire(import.meta.url)

describe('/npm/ paths', () => {
  test('names, scopes, versions and subpaths', () => {
    assert.deepEqual(parsePackagePath('react@19.2.0'), { name: 'react', version: '19.2.0', subpath: '' })
    assert.deepEqual(parsePackagePath('react-dom@^19/client'), {
      name: 'react-dom',
      version: '^19',
      subpath: '/client',
    })
    assert.deepEqual(parsePackagePath('@scope/pkg@next/a/b.js'), {
      name: '@scope/pkg',
      version: 'next',
      subpath: '/a/b.js',
    })
    assert.deepEqual(parsePackagePath('@scope/pkg'), { name: '@scope/pkg', version: '', subpath: '' })
    assert.deepEqual(parsePackagePath('lodash/fp'), { name: 'lodash', version: '', subpath: '/fp' })
    assert.ok(isExact('19.2.0'))
    assert.ok(!isExact('^19.2.0') && !isExact('latest') && !isExact('v19.2.0') && !isExact(''))
  })

  for (const bad of [
    'React@1.0.0',
    '..%2f..%2fetc@1.0.0',
    'react@1.0.0/../../etc',
    'react@1.0.0/%2e%2e/x',
    'react@1.0.0//x',
    'react@not a range!',
    '@/x@1.0.0',
    '%E0%A4%A',
    `${'a'.repeat(215)}@1.0.0`,
  ]) {
    test(`refused: ${bad.slice(0, 40)}`, () => {
      assert.throws(
        () => parsePackagePath(bad),
        (e: unknown) => e instanceof NexxoError && e.code === 'INVALID_PACKAGE',
      )
    })
  }
})

describe('CommonJS exports', () => {
  test('the compiler and hand-written forms', () => {
    const found = cjsExports(`
      "use strict";
      Object.defineProperty(exports, "__esModule", { value: true });
      Object.defineProperty(exports, 'defined', { enumerable: true, get: function () { return x } });
      exports.a = 1; exports['b-c'] = 2; module.exports.d = 3;
      exports.e == 4; notexports.f = 5;
      module.exports = { g, h: 1, i() {}, 'j': 2 };
    `)
    assert.deepEqual([...found.names].sort(), ['a', 'b-c', 'd', 'defined', 'g', 'h', 'i', 'j'])
  })

  test('re-exports are listed, both branches of a NODE_ENV switch', () => {
    const found = cjsExports(readFileSync(require.resolve('react'), 'utf8'))
    assert.deepEqual(found.reexports, ['./cjs/react.production.js', './cjs/react.development.js'])
  })

  test("react's production build: its public API by name", () => {
    const { names } = cjsExports(
      readFileSync(join(dirname(require.resolve('react')), 'cjs/react.production.js'), 'utf8'),
    )
    for (const name of ['useState', 'useEffect', 'createElement', 'Component', 'Fragment', 'version']) {
      assert.ok(names.has(name), name)
    }
  })
})

describe('the /npm/ entry module', () => {
  test('CommonJS: the default plus the names of the modules it re-exports, followed through the core', () => {
    const files = {
      'node_modules/pkg/package.json': '{"name":"pkg","main":"index.js"}',
      'node_modules/pkg/index.js':
        "if (x) module.exports = require('./lib/impl')\nelse module.exports = require('./lib/other.js')",
      'node_modules/pkg/lib/impl.js': 'exports.a = 1; exports.b = 2',
      'node_modules/pkg/lib/other.js': 'exports.c = 3',
    }
    assert.equal(
      entryModule(loadNativeCoreOnce(), files, 'pkg'),
      'import m from "pkg"\nexport default m\nexport const { a, b, c } = m\n',
    )
  })

  test('ESM: export * and the default when it has one', () => {
    const files = {
      'node_modules/esm/package.json': '{"name":"esm","type":"module","exports":"./index.js"}',
      'node_modules/esm/index.js': 'export const a = 1\nexport default a',
    }
    assert.equal(
      entryModule(loadNativeCoreOnce(), files, 'esm'),
      'export * from "esm"\nexport { default } from "esm"\n',
    )
  })
})
