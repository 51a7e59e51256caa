// Work the page does after a build is cut into tasks of a few milliseconds, so input, rendering
// and the next build's messages can run between them: no piece may become a long task (> 50 ms)
// even when the machine is busy and a slice takes three times as long as it should.

/** Resolves in a new task (not a microtask): what was queued meanwhile runs first. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

/**
 * Resolves once the page has rendered its next frame and then gone idle: after the editor's own
 * idle-time parsing, which was queued first (idle callbacks run in order).
 */
export const afterPageSettles = (): Promise<void> =>
  new Promise((resolve) =>
    requestAnimationFrame(() => setTimeout(() => requestIdleCallback(() => resolve(), { timeout: 1000 }), 0)),
  )

const SLICE = 64 * 1024

/**
 * Bytes of `data` gzipped, as a server would send it. CompressionStream compresses on the calling
 * thread, so the input goes in 64 kB slices, one per task.
 */
export async function gzipSize(data: string | Uint8Array, stillWanted: () => boolean = () => true) {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  const gzip = new CompressionStream('gzip')
  const writer = gzip.writable.getWriter()
  const reader = gzip.readable.getReader()
  const counted = (async () => {
    let n = 0
    for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.length
    return n
  })()
  counted.catch(() => {}) // an abort below rejects it; nobody waits for it then
  for (let i = 0; i < bytes.length; i += SLICE) {
    await nextTask()
    if (!stillWanted()) {
      await writer.abort()
      return undefined
    }
    await writer.write(bytes.subarray(i, i + SLICE) as Uint8Array<ArrayBuffer>)
  }
  await writer.close()
  return counted
}
