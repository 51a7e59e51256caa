// Writing outputs so that a failure never leaves a half-written directory: everything goes to a
// sibling temp directory first, which then replaces the old one.

import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import type { OutputFile } from '../engines/types.js'
import { NexxoError } from '../errors.js'

export async function writeOutputsAtomically(outDir: string, outputs: OutputFile[]): Promise<void> {
  const target = resolve(outDir)
  const staging = `${target}.nexxo-tmp-${process.pid}-${Date.now()}`
  const retired = `${target}.nexxo-old-${process.pid}-${Date.now()}`
  try {
    await mkdir(staging, { recursive: true })
    for (const out of outputs) {
      const file = resolve(staging, out.fileName)
      // An engine or plugin naming `../x` must not write outside the output directory.
      if (!file.startsWith(staging + sep)) {
        throw NexxoError.single('INVALID_PATH', `Output file name escapes the output directory: ${out.fileName}`)
      }
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, out.code)
      if (out.map) await writeFile(`${file}.map`, out.map)
    }
    let hadOld = true
    try {
      await rename(target, retired)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      hadOld = false
    }
    try {
      await mkdir(dirname(target), { recursive: true })
      await rename(staging, target)
    } catch (e) {
      if (hadOld) await rename(retired, target)
      throw e
    }
    if (hadOld) await rm(retired, { recursive: true, force: true })
  } catch (e) {
    await rm(staging, { recursive: true, force: true })
    throw e
  }
}
