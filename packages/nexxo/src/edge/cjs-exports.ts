// The named exports of a CommonJS module, read from its text: `/npm/` answers one ES module, and
// `import { useState } from '/npm/react@19.2.0'` needs `useState` exported by name. esm.sh runs
// cjs-module-lexer for this; its ESM build compiles wasm from bytes, which workerd forbids, so this
// reads the forms compilers and hand-written packages emit:
//   exports.name = …            exports['name'] = …        Object.defineProperty(exports, 'name', …)
//   module.exports = { a, b: …, c() {} }                  module.exports = require('./other')
// A name it misses is still reachable through the default export (the whole `module.exports`).

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval'
  ).split(' '),
)

export interface CjsExports {
  names: Set<string>
  /** `module.exports = require(…)` targets, to be read in turn. */
  reexports: string[]
}

export function cjsExports(source: string): CjsExports {
  const names = new Set<string>()
  const reexports: string[] = []
  for (const m of source.matchAll(
    /(?:^|[^.\w$])(?:module\.)?exports\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"]+)\2\s*\])\s*=[^=]/g,
  )) {
    names.add(m[1] ?? m[3]!)
  }
  for (const m of source.matchAll(/Object\.defineProperty\(\s*(?:module\.)?exports\s*,\s*(['"])([^'"]+)\1/g)) {
    names.add(m[2]!)
  }
  for (const m of source.matchAll(/(?:^|[^.\w$])module\.exports\s*=\s*require\(\s*(['"])([^'"]+)\1\s*\)/g)) {
    reexports.push(m[2]!)
  }
  for (const m of source.matchAll(/(?:^|[^.\w$])module\.exports\s*=\s*\{/g)) {
    for (const entry of topLevelEntries(source, m.index + m[0].length)) {
      const key = /^\s*(?:['"]([^'"]+)['"]|([A-Za-z_$][\w$]*))\s*(?::|\(|$)/.exec(entry)
      if (key) names.add(key[1] ?? key[2]!)
    }
  }
  names.delete('__esModule')
  names.delete('default')
  return { names, reexports }
}

/** The comma-separated entries of the object literal whose body starts at `from`, nested ones skipped. */
function topLevelEntries(source: string, from: number): string[] {
  const entries: string[] = []
  let depth = 0
  let start = from
  for (let i = from; i < source.length; i++) {
    const c = source[i]
    if (c === '{' || c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (c === '}') {
      if (depth === 0) {
        entries.push(source.slice(start, i))
        return entries
      }
      depth--
    } else if (c === ',' && depth === 0) {
      entries.push(source.slice(start, i))
      start = i + 1
    } else if (c === '"' || c === "'" || c === '`') {
      const end = source.indexOf(c, i + 1)
      if (end < 0) break
      i = end
    }
  }
  return entries
}

/** Names that can follow `export const` (identifiers, not reserved words). */
export const exportableName = (name: string): boolean => IDENTIFIER.test(name) && !RESERVED.has(name)
