// `process` for Babel in a worker: it reads `process.env` flags and `process.cwd()` (nexxo/solid
// passes `cwd` and `envName`, so only defaults ever read these).
export default {
  env: {},
  cwd: () => '/',
  platform: 'browser',
  version: '',
  versions: {},
  emitWarning() {},
}
