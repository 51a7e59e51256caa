import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
const n = createRequire(import.meta.url)('./native/index.cjs')
const dir = 'bench/apps/react-1000/src/components'
const files = {}; for (const f of readdirSync(dir)) files['src/components/' + f] = readFileSync(dir + '/' + f, 'utf8')
files['src/main.jsx'] = readFileSync('bench/apps/react-1000/src/main.jsx', 'utf8')
let t = performance.now(); for (const [k, v] of Object.entries(files)) n.scan(v, k.endsWith('.jsx') ? 'jsx' : 'js'); console.log('scan each', (performance.now() - t).toFixed(0))
t = performance.now(); for (const [k, v] of Object.entries(files)) n.hash(Buffer.from(v)); console.log('hash each', (performance.now() - t).toFixed(0))
const input = JSON.stringify({ files, entries: ['src/main.jsx'] })
t = performance.now(); n.projectFromFiles(input); console.log('projectFromFiles', (performance.now() - t).toFixed(0))
t = performance.now(); await n.scanProject('bench/apps/react-1000', []); console.log('scanProject', (performance.now() - t).toFixed(0))
