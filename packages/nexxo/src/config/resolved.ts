// What Vite plugins receive in `configResolved`: Vite's ResolvedConfig, as far as Nexxo has the
// same settings. Official plugins read it without checks (`config.build.sourcemap`,
// `config.define.X`, `config.logger.warn`), so every object they reach must exist, with Vite's
// defaults where the user set nothing.

import type { ConfigEnv, NexxoPlugin } from '../plugin/types.js'
import type { UserConfig } from './schema.js'

export interface ResolvedLogger {
  info(message: string): void
  warn(message: string): void
  warnOnce(message: string): void
  error(message: string): void
  clearScreen(): void
  hasWarned: boolean
}

/** Messages to stderr, prefixed as Vite's logger is not: the user sees which tool spoke. */
function logger(): ResolvedLogger {
  const warned = new Set<string>()
  const log: ResolvedLogger = {
    hasWarned: false,
    info: (m) => console.error(m),
    warn(m) {
      log.hasWarned = true
      console.error(`warning: ${m}`)
    },
    warnOnce(m) {
      if (warned.has(m)) return
      warned.add(m)
      log.warn(m)
    },
    error: (m) => console.error(`error: ${m}`),
    clearScreen() {},
  }
  return log
}

export function resolvedConfig(
  config: UserConfig,
  env: ConfigEnv,
  root: string,
  plugins: readonly NexxoPlugin[],
): Record<string, unknown> {
  const build = config.build ?? {}
  return {
    ...config,
    root,
    base: config.base ?? '/',
    command: env.command,
    mode: env.mode,
    // As Vite's NODE_ENV: production for every build but a development-mode one.
    isProduction: env.command === 'build' && env.mode !== 'development',
    isWorker: false,
    publicDir: config.publicDir === false ? '' : `${root}/${config.publicDir ?? 'public'}`,
    define: { ...config.define },
    env: { MODE: env.mode, DEV: env.command === 'serve', PROD: env.command === 'build', BASE_URL: config.base ?? '/' },
    plugins,
    resolve: { alias: [], dedupe: [], conditions: [], mainFields: [], extensions: [], ...config.resolve },
    build: {
      outDir: 'dist',
      assetsDir: 'assets',
      sourcemap: false,
      minify: env.command === 'build',
      target: 'baseline-widely-available',
      assetsInlineLimit: 4096,
      ssr: false,
      watch: null,
      rollupOptions: {},
      ...build,
    },
    server: { port: 5173, host: 'localhost', hmr: true, ...config.server },
    css: { devSourcemap: false },
    logger: logger(),
  }
}
