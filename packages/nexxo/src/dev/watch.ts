// Watching the project: one `fs.watch` per directory (inotify on Linux), not one per file as chokidar
// does. chokidar passed a change on only after a stat and at most once per 50 ms per file (a second
// save inside that window was dropped), which cost 4-17 ms of every hot update on react-10k and some
// 16 MB of watchers. A file is reported once the events already read for it are all in (the next
// turn of the event loop), as a write arrives as a truncation and then the data. An empty file is
// held back a little longer: it is most often a write whose data has not landed yet.

import { type FSWatcher, watch as fsWatch, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export type WatchEvent = 'change' | 'add' | 'unlink'

export interface Watcher {
  close(): void
}

export interface WatchOptions {
  /** Directory and file names never watched (matched against the name alone). */
  ignore: (name: string) => boolean
  /** Milliseconds an empty file waits for its data before it is reported as empty. */
  emptyWaitMs?: number
  onError?: (error: Error) => void
}

export function watchTree(
  root: string,
  onEvent: (event: WatchEvent, file: string) => void,
  options: WatchOptions,
): Watcher {
  const dirs = new Map<string, FSWatcher>()
  /** Files known to exist, so that a `rename` can be told apart as an add or an unlink. */
  const files = new Set<string>()
  /** Files with events not reported yet: waiting for the next turn, or (empty) for their data. */
  const pending = new Map<string, { waitedEmpty: boolean; timer?: ReturnType<typeof setTimeout> }>()
  const emptyWaitMs = options.emptyWaitMs ?? 20
  let closed = false

  const report = (file: string) => {
    const entry = pending.get(file)
    pending.delete(file)
    if (closed) return
    let isFile = false
    let isDir = false
    try {
      const stat = statSync(file)
      isFile = stat.isFile()
      isDir = stat.isDirectory()
      if (isFile && stat.size === 0 && !entry?.waitedEmpty) {
        pending.set(file, { waitedEmpty: true, timer: setTimeout(() => report(file), emptyWaitMs) })
        return
      }
    } catch {}
    if (isDir) {
      if (!dirs.has(file)) addDir(file, true)
      return
    }
    if (isFile) {
      const known = files.has(file)
      files.add(file)
      onEvent(known ? 'change' : 'add', file)
    } else if (files.delete(file)) {
      onEvent('unlink', file)
    } else if (dirs.has(file)) {
      // A directory went away: its files went with it.
      for (const [dir, watcher] of dirs) {
        if (dir === file || dir.startsWith(`${file}/`)) {
          watcher.close()
          dirs.delete(dir)
        }
      }
      for (const known of [...files]) {
        if (known.startsWith(`${file}/`)) {
          files.delete(known)
          onEvent('unlink', known)
        }
      }
    }
  }

  let turnQueued = false
  /** Reports the files due this turn: those pending without a timer. */
  const endTurn = () => {
    turnQueued = false
    for (const [file, entry] of [...pending]) if (!entry.timer) report(file)
  }
  const touched = (file: string) => {
    const entry = pending.get(file)
    if (entry && !entry.timer) return // already due this turn
    clearTimeout(entry?.timer)
    pending.set(file, { waitedEmpty: false })
    if (!turnQueued) {
      turnQueued = true
      setImmediate(endTurn)
    }
  }

  function addDir(dir: string, announce: boolean) {
    let entries: import('node:fs').Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    try {
      const watcher = fsWatch(dir, (_, name) => {
        if (name && !options.ignore(String(name))) touched(join(dir, String(name)))
      })
      watcher.on('error', (e) => {
        watcher.close()
        dirs.delete(dir)
        options.onError?.(e)
      })
      dirs.set(dir, watcher)
    } catch (e) {
      options.onError?.(e as Error)
      return
    }
    for (const entry of entries) {
      if (options.ignore(entry.name)) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) addDir(path, announce)
      else if (entry.isFile()) {
        files.add(path)
        // Files that came with a new directory are new to whoever listens.
        if (announce) onEvent('add', path)
      }
    }
  }

  addDir(root, false)
  return {
    close() {
      closed = true
      for (const entry of pending.values()) clearTimeout(entry.timer)
      for (const watcher of dirs.values()) watcher.close()
      dirs.clear()
    },
  }
}
