// What a build adds to the engine's input for an app: the pipeline plugins (pages, assets, workers,
// CSS), the user's plugins in Vite's order, `import.meta.env`, tsconfig's say on JSX and
// decorators; and, after the engine, the finished pages and the copied `public/` directory. The
// same for builds from disk and from `files`: both reach the project through `ProjectAccess`.

import type { CssLoader } from '../app/css-engine.js'
import { cssTargets } from '../app/css-engine.js'
import { envDefine, loadEnv } from '../app/env.js'
import { finishPages } from '../app/html.js'
import { appPipeline } from '../app/pipeline.js'
import { projectTsconfig } from '../app/tsconfig.js'
import type { OutputFile } from '../engines/types.js'
import { type Diagnostic, NexxoError } from '../errors.js'
import { type BuildPlugins, forEngine, indexHtmlTransform, pluginsCacheKey } from '../plugin/container.js'
import type { NormalizedBuild } from './options.js'

export interface ProjectAccess {
  /** Absolute root; '' for `files` builds, whose ids are `/` + key. */
  root: string
  /** A project file's bytes by id. */
  read(id: string): Uint8Array | undefined
  /** The files under `dir` (an id), relative to it. */
  list(dir: string): string[]
  /** The process environment, for disk builds on a server; never for `files` builds. */
  processEnv?: Record<string, string | undefined>
}

export interface AppInput {
  plugins: unknown[]
  define: Record<string, string>
  styles: ReadonlyMap<string, unknown>
  /** The plugins' part of the cache key; undefined when a plugin cannot be keyed (no cache then). */
  cacheKey: string | undefined
  /** tsconfig's `experimentalDecorators`: rolldown compiles legacy decorators itself. */
  legacyDecorators: boolean
  /** Set when tsconfig's `jsx: preserve` must be overridden (JSX cannot be left in a browser bundle). */
  jsx?: { runtime: 'automatic'; importSource: string }
}

const decoder = new TextDecoder()

export function prepareApp(
  build: NormalizedBuild,
  entries: string[],
  selected: BuildPlugins,
  access: ProjectAccess,
  engine: { css: CssLoader; hash(bytes: Uint8Array): string },
  warnings: Diagnostic[],
): AppInput {
  const readText = (id: string) => {
    const bytes = access.read(id)
    return bytes === undefined ? undefined : decoder.decode(bytes)
  }
  const vars = loadEnv({
    mode: build.mode,
    base: build.base,
    prefixes: build.envPrefix,
    read: (file) => readText(`${access.root}/${file}`),
    ...(access.processEnv ? { processEnv: access.processEnv } : {}),
  })
  let targets: Record<string, number>
  try {
    targets = cssTargets(build.cssTarget)
  } catch (e) {
    throw NexxoError.single('INVALID_OPTION', `cssTarget: ${(e as Error).message}`)
  }
  const publicFiles = new Set<string>()
  if (build.publicDir !== false) {
    for (const file of access.list(`${access.root}/${build.publicDir}`)) publicFiles.add(`/${file}`)
  }
  const { applied } = selected
  const transformHtml = indexHtmlTransform(applied, build.pluginTimeout)
  const pipeline = appPipeline(entries, {
    root: access.root,
    base: build.base,
    assetsInlineLimit: build.assetsInlineLimit,
    cssTargets: targets,
    minify: build.minify,
    ...(build.sourcemap ? { sourcemap: { assetFileNames: build.assetFileNames } } : {}),
    css: engine.css,
    publicFiles,
    read: access.read,
    hash: engine.hash,
    ...(transformHtml
      ? {
          transformHtml: (html: string, id: string) => {
            const path = id.startsWith(`${access.root}/`) ? id.slice(access.root.length) : id
            return transformHtml(html, { path, filename: id })
          },
        }
      : {}),
  })
  const tsconfig = projectTsconfig(access.root, readText)
  const input: AppInput = {
    plugins: [
      ...selected.pre.map((p) => forEngine(p, build.pluginTimeout)),
      ...pipeline.plugins,
      ...selected.normal.map((p) => forEngine(p, build.pluginTimeout)),
      ...selected.post.map((p) => forEngine(p, build.pluginTimeout)),
    ],
    define: envDefine(vars, { mode: build.mode, base: build.base, dev: false }),
    styles: pipeline.styles,
    cacheKey: pluginsCacheKey(applied),
    // Disk builds only: there rolldown reads tsconfig and compiles legacy decorators itself.
    legacyDecorators: access.root !== '' && tsconfig?.experimentalDecorators === true,
  }
  if (tsconfig?.jsx === 'preserve' || tsconfig?.jsx === 'react-native') {
    const importSource = tsconfig.jsxImportSource ?? 'react'
    input.jsx = { runtime: 'automatic', importSource }
    warnings.push({
      code: 'TSCONFIG_JSX',
      message: `${tsconfig.file.slice(access.root.length + 1)} sets "jsx": "${tsconfig.jsx}", which leaves JSX for another tool; a browser cannot run it, so Nexxo compiles it with the automatic runtime from '${importSource}'.`,
    })
  }
  return input
}

/** The outputs with each page finished and `public/` copied in; a name both claim is an error. */
export function finishApp(outputs: OutputFile[], build: NormalizedBuild, access: ProjectAccess): OutputFile[] {
  const finished = finishPages(outputs, access.root, build.base)
  if (build.publicDir === false) return finished
  const dir = `${access.root}/${build.publicDir}`
  const taken = new Set(finished.map((o) => o.fileName))
  const copied: OutputFile[] = []
  for (const file of access.list(dir)) {
    if (taken.has(file)) {
      throw NexxoError.single(
        'OUTPUT_CONFLICT',
        `${build.publicDir}/${file} and a built file would both be written to ${file}; rename one of them.`,
        { file: `${build.publicDir}/${file}` },
      )
    }
    const code = access.read(`${dir}/${file}`)
    if (code !== undefined) copied.push({ fileName: file, type: 'asset', code })
  }
  return [...finished, ...copied]
}
