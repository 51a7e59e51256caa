// An in-memory TypeScript project of N modules (a tree with fan-out 10, typed functions, an
// interface and a class per module): the wasm lane's benchmark input, as a files map.

export function generateTsProject(n) {
  const files = {}
  for (let i = 0; i < n; i++) {
    const children = []
    for (let c = 10 * i + 1; c <= 10 * i + 10 && c < n; c++) children.push(c)
    files[`src/m${i}.ts`] = `${children.map((c) => `import { run${c} } from './m${c}'`).join('\n')}

export interface Shape${i} {
  id: number
  label: string
  weight?: number
}

export class Box${i}<T extends Shape${i}> {
  private items: T[] = []
  add(item: T): this {
    this.items.push(item)
    return this
  }
  total(): number {
    return this.items.reduce((sum, item) => sum + (item.weight ?? 1), 0)
  }
}

export function run${i}(seed: number): number {
  const box = new Box${i}<Shape${i}>()
  for (let k = 0; k < ${(i % 5) + 2}; k++) box.add({ id: k, label: \`m${i}-\${k}\`, weight: seed % ${(i % 7) + 2} })
  return box.total()${children.map((c) => ` + run${c}(seed + ${c})`).join('')}
}

export const unused${i} = (): string => 'dead code ${i}'
${i === 0 ? 'console.log(run0(1))\n' : ''}`
  }
  return files
}
