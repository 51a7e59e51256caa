// Runs one measured command: wall clock, CPU seconds (user + sys) and peak RSS of its whole process
// tree. Every Node process in the tree (the tool, and any Node it spawns: esbuild-wasm runs its
// engine in one) loads usage-hook.mjs through NODE_OPTIONS and reports its own peak RSS and CPU time
// at exit (getrusage: exact, all threads). Other processes (esbuild's Go service) are sampled from
// /proc every 10 ms, and their last sample counts. The tree's peak RSS is the sum of its processes'
// peaks: an upper bound, as they need not peak at once.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const hook = new URL('./usage-hook.mjs', import.meta.url).href
const TICKS_PER_SECOND = 100

const children = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** `pid` and its descendants, alive now. */
export function processTree(pid) {
  const pids = [pid]
  for (let i = 0; i < pids.length; i++) pids.push(...children(pids[i]))
  return pids
}

/** Peak RSS so far of a live process tree, in MB: the sum of its processes' VmHWM. */
export const treePeakRssMb = (pid) => processTree(pid).reduce((kb, p) => kb + (sampleProcess(p)?.hwmKb ?? 0), 0) / 1024

/** VmHWM (kB) and user + system CPU (s) of a live process, or undefined once it is gone. */
function sampleProcess(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // stat(5) fields 14 and 15, counted from after the command name (field 2, in brackets).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return {
      hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0),
      cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    }
  } catch {
    return undefined
  }
}

/**
 * Runs `[cmd, ...args]` to completion. Resolves { ms, cpuS, rssMb, stdout }; rejects with the
 * output when it fails or runs past `timeoutMs`.
 */
export async function measure([cmd, ...args], { cwd, env = {}, timeoutMs = 30 * 60_000 } = {}) {
  const usageFile = join(tmpdir(), `nexxo-bench-usage-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${hook}`].filter(Boolean).join(' ')
  const started = process.hrtime.bigint()
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env, NODE_OPTIONS: nodeOptions, BENCH_USAGE_FILE: usageFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let stdout = ''
  child.stdout.on('data', (d) => {
    stdout += d
    output += d
  })
  child.stderr.on('data', (d) => {
    output += d
  })
  /** pid -> its last sample: peaks only grow, and CPU only adds up. */
  const sampled = new Map()
  const sample = () => {
    for (const pid of processTree(child.pid)) {
      const now = sampleProcess(pid)
      // Both only grow; a zombie's status has no VmHWM line any more, so its last sample reads 0.
      const before = sampled.get(pid)
      if (now) {
        sampled.set(pid, {
          hwmKb: Math.max(now.hwmKb, before?.hwmKb ?? 0),
          cpuS: Math.max(now.cpuS, before?.cpuS ?? 0),
        })
      }
    }
  }
  const poll = setInterval(sample, 10)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise((done) => child.on('close', (status, signal) => done(signal ?? status)))
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  clearInterval(poll)
  clearTimeout(timer)
  let reported = []
  try {
    reported = readFileSync(usageFile, 'utf8').trim().split('\n').filter(Boolean).map(JSON.parse)
  } catch {}
  rmSync(usageFile, { force: true })
  // Head and tail: tools print the error first (Next) or last (most others), then pages of stack.
  const shown = output.length > 8000 ? `${output.slice(0, 4000)}\n…\n${output.slice(-4000)}` : output
  if (code !== 0) throw new Error(`${[cmd, ...args].join(' ')} failed (${code}):\n${shown}`)
  // A process's own report replaces its samples: it saw its whole life.
  for (const r of reported) sampled.set(r.pid, { hwmKb: r.maxRssKb, cpuS: r.cpuUs / 1e6 })
  const all = [...sampled.values()]
  return {
    ms,
    cpuS: all.reduce((sum, p) => sum + p.cpuS, 0),
    rssMb: all.reduce((sum, p) => sum + p.hwmKb, 0) / 1024,
    stdout,
  }
}

/** Bytes of the JavaScript files under `dir` (source maps excluded), raw and gzipped. */
export async function outputBytes(dir) {
  const { gzipSync } = await import('node:zlib')
  let raw = 0
  let gzip = 0
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.m?js$/.test(entry.name)) {
        const bytes = readFileSync(path)
        raw += bytes.length
        gzip += gzipSync(bytes, { level: 9 }).length
      }
    }
  }
  walk(dir)
  return { raw, gzip }
}

/** The lines of a failed build's output that say what went wrong, for the report (the log has all). */
export function failureSummary(message) {
  const lines = message
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/\x1b\[[0-9;]*m/g, '').trim())
    .filter((line) => line && !line.startsWith('at '))
  const errors = lines.filter((line) => /error|cannot|can't|not found|failed/i.test(line))
  return `${(errors.length > 0 ? errors : lines.slice(-3)).slice(0, 3).join(' / ').slice(0, 400)} (the run's log has the rest)`
}
