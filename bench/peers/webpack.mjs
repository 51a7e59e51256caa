// webpack 5 with swc-loader, the classic baseline: production mode (terser minifies), source maps,
// and webpack's filesystem cache when the job has a `cacheDir`. Usage: node webpack.mjs '<job json>'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import webpack from 'webpack'

const require = createRequire(import.meta.url)
const job = JSON.parse(process.argv[2])
const swc = (syntax, jsx) => ({
  loader: require.resolve('swc-loader'),
  options: {
    jsc: {
      parser: syntax === 'typescript' ? { syntax, tsx: jsx } : { syntax, jsx },
      transform: { react: { runtime: 'automatic' } },
      target: 'es2020',
    },
  },
})
const compiler = webpack({
  mode: 'production',
  context: job.app,
  entry: join(job.app, job.entry),
  output: { path: job.out, filename: '[name]-[contenthash].js', clean: true },
  devtool: 'source-map',
  resolve: { extensions: ['.tsx', '.ts', '.jsx', '.js', '.mjs', '.json'] },
  module: {
    rules: [
      { test: /\.[cm]?jsx?$/, exclude: /node_modules/, use: swc('ecmascript', true) },
      { test: /\.ts$/, exclude: /node_modules/, use: swc('typescript', false) },
      { test: /\.tsx$/, exclude: /node_modules/, use: swc('typescript', true) },
    ],
  },
  cache: job.cacheDir ? { type: 'filesystem', cacheDirectory: job.cacheDir } : false,
  infrastructureLogging: { level: 'none' },
  stats: 'none',
})
await new Promise((done, fail) =>
  compiler.run((error, stats) => {
    const failed = error ?? (stats?.hasErrors() ? new Error(stats.toString('errors-only')) : undefined)
    compiler.close(() => (failed ? fail(failed) : done()))
  }),
)
