// Engine errors (rolldown's and esbuild's shapes) turned into Nexxo diagnostics with a code frame.

import { utf16Index } from '../core/offsets.js'
import { codeFrame, type Diagnostic, NexxoError } from '../errors.js'

interface RolldownLog {
  code?: string
  kind?: string
  message: string
  id?: string
  loc?: { line: number; column: number; file?: string }
}

interface EsbuildMessage {
  text: string
  location: { file: string; line: number; column: number; lineText: string } | null
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '')

export interface SourceAccess {
  /** Source text of an engine module id, if it can be read. */
  read(id: string): string | undefined
  /** The id as users should see it (relative to the project). */
  display(id: string): string
}

function withFrame(d: Diagnostic, source: string | undefined): Diagnostic {
  if (source === undefined || d.line === undefined || d.column === undefined) return d
  return { ...d, frame: codeFrame(source, d.line, d.column) }
}

function fromRolldown(log: RolldownLog, src: SourceAccess): Diagnostic {
  // rolldown's message starts `[CODE] text` and continues with its own (colored) frame.
  const first = stripAnsi(log.message)
    .split('\n')[0]!
    .replace(/^\[[A-Z_]+\]\s*/, '')
    .trim()
  const id = log.loc?.file ?? log.id
  const d: Diagnostic = { code: log.code ?? log.kind ?? 'BUILD_ERROR', message: first }
  if (!id) return d
  d.file = src.display(id)
  if (!log.loc) return d
  d.line = log.loc.line
  d.column = log.loc.column + 1
  return withFrame(d, src.read(id))
}

function fromEsbuild(m: EsbuildMessage, src: SourceAccess, cwd: string): Diagnostic {
  const d: Diagnostic = { code: 'BUILD_ERROR', message: m.text }
  if (!m.location) return d
  // esbuild names files relative to its working directory.
  const file = m.location.file.replace(/^file:/, '')
  const id = file.startsWith('/') ? file : `${cwd.replace(/\/$/, '')}/${file}`
  d.file = src.display(id)
  d.line = m.location.line
  // esbuild counts columns in UTF-8 bytes.
  d.column = utf16Index(m.location.lineText, m.location.column) + 1
  return withFrame(d, src.read(id))
}

/** Wraps whatever an engine threw into a NexxoError with diagnostics. */
export function engineError(
  error: unknown,
  engine: 'rolldown' | 'esbuild',
  src: SourceAccess,
  cwd: string,
): NexxoError {
  if (error instanceof NexxoError) return error
  const errors = (error as { errors?: unknown[] } | null)?.errors
  if (Array.isArray(errors) && errors.length > 0) {
    const diagnostics =
      engine === 'rolldown'
        ? (errors as RolldownLog[]).map((e) => fromRolldown(e, src))
        : (errors as EsbuildMessage[]).map((e) => fromEsbuild(e, src, cwd))
    return new NexxoError(diagnostics[0]!.code ?? 'BUILD_ERROR', diagnostics)
  }
  const text = error instanceof Error ? error.message : String(error)
  return NexxoError.single('BUILD_ERROR', stripAnsi(text))
}
