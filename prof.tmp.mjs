import { createBundler } from 'nexxo'
const t0 = performance.now()
const b = await createBundler({ backend: 'native' })
const t1 = performance.now()
const core = b.core
const p = await core.scanProject('bench/apps/react-1000'); const t2 = performance.now()
const r = await b.build({ input: 'src/main.jsx', root: 'bench/apps/react-1000', minify: true })
const t3 = performance.now()
console.log({ load: (t1-t0).toFixed(0), scan: (t2-t1).toFixed(0), build: (t3-t2).toFixed(0), modules: r.stats.modules, files: p.modules.length })
