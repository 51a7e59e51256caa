// The app pipeline: the built-in plugins that make a Vite-shaped project build (pages, assets,
// workers, CSS), in the order they run, around the user's plugins. All of them filter by id or
// code, so rolldown decides natively which modules cross into JS.

import type { Plugin } from 'rolldown'
import { AssetEmitter, assetsPlugin, importMetaUrlPlugin, publicImportsPlugin } from './assets.js'
import { type CompiledStyle, cssPlugin, entryStylesPlugin } from './css.js'
import type { CssLoader } from './css-engine.js'
import { pagesPlugin } from './html.js'
import { workersPlugin } from './workers.js'

export interface AppSettings {
  /** Absolute project root; '' for a `files` build (whose ids are `/` + key). */
  root: string
  base: string
  assetsInlineLimit: number
  cssTargets: Record<string, number>
  minify: boolean
  /** Source maps for stylesheets, named by this pattern (the build's `assetFileNames`). */
  sourcemap?: { assetFileNames: string }
  css: CssLoader
  /** Root-relative URLs (`/favicon.svg`) of the files in `public/`. */
  publicFiles: ReadonlySet<string>
  /** A project file's bytes by id; undefined when it does not exist. */
  read(id: string): Uint8Array | undefined
  hash(bytes: Uint8Array): string
  /** Vite's `transformIndexHtml`, run over each page before it is parsed. */
  transformHtml?: (html: string, id: string) => Promise<string>
}

export interface AppPipeline {
  /** Before the user's `normal` plugins (Vite's core plugins sit there too). */
  plugins: Plugin[]
  /** CSS module ids the build compiled (their JS stand-ins render nothing, so chunks omit them). */
  styles: ReadonlyMap<string, CompiledStyle>
}

const decoder = new TextDecoder()

export function appPipeline(entries: string[], settings: AppSettings): AppPipeline {
  const assets = new AssetEmitter({
    base: settings.base,
    inlineLimit: settings.assetsInlineLimit,
    read: settings.read,
    hash: settings.hash,
  })
  const isPublic = (url: string) => settings.publicFiles.has(decodeURI(url.replace(/[?#].*$/, '')))
  const css = cssPlugin({
    engine: settings.css,
    root: settings.root,
    targets: settings.cssTargets,
    minify: settings.minify,
    sourcemap: settings.sourcemap !== undefined,
    assets,
    isPublic,
  })
  const readText = (id: string) => {
    const bytes = settings.read(id)
    return bytes === undefined ? undefined : decoder.decode(bytes)
  }
  return {
    plugins: [
      pagesPlugin({
        root: settings.root,
        base: settings.base,
        assets,
        readText,
        isPublic,
        ...(settings.transformHtml ? { transformHtml: settings.transformHtml } : {}),
      }),
      workersPlugin(),
      assetsPlugin(assets),
      publicImportsPlugin({ root: settings.root, base: settings.base, isPublic, read: settings.read }),
      importMetaUrlPlugin(assets),
      css.plugin,
      entryStylesPlugin(entries, css, {
        engine: settings.css,
        minify: settings.minify,
        targets: settings.cssTargets,
        root: settings.root,
        ...(settings.sourcemap
          ? { sourcemap: { assetFileNames: settings.sourcemap.assetFileNames, hash: settings.hash } }
          : {}),
      }),
    ],
    styles: css.styles,
  }
}
