import assert from 'node:assert/strict'
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { type WatchEvent, watchTree } from './watch.js'

const dir = mkdtempSync(join(tmpdir(), 'nexxo-watch-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('changes, new files, new directories and deletions arrive once each; ignored names never', async () => {
  mkdirSync(join(dir, 'src'))
  mkdirSync(join(dir, 'node_modules'))
  writeFileSync(join(dir, 'src/a.ts'), 'a')
  symlinkSync(dir, join(dir, 'src/loop')) // a link back up is not followed (attacks.md 30)
  const events: [WatchEvent, string][] = []
  const watcher = watchTree(dir, (event, file) => events.push([event, file.slice(dir.length)]), {
    ignore: (name) => name === 'node_modules' || name.startsWith('.'),
  })
  const settle = () => new Promise((r) => setTimeout(r, 150))
  try {
    // One write is a truncation and then data: one event, after both.
    writeFileSync(join(dir, 'src/a.ts'), 'a2')
    appendFileSync(join(dir, 'src/a.ts'), 'more')
    await settle()
    assert.deepEqual(events, [['change', '/src/a.ts']])
    events.length = 0
    writeFileSync(join(dir, 'src/b.ts'), 'b')
    writeFileSync(join(dir, 'node_modules/x.js'), 'x')
    writeFileSync(join(dir, '.env'), 'SECRET=1')
    await settle()
    assert.deepEqual(events, [['add', '/src/b.ts']])
    events.length = 0
    mkdirSync(join(dir, 'src/deep'))
    writeFileSync(join(dir, 'src/deep/c.ts'), 'c')
    await settle()
    writeFileSync(join(dir, 'src/deep/c.ts'), 'c2')
    await settle()
    assert.deepEqual(events, [
      ['add', '/src/deep/c.ts'],
      ['change', '/src/deep/c.ts'],
    ])
    events.length = 0
    unlinkSync(join(dir, 'src/b.ts'))
    await settle()
    rmSync(join(dir, 'src/deep'), { recursive: true })
    await settle()
    assert.deepEqual(events, [
      ['unlink', '/src/b.ts'],
      ['unlink', '/src/deep/c.ts'],
    ])
  } finally {
    watcher.close()
  }
})
