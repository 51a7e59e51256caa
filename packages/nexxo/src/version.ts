// Part of every cache key: a new nexxo may shape outputs differently. A constant rather than a read
// of package.json, so that the browser and edge bundles carry it too; a test keeps the two equal.
export const NEXXO_VERSION = '0.1.0'
