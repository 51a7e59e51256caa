// Build failures as data: every error Nexxo raises carries diagnostics with a place and a code frame.

export interface Diagnostic {
  message: string
  /** Stable machine-readable code, e.g. `UNRESOLVED_IMPORT`, `PARSE_ERROR`, `INVALID_PATH`. */
  code?: string
  file?: string
  /** 1-based line. */
  line?: number
  /** 1-based column, in UTF-16 code units (what editors show). */
  column?: number
  /** A few source lines around the location with a caret under the column. */
  frame?: string
}

export class NexxoError extends Error {
  readonly diagnostics: Diagnostic[]
  readonly code: string

  constructor(code: string, diagnostics: Diagnostic[], message?: string) {
    super(message ?? diagnostics.map((d) => d.message).join('\n'))
    this.name = 'NexxoError'
    this.code = code
    this.diagnostics = diagnostics
  }

  static single(code: string, message: string, where: Omit<Diagnostic, 'message' | 'code'> = {}): NexxoError {
    return new NexxoError(code, [{ message, code, ...where }])
  }
}

/** Longest stretch of one line a frame shows: a minified file or an SVG is one line of megabytes. */
export const FRAME_LINE_CHARS = 200

/**
 * A code frame in the style of Babel and esbuild: two lines of context, a gutter, a caret. Lines
 * longer than FRAME_LINE_CHARS show the window around the column, with `…` where they were cut.
 */
export function codeFrame(source: string, line: number, column: number, context = 2): string {
  const lines = source.split(/\r\n|\r|\n/, line + context)
  const first = Math.max(1, line - context)
  const last = Math.min(lines.length, line + context)
  const width = String(last).length
  // One window for every line, so the context lines stay aligned with the caret's.
  const start = Math.max(0, column - 1 - Math.floor(FRAME_LINE_CHARS / 2))
  const out: string[] = []
  for (let n = first; n <= last; n++) {
    const full = lines[n - 1] ?? ''
    const cut = full.length > FRAME_LINE_CHARS
    const from = cut ? Math.min(start, Math.max(0, full.length - FRAME_LINE_CHARS)) : 0
    const text = cut
      ? `${from > 0 ? '…' : ''}${full.slice(from, from + FRAME_LINE_CHARS)}${from + FRAME_LINE_CHARS < full.length ? '…' : ''}`
      : full
    const marker = n === line ? '>' : ' '
    out.push(`${marker} ${String(n).padStart(width)} | ${text}`)
    if (n === line) {
      const lead = (from > 0 ? 1 : 0) + Math.max(0, column - 1 - from)
      const before = text.slice(0, lead).replace(/[^\t]/g, ' ')
      out.push(`  ${' '.repeat(width)} | ${before}^`)
    }
  }
  return out.join('\n')
}

/** `file:line:column: message` followed by the frame, as the CLI prints it. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: ` : ''
  return `${where}${d.message}${d.frame ? `\n${d.frame}` : ''}`
}
