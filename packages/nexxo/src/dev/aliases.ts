// What an import names before it is resolved, as builds have it: `resolve.alias` prefixes (the
// config's, which rolldown applies in builds) and tsconfig `paths` (rolldown reads them natively in
// builds; get-tsconfig's matcher, which follows TypeScript's own rules, does here).

import { createPathsMatcher, parseTsconfig } from 'get-tsconfig'

/** The specifiers to try for one import, in order (absolute paths, relative ones, or a package), or none. */
export type ImportAliases = (specifier: string) => string[]

export function importAliases(
  alias: Record<string, string> | undefined,
  tsconfigFile: string | undefined,
): ImportAliases | undefined {
  const prefixes = Object.entries(alias ?? {}).sort(([a], [b]) => b.length - a.length)
  let paths: ((specifier: string) => string[]) | null = null
  if (tsconfigFile) paths = createPathsMatcher({ path: tsconfigFile, config: parseTsconfig(tsconfigFile) })
  if (prefixes.length === 0 && !paths) return undefined
  return (specifier) => {
    // rolldown's alias: the key itself, or the key followed by a path.
    for (const [find, replacement] of prefixes) {
      if (specifier !== find && !specifier.startsWith(`${find}/`)) continue
      const replaced = replacement + specifier.slice(find.length)
      // A bare replacement names a package (`react` -> `preact/compat`), as in rolldown.
      return [replaced]
    }
    if (specifier.startsWith('.') || specifier.startsWith('/')) return []
    return paths?.(specifier) ?? []
  }
}
