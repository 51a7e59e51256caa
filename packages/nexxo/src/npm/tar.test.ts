// The tarball reader against real archives: one `npm pack` made, and hostile ones made with GNU tar
// (names with `..`, absolute names, links), plus truncation, a flipped byte and bombs.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { NexxoError } from '../errors.js'
import { gunzip, readTar, unpackTarball } from './tar.js'

const tmp = mkdtempSync(join(tmpdir(), 'nexxo-tar-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

function tarball(name: string, build: (dir: string) => string[], tarArgs: string[] = []): Uint8Array {
  const dir = join(tmp, name)
  mkdirSync(dir, { recursive: true })
  const members = build(dir)
  const file = join(tmp, `${name}.tgz`)
  execFileSync('tar', ['czf', file, '-C', dir, ...tarArgs, ...members], { stdio: 'ignore' })
  return new Uint8Array(readFileSync(file))
}

const badTarball = async (work: () => unknown) => {
  await assert.rejects(
    async () => work(),
    (e: unknown) => e instanceof NexxoError && e.code === 'BAD_TARBALL',
  )
}

describe('tarball reader', () => {
  test('an `npm pack` tarball unpacks to the package, byte for byte', async () => {
    const pkg = join(tmp, 'pkg')
    mkdirSync(join(pkg, 'dist'), { recursive: true })
    writeFileSync(join(pkg, 'package.json'), '{"name":"tiny","version":"1.2.3","exports":"./dist/index.js"}')
    writeFileSync(join(pkg, 'dist/index.js'), 'export default "é ☃"\n')
    const long = `dist/${'deep/'.repeat(30)}file.js`
    mkdirSync(join(pkg, long, '..'), { recursive: true })
    writeFileSync(join(pkg, long), 'export const deep = 1\n')
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: pkg, encoding: 'utf8' })
    const { files, skipped } = await unpackTarball(new Uint8Array(readFileSync(join(tmp, packed.trim()))))
    assert.deepEqual([...files.keys()].sort(), ['dist/index.js', long, 'package.json'].sort())
    assert.equal(new TextDecoder().decode(files.get('dist/index.js')), 'export default "é ☃"\n')
    assert.deepEqual(skipped, [])
  })

  test("names with '..', absolute names and links are skipped and listed; the rest unpacks", async () => {
    const tgz = tarball(
      'evil',
      (dir) => {
        mkdirSync(join(dir, 'package'))
        writeFileSync(join(dir, 'package/ok.js'), 'ok')
        writeFileSync(join(dir, 'package/up.js'), 'up')
        symlinkSync('/etc/passwd', join(dir, 'package/link'))
        return ['package/ok.js', 'package/up.js', 'package/link', join(dir, 'package/ok.js')]
      },
      ['-P', '--transform', 's,^package/up.js,package/../../escape.js,'],
    )
    const { files, skipped } = await unpackTarball(tgz)
    assert.deepEqual([...files.keys()], ['ok.js'])
    assert.deepEqual(
      skipped.map((s) => s.reason),
      ["name contains '..'", 'is a link', 'name is absolute'],
    )
  })

  test('truncated, corrupt, not gzip: a BAD_TARBALL error, never a partial package', async () => {
    const tgz = tarball('plain', (dir) => {
      mkdirSync(join(dir, 'package'))
      writeFileSync(join(dir, 'package/a.js'), 'a'.repeat(3000))
      return ['package/a.js']
    })
    const tar = await gunzip(tgz)
    await badTarball(() => readTar(tar.subarray(0, 1000)))
    await badTarball(() => readTar(tar.subarray(0, 300)))
    const flipped = tar.slice()
    flipped[10] = flipped[10]! ^ 0xff
    await badTarball(() => readTar(flipped))
    await badTarball(() => unpackTarball(tgz.subarray(0, tgz.length - 20)))
    await badTarball(() => unpackTarball(new TextEncoder().encode('<html>not a tarball</html>')))
  })

  test('bombs: size and entry bounds stop them, a gzip bomb before it is inflated', async () => {
    const many = tarball('many', (dir) => {
      mkdirSync(join(dir, 'package'))
      const names = Array.from({ length: 50 }, (_, i) => `package/f${i}.js`)
      for (const n of names) writeFileSync(join(dir, n), 'x')
      return names
    })
    await badTarball(() => unpackTarball(many, { maxEntries: 20 }))
    assert.equal((await unpackTarball(many, { maxEntries: 50 })).files.size, 50)
    // 64 MiB of zeros gzip to ~64 KiB: refused at the 1 MiB bound without inflating it all.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024))
    await badTarball(() => unpackTarball(new Uint8Array(bomb), { maxBytes: 1024 * 1024 }))
    await badTarball(() =>
      unpackTarball(
        tarball('big', (dir) => {
          mkdirSync(join(dir, 'package'))
          writeFileSync(join(dir, 'package/big.js'), Buffer.alloc(200_000, 97))
          return ['package/big.js']
        }),
        { maxBytes: 100_000 },
      ),
    )
  })
})
