// Preloaded (`node --import`) into every measured Node process: at exit, writes the process's own
// peak RSS and CPU time (getrusage: exact, all threads) to the file named by $BENCH_USAGE_FILE.
import { appendFileSync } from 'node:fs'

const file = process.env.BENCH_USAGE_FILE
if (file) {
  process.on('exit', () => {
    const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage()
    appendFileSync(
      file,
      `${JSON.stringify({ pid: process.pid, maxRssKb: maxRSS, cpuUs: userCPUTime + systemCPUTime })}\n`,
    )
  })
}
