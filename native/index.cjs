// Loads the Node-API addon built for this platform. `NEXXO_NATIVE_PATH` points at another build.
'use strict'
const { join } = require('node:path')
const { platform, arch } = process
const abi = platform === 'linux' ? (process.report?.getReport?.().header?.glibcVersionRuntime ? '-gnu' : '-musl') : ''
const file = process.env.NEXXO_NATIVE_PATH || join(__dirname, `nexxo.${platform}-${arch}${abi}.node`)
module.exports = require(file)
