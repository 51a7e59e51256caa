import { createBundler } from 'nexxo'
import { gzipSync } from 'node:zlib'
const b = await createBundler({ backend: 'native' })
const root = process.cwd() + '/bench/apps/react-1000'
for (let i = 0; i < 3; i++) {
  const t0 = performance.now()
  await b.core.scanProject(root, ['src/main.jsx'])
  const t1 = performance.now()
  const r = await b.build({ input: 'src/main.jsx', root, minify: true, entryFileNames: 'assets/[name]-[hash].js' })
  const t2 = performance.now()
  for (const o of r.outputs) gzipSync(o.code)
  const t3 = performance.now()
  console.log({ scan: (t1-t0).toFixed(0), buildInclScan: (t2-t1).toFixed(0), gzip: (t3-t2).toFixed(0), bytes: r.outputs[0].code.length })
}
const { rolldown } = await import('rolldown')
for (let i = 0; i < 3; i++) {
  const t0 = performance.now()
  const bundle = await rolldown({ input: root + '/src/main.jsx', cwd: root, platform: 'browser', logLevel: 'silent', transform: { define: { 'process.env.NODE_ENV': '"production"' } } })
  await bundle.generate({ minify: true }); await bundle.close()
  console.log('rolldown direct in-process', (performance.now() - t0).toFixed(0))
}
