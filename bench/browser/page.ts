// The benchmark page: times nexxo/browser (each engine) and the peers' direct worker on one
// project, cold (worker start and wasm compile included: the first build after a page load) and warm.

import { createBundler } from '../../packages/nexxo/dist/browser/index.js'

type Files = Record<string, string>
interface Job {
  tool: 'nexxo' | 'direct'
  engine: 'esbuild' | 'rolldown'
  files: Files
  resolutions: Record<string, string>
  entry: string
  warmRuns: number
}

/** Milliseconds of each of `runs` sequential calls of `work`. */
async function timed(work: () => Promise<unknown>, runs: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await work()
    times.push(performance.now() - t)
  }
  return times
}

async function nexxo(job: Job) {
  const t0 = performance.now()
  const bundler = await createBundler({
    engine: job.engine,
    workerUrl: new URL('/nexxo/nexxo-worker.js', location.href),
    cache: false,
    registry: false,
  })
  const build = async () => (await bundler.build({ input: job.entry, files: job.files, minify: true })).outputs
  const outputs = await build()
  const cold = performance.now() - t0
  const warm = await timed(build, job.warmRuns)
  await bundler.close()
  const bytes = outputs.reduce((n, o) => n + o.code.length, 0)
  return { cold, warm, bytes }
}

async function direct(job: Job) {
  const t0 = performance.now()
  const worker = new Worker(new URL('./direct-worker.js', import.meta.url), { type: 'module' })
  const build = () =>
    new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
      worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data))
      worker.postMessage({ engine: job.engine, files: job.files, resolutions: job.resolutions, entry: job.entry })
    })
  const { bytes } = await build()
  const cold = performance.now() - t0
  const warm = await timed(build, job.warmRuns)
  worker.terminate()
  return { cold, warm, bytes }
}

Object.assign(globalThis, { runJob: (job: Job) => (job.tool === 'nexxo' ? nexxo(job) : direct(job)) })
document.title = 'ready'
