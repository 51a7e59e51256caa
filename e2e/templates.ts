// create-vite's templates as the e2e tests use them: fresh copies from the pinned `create-vite`
// package (a root devDependency, so the test setup is `npm install`).

import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { repo } from './helpers.js'

export const TEMPLATES = ['vanilla-ts', 'react-ts', 'preact-ts', 'lit-ts'] as const

/**
 * Templates whose `vite.config.ts` names an official framework plugin: vue-ts's
 * `@vitejs/plugin-vue` and solid-ts's `vite-plugin-solid` run as they are in builds;
 * svelte-ts's `@sveltejs/vite-plugin-svelte` runs as nexxo/svelte.
 */
export const PLUGIN_TEMPLATES = ['vue-ts', 'svelte-ts', 'solid-ts'] as const

/**
 * A fresh copy of a template inside the repository (so that its imports resolve from the root
 * node_modules, where the test setup installed the templates' dependencies), with create-vite's
 * `_gitignore` renamed as create-vite renames it.
 */
export function copyTemplate(name: string, into: string): string {
  const dir = join(into, name)
  rmSync(dir, { recursive: true, force: true })
  cpSync(join(repo, 'node_modules/create-vite', `template-${name}`), dir, { recursive: true })
  if (existsSync(join(dir, '_gitignore'))) renameSync(join(dir, '_gitignore'), join(dir, '.gitignore'))
  return dir
}

export function templatesWorkDir(label: string): string {
  const dir = join(repo, 'e2e/artifacts', `work-${label}-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Templates the dev e2e serves in `nexxo dev` (render, count, HMR of the component and its CSS). */
export const DEV_TEMPLATES = [...TEMPLATES, ...PLUGIN_TEMPLATES] as const
