// Responses of the edge handler: every error is JSON with a stable `code` and the status its kind
// calls for; CORS is opt-in, except the immutable package bundles any page may load.

import { type Diagnostic, NexxoError } from '../errors.js'

/** The status of each error code the handler can answer with; a build's own errors are 422. */
const STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_OPTION: 400,
  INVALID_PATH: 400,
  MISSING_ENTRY: 400,
  INVALID_PACKAGE: 400,
  UNSUPPORTED_SPEC: 400,
  NOT_FOUND: 404,
  PACKAGE_NOT_FOUND: 404,
  NO_MATCHING_VERSION: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  BODY_TOO_LARGE: 413,
  TOO_MANY_FILES: 413,
  REGISTRY_UNREACHABLE: 502,
  REGISTRY_ERROR: 502,
  REGISTRY_ORIGIN: 502,
  BACKEND_UNAVAILABLE: 503,
  BUILD_TIMEOUT: 504,
  INTERNAL: 500,
}

export const statusOf = (code: string): number => STATUS[code] ?? 422

/**
 * Codes that are the request's fault on `/npm/` but the project's inside a build: an import of a
 * package the registry lacks is a build error (422, located at the import), not a missing route.
 */
const PROJECT_ERRORS = new Set(['PACKAGE_NOT_FOUND', 'NO_MATCHING_VERSION', 'INVALID_PACKAGE', 'UNSUPPORTED_SPEC'])

export interface Cors {
  /** Origins allowed to call every endpoint (`*`: any). Default: none. */
  origins: string[] | '*'
}

/** `Access-Control-Allow-Origin` for this request, if `cors` allows its origin. */
export function corsHeaders(request: Request, cors: Cors | undefined): Record<string, string> {
  const origin = request.headers.get('origin')
  if (!cors || !origin) return {}
  if (cors.origins === '*') return { 'access-control-allow-origin': '*' }
  return cors.origins.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  })
}

/** Any thrown value as the JSON error response clients can branch on. */
export function errorResponse(e: unknown, headers: Record<string, string> = {}, inBuild = false): Response {
  const error =
    e instanceof NexxoError
      ? e
      : NexxoError.single('INTERNAL', `Internal error: ${e instanceof Error ? e.message : String(e)}`)
  const diagnostics: Diagnostic[] = error.diagnostics
  const status = inBuild && PROJECT_ERRORS.has(error.code) ? 422 : statusOf(error.code)
  return json(status, { code: error.code, message: error.message, diagnostics }, headers)
}

export const fail = (code: string, message: string): NexxoError => NexxoError.single(code, message)
