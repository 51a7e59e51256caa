// Loads the Node-API addon built for this platform. `NEXXO_NATIVE_PATH` points at another build.
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')

function addonPath() {
  if (process.env.NEXXO_NATIVE_PATH) return process.env.NEXXO_NATIVE_PATH
  const base = join(__dirname, `nexxo.${process.platform}-${process.arch}`)
  if (process.platform !== 'linux') return `${base}.node`
  // Whichever libc build is present (a build machine makes one); probing files is far cheaper
  // than process.report.getReport() at every start.
  return [`${base}-gnu.node`, `${base}-musl.node`].find(existsSync) ?? `${base}-gnu.node`
}

module.exports = require(addonPath())
