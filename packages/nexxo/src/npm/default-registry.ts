// Alone in its module so that the page side of nexxo/browser can name it without the client.
export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/'
