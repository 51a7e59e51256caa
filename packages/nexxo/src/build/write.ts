// Writing outputs so that a failure never leaves a half-written directory: everything goes to a
// sibling staging directory first (an engine may write there itself), which then replaces the old one.

import { mkdir, open, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import type { ByteSource } from '../cache/build-cache.js'
import type { OutputFile } from '../engines/types.js'
import { NexxoError } from '../errors.js'

/** An output directory being written: its files go to `dir` until `commit` swaps it in. */
export interface Staging {
  /** The output directory, absolute. */
  readonly target: string
  /** The staging directory, absolute (`<target>.nexxo-tmp-*`); it exists and starts empty. */
  readonly dir: string
  /** Writes `outputs` (and their source maps) into the staging directory. */
  write(outputs: OutputFile[]): Promise<void>
  /** A staged file's bytes, by their length, to be copied where they are wanted. */
  source(fileName: string): Promise<ByteSource>
  /** Deletes files an engine wrote there that are not part of the output after all. */
  remove(fileNames: string[]): Promise<void>
  /** Replaces the output directory with the staged one. */
  commit(): Promise<void>
  /** Throws the staged files away; the old output directory stays as it was. */
  abort(): Promise<void>
}

/** The absolute path of `fileName` in `dir`; an engine or plugin naming `../x` must not write outside it. */
function inside(dir: string, fileName: string): string {
  const file = resolve(dir, fileName)
  if (!file.startsWith(dir + sep)) {
    throw NexxoError.single('INVALID_PATH', `Output file name escapes the output directory: ${fileName}`)
  }
  return file
}

const PARALLEL_WRITES = 32

/** A file as a ByteSource: its size now, its bytes read straight into the target later. */
async function fileSource(file: string): Promise<ByteSource> {
  const { size } = await stat(file)
  return {
    length: size,
    async copyTo(target) {
      const handle = await open(file, 'r')
      try {
        let done = 0
        while (done < target.length) {
          const { bytesRead } = await handle.read(target, done, target.length - done, done)
          if (bytesRead === 0) throw new Error(`${file} is shorter than when it was measured`)
          done += bytesRead
        }
      } finally {
        await handle.close()
      }
    },
  }
}

export async function stageOutputs(outDir: string): Promise<Staging> {
  const target = resolve(outDir)
  const stamp = `${process.pid}-${Date.now()}`
  const dir = `${target}.nexxo-tmp-${stamp}`
  const retired = `${target}.nexxo-old-${stamp}`
  await mkdir(dir, { recursive: true })
  return {
    target,
    dir,
    async write(outputs) {
      const dirs = new Set(outputs.map((o) => dirname(inside(dir, o.fileName))))
      await Promise.all([...dirs].map((d) => mkdir(d, { recursive: true })))
      // Some files at a time on libuv's pool: all at once could run out of file descriptors.
      for (let i = 0; i < outputs.length; i += PARALLEL_WRITES) {
        await Promise.all(
          outputs.slice(i, i + PARALLEL_WRITES).map(async (out) => {
            const file = inside(dir, out.fileName)
            await writeFile(file, out.code)
            if (out.map) await writeFile(`${file}.map`, out.map)
          }),
        )
      }
    },
    source: (fileName) => fileSource(inside(dir, fileName)),
    async remove(fileNames) {
      await Promise.all(fileNames.map((f) => unlink(inside(dir, f)).catch(() => {})))
    },
    async commit() {
      let hadOld = true
      try {
        await rename(target, retired)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
        hadOld = false
      }
      try {
        await mkdir(dirname(target), { recursive: true })
        await rename(dir, target)
      } catch (e) {
        if (hadOld) await rename(retired, target)
        throw e
      }
      if (hadOld) await rm(retired, { recursive: true, force: true })
    },
    abort: () => rm(dir, { recursive: true, force: true }),
  }
}
