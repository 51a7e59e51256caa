import assert from 'node:assert/strict'
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
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

test('a file emptied by a write waits for its data; a file left empty is reported once it settles', async () => {
  const file = join(dir, 'empty.ts')
  writeFileSync(file, 'x')
  const events: [WatchEvent, string, string][] = []
  const watcher = watchTree(dir, (event, f) => events.push([event, f.slice(dir.length), readFileSync(f, 'utf8')]), {
    ignore: (name) => name === 'node_modules' || name.startsWith('.'),
    emptyWaitMs: 40,
  })
  try {
    // As a slow writer does: the truncation lands in one turn of the loop, the data in a later one.
    writeFileSync(file, '')
    await new Promise((r) => setTimeout(r, 10))
    writeFileSync(file, 'data')
    await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(events, [['change', '/empty.ts', 'data']])
    events.length = 0
    writeFileSync(file, '')
    await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(events, [['change', '/empty.ts', '']])
  } finally {
    watcher.close()
  }
})
