// @rolldown/browser's N-API layer (emnapi) hands bytes to JS as Node Buffers, and looks for a
// global `Buffer` once, as it loads. A worker has none, so an emitted asset with bytes (an image)
// failed to leave the engine. `buffer` is the polyfill emnapi's own message suggests. Imported
// first by the worker, before the engine's chunk is fetched.

import { Buffer } from 'buffer'

const scope = globalThis as { Buffer?: unknown }
scope.Buffer ??= Buffer
