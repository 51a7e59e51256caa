// Code frames stay readable whatever the source looks like: a minified bundle or an SVG is one line.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { codeFrame, FRAME_LINE_CHARS } from './errors.js'

test('a code frame shows at most ~200 characters of a line, with the caret under the column', () => {
  const line = `${'a'.repeat(5000)}X${'b'.repeat(5000)}`
  const frame = codeFrame(`first\n${line}\nlast`, 2, 5001)
  for (const row of frame.split('\n')) assert.ok(row.length <= FRAME_LINE_CHARS + 20, `row of ${row.length} chars`)
  const [, code, caret] = frame.split('\n')
  assert.equal(code!.indexOf('X'), caret!.indexOf('^'), 'the caret points at the column')
  assert.match(code!, /\| …a+Xb+…$/)
})

test('short lines are shown whole', () => {
  assert.equal(
    codeFrame('const a = 1\nconst b = (\n', 2, 11),
    '  1 | const a = 1\n> 2 | const b = (\n    |           ^\n  3 | ',
  )
})
