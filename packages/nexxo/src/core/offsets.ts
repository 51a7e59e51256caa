// The core reports UTF-8 byte offsets; JavaScript strings count UTF-16 code units. This is the one
// place that converts between them.

/** UTF-16 index in `text` of the UTF-8 byte offset `byteOffset` (clamped to the text). */
export function utf16Index(text: string, byteOffset: number): number {
  let bytes = 0
  let i = 0
  while (i < text.length && bytes < byteOffset) {
    const cp = text.codePointAt(i)!
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
    i += cp > 0xffff ? 2 : 1
  }
  return i
}

/** UTF-8 byte offset of the UTF-16 index `index` in `text`. */
export function utf8Offset(text: string, index: number): number {
  let bytes = 0
  for (let i = 0; i < index && i < text.length; ) {
    const cp = text.codePointAt(i)!
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
    i += cp > 0xffff ? 2 : 1
  }
  return bytes
}

/** 1-based line and 1-based column (UTF-16 units) of a UTF-16 index. */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < index && i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: index - lineStart + 1 }
}
