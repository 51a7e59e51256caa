// Alone in their module so that the page side of nexxo/browser, and a bundler that installs nothing,
// can name them without the client (and semver with it).
import { NexxoError } from '../errors.js'

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/'

/** The registry URL as the client uses it (with a trailing slash); INVALID_OPTION if it is none. */
export function registryUrl(url: string = DEFAULT_REGISTRY): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw NexxoError.single('INVALID_OPTION', `registry ${JSON.stringify(url)} is not a URL.`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw NexxoError.single('INVALID_OPTION', `registry must be an http(s) URL, got ${parsed.protocol}`)
  }
  return parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`
}
