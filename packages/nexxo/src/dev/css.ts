// Stylesheets in dev, through the same lightningcss as builds: `@import`s become imports of their
// JS forms (so each is its own hot-swappable <style>), `url()`s point at the files from the root
// (a <style> resolves them against the page, not the stylesheet), and CSS modules export their class
// map. Not lowered for targets: a dev browser is a recent one, and a save should cost nothing extra.

import { moduleExports } from '../app/css.js'
import type { CssEngine } from '../app/css-engine.js'
import { codeFrame, NexxoError } from '../errors.js'
import { cssModuleCode, type DevModule, type ModuleLinks, moduleUrl } from './transform.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const isExternal = (url: string) => /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(url)
/** CSS reads `@import 'a.css'` as relative; so does the dev server. */
const relativeSpecifier = (url: string) => (url.startsWith('.') || url.startsWith('/') ? url : `./${url}`)

export function devCss(engine: CssEngine, css: string, path: string, links: ModuleLinks): DevModule {
  const isModule = /\.module\.css$/.test(path)
  let result: ReturnType<CssEngine['transform']>
  try {
    result = engine.transform({
      filename: path.slice(1),
      code: encoder.encode(css),
      cssModules: isModule ? { pattern: '_[local]_[hash]' } : false,
      analyzeDependencies: true,
    })
  } catch (e) {
    const err = e as { message: string; loc?: { line: number; column: number } }
    throw NexxoError.single('CSS_ERROR', err.message, {
      file: path.slice(1),
      ...(err.loc
        ? { line: err.loc.line, column: err.loc.column, frame: codeFrame(css, err.loc.line, err.loc.column) }
        : {}),
    })
  }
  let code = decoder.decode(result.code)
  const deps: string[] = []
  const imports: string[] = []
  const importOf = (url: string): string => {
    const target = links.resolve(relativeSpecifier(url), path)
    if (!target) {
      throw NexxoError.single('UNRESOLVED_IMPORT', `Could not resolve '${url}' from ${path.slice(1)}`, {
        file: path.slice(1),
      })
    }
    deps.push(target)
    return moduleUrl(target, links.version(target))
  }
  for (const dep of result.dependencies ?? []) {
    if (dep.type === 'import') {
      if (isExternal(dep.url)) code = `@import ${JSON.stringify(dep.url)};\n${code}`
      else imports.push(importOf(dep.url))
    } else if (dep.type === 'url') {
      const [file, suffix = ''] = dep.url.split(/(?=[?#])/, 2)
      const target =
        isExternal(dep.url) || dep.url.startsWith('data:') || !file
          ? null
          : links.resolve(relativeSpecifier(file), path)
      code = code.replaceAll(dep.placeholder, target ? target + suffix : dep.url)
    }
  }
  if (!isModule) {
    const module = cssModuleCode(code, path, imports)
    return { ...module, deps }
  }
  const lines = imports.map((url) => `import ${JSON.stringify(url)};`)
  const exports = moduleExports(result, lines, importOf)
  // Not self-accepting: new class names must reach the components that use them, so an update
  // re-runs the importers (a React component accepts it through Fast Refresh).
  const inject = cssModuleCode(code, path, []).code.replace('import.meta.hot.accept();\n', '')
  return {
    code: [...lines, inject, ...exports].join('\n'),
    deps,
    missingDeps: [],
    hot: { selfAccepting: false, acceptedDeps: [] },
  }
}

/**
 * `?inline` in dev: the stylesheet and what it `@import`s as one string (no <style> injected), with
 * `url()`s from the root as in devCss. `read` gives a root path's text.
 */
export function inlineCss(
  engine: CssEngine,
  path: string,
  links: ModuleLinks,
  read: (path: string) => string,
  seen = new Set([path]),
): string {
  const css = read(path)
  let result: ReturnType<CssEngine['transform']>
  try {
    result = engine.transform({
      filename: path.slice(1),
      code: encoder.encode(css),
      cssModules: /\.module\.css$/.test(path) ? { pattern: '_[local]_[hash]' } : false,
      analyzeDependencies: true,
    })
  } catch (e) {
    const err = e as { message: string; loc?: { line: number; column: number } }
    throw NexxoError.single('CSS_ERROR', err.message, {
      file: path.slice(1),
      ...(err.loc
        ? { line: err.loc.line, column: err.loc.column, frame: codeFrame(css, err.loc.line, err.loc.column) }
        : {}),
    })
  }
  let code = decoder.decode(result.code)
  const parts: string[] = []
  for (const dep of result.dependencies ?? []) {
    if (dep.type === 'import') {
      if (isExternal(dep.url)) {
        code = `@import ${JSON.stringify(dep.url)};\n${code}`
        continue
      }
      const target = links.resolve(relativeSpecifier(dep.url), path)
      if (!target) {
        throw NexxoError.single('UNRESOLVED_IMPORT', `Could not resolve '${dep.url}' from ${path.slice(1)}`, {
          file: path.slice(1),
        })
      }
      if (seen.has(target)) continue
      seen.add(target)
      parts.push(inlineCss(engine, target, links, read, seen))
    } else if (dep.type === 'url') {
      const [file, suffix = ''] = dep.url.split(/(?=[?#])/, 2)
      const target =
        isExternal(dep.url) || dep.url.startsWith('data:') || !file
          ? null
          : links.resolve(relativeSpecifier(file), path)
      code = code.replaceAll(dep.placeholder, target ? target + suffix : dep.url)
    }
  }
  parts.push(code)
  return parts.join('\n')
}
