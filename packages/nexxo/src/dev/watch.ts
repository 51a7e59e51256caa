// Watching the project: one `fs.watch` per directory (inotify on Linux), not one per file as chokidar
// does. chokidar passed a change on only after a stat and at most once per 50 ms per file (a second
// save inside that window was dropped), which cost 4-17 ms of every hot update on react-10k and some
// 16 MB of watchers. Events of one file are coalesced for a few milliseconds, because a single write
// arrives as a truncation and then the data: reading at the first event would see an empty file.

import { type FSWatcher, watch as fsWatch, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export type WatchEvent = 'change' | 'add' | 'unlink'

export interface Watcher {
  close(): void
}

export interface WatchOptions {
  /** Directory and file names never watched (matched against the name alone). */
  ignore: (name: string) => boolean
  /** Milliseconds a file's events are gathered before it is reported. */
  settleMs?: number
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
  const pending = new Map<string, ReturnType<typeof setTimeout>>()
  const settleMs = options.settleMs ?? 3
  let closed = false

  const report = (file: string) => {
    pending.delete(file)
    if (closed) return
    let isFile = false
    let isDir = false
    try {
      const stat = statSync(file)
      isFile = stat.isFile()
      isDir = stat.isDirectory()
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

  const touched = (file: string) => {
    clearTimeout(pending.get(file))
    pending.set(
      file,
      setTimeout(() => report(file), settleMs),
    )
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
      for (const timer of pending.values()) clearTimeout(timer)
      for (const watcher of dirs.values()) watcher.close()
      dirs.clear()
    },
  }
}
