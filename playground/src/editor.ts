// One CodeMirror 6 view over several files: each file keeps its own EditorState (and so its undo
// history); switching files swaps the state in.

import { css } from '@codemirror/lang-css'
import { html } from '@codemirror/lang-html'
import { javascript } from '@codemirror/lang-javascript'
import { forceParsing } from '@codemirror/language'
import { EditorSelection, EditorState, type Extension } from '@codemirror/state'
import { EditorView } from '@codemirror/view'
import { basicSetup } from 'codemirror'

const language = (path: string): Extension => {
  if (path.endsWith('.css')) return css()
  // Single-file components are HTML with a script and a style: lang-html nests both languages.
  if (/\.(?:vue|svelte|html)$/.test(path)) return html()
  return javascript({ jsx: /\.[jt]sx$/.test(path), typescript: /\.[cm]?tsx?$/.test(path) })
}

export class Editor {
  private readonly view: EditorView
  private readonly states = new Map<string, EditorState>()
  private path = ''

  constructor(
    parent: HTMLElement,
    private readonly onChange: (path: string, text: string) => void,
  ) {
    this.view = new EditorView({ parent })
  }

  /** Shows `path` with `text` (the state is made on first view and kept). */
  open(path: string, text: string): void {
    if (this.path) this.states.set(this.path, this.view.state)
    this.path = path
    let state = this.states.get(path)
    if (!state || state.doc.toString() !== text) {
      state = EditorState.create({
        doc: text,
        extensions: [
          basicSetup,
          language(path),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) this.onChange(path, update.state.doc.toString())
          }),
        ],
      })
    }
    this.view.setState(state)
    // Parse the file now rather than in idle slices later, which would land while a build runs
    // (a first parse sets up the grammar and takes tens of milliseconds).
    forceParsing(this.view, state.doc.length, 200)
  }

  forget(path: string): void {
    this.states.delete(path)
  }

  /** Drops every file's state (another project replaces this one). */
  forgetAll(): void {
    this.states.clear()
    this.path = ''
  }

  /** Puts the cursor at a 1-based line and column and scrolls it into view. */
  jumpTo(line: number, column: number): void {
    const doc = this.view.state.doc
    const at = doc.line(Math.min(Math.max(line, 1), doc.lines))
    const pos = Math.min(at.from + Math.max(column - 1, 0), at.to)
    this.view.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true })
    this.view.focus()
  }

  get current(): string {
    return this.path
  }
}
