// One module as the dev server sends it, through both compilers (oxc in native rolldown, and
// @swc/wasm-web where that binding cannot load): the same rewriting, the same located errors.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadWasmCore, nodeSwc } from '../build/backend.js'
import { lineColumn, utf16Index } from '../core/offsets.js'
import { NexxoError } from '../errors.js'
import {
  type Compile,
  cssModuleCode,
  type ModuleLinks,
  oxcCompiler,
  swcCompiler,
  transformScript,
} from './transform.js'

const core = await loadWasmCore()
const compilers: [string, Compile][] = [
  ['oxc', oxcCompiler(await import('oxc-transform'))],
  ['swc', swcCompiler(await nodeSwc.load())],
]

const files = new Set(['/src/App.tsx', '/src/greet.ts', '/src/dep.ts', '/src/style.css', '/src/lib/index.ts'])
const links: ModuleLinks = {
  resolve(specifier, importer) {
    const base = specifier.startsWith('/') ? specifier : new URL(specifier, `file://${importer}`).pathname
    for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`])
      if (files.has(candidate)) return candidate
    return null
  },
  dependency: (specifier) =>
    specifier === 'react' || specifier === 'react/jsx-dev-runtime'
      ? `/@deps/${specifier.replace(/\//g, '__')}.js`
      : null,
  version: (path) => (path === '/src/greet.ts' ? 3 : 0),
}

const component = `import { useState } from 'react'
import { greet } from './greet'
import type { Props } from './types'
import './style.css'

export function Counter({ label }: Props) {
  const [count, setCount] = useState(0)
  return <button onClick={() => setCount(count + 1)}>{greet(label)}: {count}</button>
}
`

for (const [name, compile] of compilers) {
  describe(`dev transform (${name})`, () => {
    test('a component: compiled, imports rewritten, Fast Refresh registered and self-accepting', () => {
      const out = transformScript(core, compile, component, '/src/Counter.tsx', links, 'react')
      assert.match(out.code, /from ["']\/@deps\/react\.js["']/)
      assert.match(out.code, /from ["']\/src\/greet\.ts\?v=3["']/, 'relative imports carry their version')
      assert.match(out.code, /["']\/src\/style\.css\?import&v=0["']/, 'CSS is imported as a module')
      assert.match(out.code, /\/@deps\/react__jsx-dev-runtime\.js/)
      assert.ok(!out.code.includes('./types'), 'type-only imports are gone')
      assert.match(out.code, /\$RefreshReg\$\(_c, "Counter"\)/)
      assert.match(out.code, /import\.meta\.hot = __hot\("\/src\/Counter\.tsx"/)
      assert.match(
        out.code,
        /\n\/\/# sourceMappingURL=data:application\/json;base64,\S+\s*$/,
        'the inline map ends the module',
      )
      assert.deepEqual(out.deps.sort(), ['/src/greet.ts', '/src/style.css'])
      assert.deepEqual(out.hot, { selfAccepting: true, acceptedDeps: [] })
      assert.deepEqual(out.missingDeps, [])
    })

    test("Preact: prefresh's registrations and signatures, accepted by flushing prefresh's updates", () => {
      const preactLinks: ModuleLinks = {
        ...links,
        dependency: (s) =>
          s.startsWith('preact') || s.startsWith('@prefresh/') ? `/@deps/${s.replace(/\//g, '__')}.js` : null,
      }
      const source = component.replace("from 'react'", "from 'preact/hooks'")
      const out = transformScript(core, compile, source, '/src/Counter.tsx', preactLinks, 'preact')
      assert.match(out.code, /self\.__PREFRESH__\.register\(type, "\/src\/Counter\.tsx" \+ ' ' \+ id\)/)
      assert.match(out.code, /self\.__PREFRESH__\.sign\(/)
      assert.match(out.code, /import \{ flush as __prefreshFlush \} from "\/@deps\/@prefresh__utils\.js"/)
      assert.doesNotMatch(out.code, /__nexxo_refresh/)
      assert.deepEqual(out.hot, { selfAccepting: true, acceptedDeps: [] })
    })

    test('without refresh a component module is plain: no registrations, not self-accepting', () => {
      const out = transformScript(core, compile, component, '/src/Counter.tsx', links, false)
      assert.ok(!out.code.includes('$RefreshReg$'))
      assert.equal(out.hot.selfAccepting, false)
    })

    test('import.meta.hot.accept(deps) resolves its dependencies for the client', () => {
      const source = "import { d } from './dep'\nconsole.log(d)\nimport.meta.hot.accept('./dep', () => {})\n"
      const out = transformScript(core, compile, source, '/src/main.ts', links, 'react')
      assert.deepEqual(out.hot, { selfAccepting: false, acceptedDeps: ['/src/dep.ts'] })
      assert.match(out.code, /__hot\("\/src\/main\.ts", \{"\.\/dep":"\/src\/dep\.ts"\}\)/)
    })

    test('a bare import that is not pre-bundled is reported, not guessed', () => {
      const out = transformScript(
        core,
        compile,
        "import x from 'left-pad'\nconsole.log(x)\n",
        '/src/a.ts',
        links,
        'react',
      )
      assert.deepEqual(out.missingDeps, ['left-pad'])
    })

    test('a syntax error is located: file, line, column, frame', () => {
      const source = 'const a = 1\nconst b = <div>{a</div>\n'
      const error = (() => {
        try {
          transformScript(core, compile, source, '/src/Bad.tsx', links, 'react')
        } catch (e) {
          return e
        }
      })()
      assert.ok(error instanceof NexxoError, String(error))
      const [d] = error.diagnostics
      assert.equal(d?.file, 'src/Bad.tsx')
      assert.equal(d?.line, 2)
      assert.ok(d?.column && d.column > 10 && d.column < 22, String(d?.column))
      assert.match(d?.frame ?? '', /> 2 \| const b = <div>\{a<\/div>/)
      assert.ok(!/\x1b\[/.test(d?.message ?? ''), 'no terminal colours in the message')
    })

    test('an import of nothing is an UNRESOLVED_IMPORT at its specifier', () => {
      const source = "import { a } from './a'\nimport { nope } from './missing'\nconsole.log(a, nope)\n"
      assert.throws(
        () => transformScript(core, compile, source, '/src/lib/index.ts', links, 'react'),
        (e: NexxoError) => {
          const [d] = e.diagnostics
          return e.code === 'UNRESOLVED_IMPORT' && d?.line === 1 && /'\.\/a'/.test(d.message)
        },
      )
    })
  })
}

test('oxc reports UTF-8 byte offsets; the overlay gets the column an editor shows', () => {
  const located = (firstLine: string) => {
    try {
      compilers[0]![1](`${firstLine}\nconst b = <div>{a</div>\n`, '/src/Bad.tsx', true)
    } catch (e) {
      return (e as NexxoError).diagnostics[0]
    }
    assert.fail('no error')
  }
  const ascii = located('const e = "abc"')
  // Nine more bytes on the line before, none more characters on the error's line.
  const wide = located('const é = "日本語"')
  assert.equal(wide?.line, 2)
  assert.equal(wide?.column, ascii?.column)
  const text = 'é\n日x'
  assert.deepEqual(lineColumn(text, utf16Index(text, Buffer.byteLength('é\n日'))), { line: 2, column: 2 })
})

test('CSS becomes a self-accepting module that injects and removes its style', () => {
  const out = cssModuleCode('a { color: red }', '/src/style.css', [])
  assert.match(out.code, /updateStyle\("\/src\/style\.css", "a \{ color: red \}"\)/)
  assert.match(out.code, /import\.meta\.hot\.prune/)
  assert.deepEqual(out.hot, { selfAccepting: true, acceptedDeps: [] })
})
