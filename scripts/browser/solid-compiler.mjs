// Babel with Solid's preset for nexxo/solid in the browser worker: bundled by itself into one
// self-contained file (scripts/build-browser.mjs), which the worker imports by URL on the first
// Solid build. Babel is written for Node; the shims beside this file stand in for what it reaches.
import * as babel from '@babel/core'
import preset from 'babel-preset-solid'

export const compiler = { babel, preset }
