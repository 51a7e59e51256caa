import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { concatMaps, mapFile, prependLines, replacePlaceholders, type StyleMap } from './css-maps.js'

const map = (mappings: StyleMap['mappings'], source = 'src/a.css'): StyleMap => ({
  sources: [source],
  sourcesContent: [null],
  mappings,
})

describe('CSS map edits', () => {
  test('a placeholder replaced by a longer URL moves the segments after it on its line only', () => {
    const m = map([
      [
        [0, 0, 0, 0],
        [20, 0, 0, 30],
      ],
      [[0, 0, 1, 0]],
    ])
    const css = replacePlaceholders('.a{b:url(XyZ12)} .c{}\n.d{}', new Map([['XyZ12', '/assets/long-name.png']]), m)
    assert.equal(css, '.a{b:url(/assets/long-name.png)} .c{}\n.d{}')
    assert.deepEqual(m.mappings, [
      [
        [0, 0, 0, 0],
        [36, 0, 0, 30],
      ],
      [[0, 0, 1, 0]],
    ])
  })

  test('without a map the text is replaced all the same', () => {
    assert.equal(replacePlaceholders('url(P1) url(P1)', new Map([['P1', 'x']]), undefined), 'url(x) url(x)')
  })

  test('prepended lines push every mapping down', () => {
    const m = map([[[0, 0, 0, 0]]])
    prependLines(m, 2)
    assert.deepEqual(m.mappings, [[], [], [[0, 0, 0, 0]]])
  })

  test('joined stylesheets: line offsets, merged sources, unmapped parts map nowhere', () => {
    const joined = concatMaps([
      { css: '.a{}\n.b{}', map: map([[[0, 0, 0, 0]], [[0, 0, 1, 0]]]) },
      { css: '.raw{}' },
      { css: '.c{}', map: map([[[0, 0, 4, 0]]], 'src/c.css') },
      { css: '.d{}', map: map([[[0, 0, 9, 0]]]) },
    ])
    assert.deepEqual(joined.sources, ['src/a.css', 'src/c.css'])
    assert.deepEqual(joined.mappings, [[[0, 0, 0, 0]], [[0, 0, 1, 0]], [], [[0, 1, 4, 0]], [[0, 0, 9, 0]]])
  })

  test('sources are written relative to the map, outside the root too', () => {
    const json = JSON.parse(
      mapFile(
        { ...map([]), sources: ['src/a.css', '/elsewhere/b.css'], sourcesContent: [null, null] },
        'assets/x.css',
        '/p',
      ),
    )
    assert.deepEqual(json.sources, ['../../src/a.css', '../../../elsewhere/b.css'])
    assert.equal(json.file, 'x.css')
  })
})
