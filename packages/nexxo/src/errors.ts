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

/** A code frame in the style of Babel and esbuild: two lines of context, a gutter, a caret. */
export function codeFrame(source: string, line: number, column: number, context = 2): string {
  const lines = source.split(/\r\n|\r|\n/)
  const first = Math.max(1, line - context)
  const last = Math.min(lines.length, line + context)
  const width = String(last).length
  const out: string[] = []
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1] ?? ''
    const marker = n === line ? '>' : ' '
    out.push(`${marker} ${String(n).padStart(width)} | ${text}`)
    if (n === line) {
      const before = text.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ')
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
