export function greet(name: string): string {
  return `Hello from ${name}!`
}

// Not imported anywhere: a tree-shaking check for the tests.
export function unusedHelper(): string {
  return 'this string must not appear in the bundle'
}
