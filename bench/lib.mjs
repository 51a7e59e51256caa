// What every bench script shares: the statistics, the shuffled order, and the machine it ran on.
import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os'

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** The nearest-rank percentile `p` (0-100) of `xs`. */
export const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1]

export const shuffle = (a) =>
  a
    .map((v) => [Math.random(), v])
    .sort((x, y) => x[0] - y[0])
    .map(([, v]) => v)

export const load = () => loadavg().map((l) => +l.toFixed(2))

/** The machine as the report records it; set `loadAfter` from `load()` when the run ends. Printed once. */
export function describeMachine() {
  const machine = {
    host: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    freeGiB: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
    loadBefore: load(),
  }
  console.log(
    `machine: ${machine.cpu} · ${machine.cores} cores · ${machine.memoryGiB} GiB · load ${machine.loadBefore.join(' ')}`,
  )
  return machine
}
