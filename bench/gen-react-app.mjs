// Generates a React app of N components shaped like the rolldown/benchmarks and Rspack
// build-tools-performance apps: a tree of components with fan-out 10, each with state, a handler,
// a helper module and JSX. Usage: node bench/gen-react-app.mjs 1000 [outDir]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function generateReactApp(n, dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'src/components'), { recursive: true })
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html>\n<html lang="en">\n  <head><meta charset="UTF-8" /><title>react-${n}</title></head>\n  <body>\n    <div id="root"></div>\n    <script type="module" src="/src/main.jsx"></script>\n  </body>\n</html>\n`,
  )
  writeFileSync(
    join(dir, 'src/main.jsx'),
    `import { createRoot } from 'react-dom/client'\nimport { C0 } from './components/c0.jsx'\n\ncreateRoot(document.getElementById('root')).render(<C0 depth={0} />)\n`,
  )
  // No CSS: rolldown 1.0 called directly rejects CSS imports, and it is the baseline here.
  // Components come in pairs of files (component + helper), so N counts components, not files.
  for (let i = 0; i < n; i++) {
    const children = []
    for (let c = 10 * i + 1; c <= 10 * i + 10 && c < n; c++) children.push(c)
    const imports = children.map((c) => `import { C${c} } from './c${c}.jsx'`).join('\n')
    const rendered = children.map((c) => `      <C${c} depth={depth + 1} />`).join('\n')
    writeFileSync(
      join(dir, `src/components/c${i}.jsx`),
      `import { useState } from 'react'
import { label${i} } from './c${i}.helper.js'
${imports}

export function C${i}({ depth }) {
  const [count, setCount] = useState(${i % 7})
  const onClick = () => setCount((value) => value + 1)
  return (
    <div className="c" data-depth={depth}>
      <button type="button" onClick={onClick}>{label${i}(count)}</button>
${rendered}
    </div>
  )
}
`,
    )
    writeFileSync(
      join(dir, `src/components/c${i}.helper.js`),
      `export function label${i}(count) {\n  return 'component ${i}: ' + count.toString(${(i % 3) + 8})\n}\n\nexport const unused${i} = () => 'dead code ${i}'\n`,
    )
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000)
  const out = process.argv[3] ?? join(new URL('.', import.meta.url).pathname, 'apps', `react-${n}`)
  generateReactApp(n, out)
  console.log(`generated ${n} components in ${out}`)
}
