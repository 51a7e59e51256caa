#!/usr/bin/env node
// Node announces WASI as experimental every time the wasm engine loads; that is noise for CLI users.
const [defaultWarningHandler] = process.listeners('warning')
if (defaultWarningHandler) {
  process.off('warning', defaultWarningHandler)
  process.on('warning', (w) => {
    if (!(w.name === 'ExperimentalWarning' && /WASI/.test(w.message))) defaultWarningHandler(w)
  })
}
import('../dist/node/cli.js').then((cli) => cli.main(process.argv.slice(2)))
