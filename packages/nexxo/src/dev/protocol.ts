// The messages of the HMR socket, server to client: one union that the server sends and the client
// (client.ts) switches over, so that neither side can drift from the other.

import type { Diagnostic } from '../errors.js'

/** What the overlay shows: a diagnostic with its root-relative file, line, column and frame. */
export type DevError = Diagnostic

export interface HotUpdate {
  /** The module whose accept handler runs (its URL path, e.g. `/src/App.tsx`). */
  boundary: string
  /** The module that changed or through which the change arrived. */
  acceptedVia: string
  /** Where its new version is imported from. */
  url: string
}

export type ServerMessage =
  | { type: 'connected' }
  | { type: 'update'; updates: HotUpdate[] }
  | { type: 'full-reload'; reason: string }
  | { type: 'prune'; paths: string[] }
  | { type: 'error'; error: DevError }
  | { type: 'error-fixed' }

/** The one query parameter the socket URL carries: the per-process token. */
export const TOKEN_PARAM = 'token'
/** The socket's path, beside the modules. */
export const SOCKET_PATH = '/@nexxo/hmr'
