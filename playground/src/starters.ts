// A starter project per framework, as create-vite's templates shape them (a counter and a heading
// in the preview's #root). Vue and Svelte pin the runtime to the version of the compiler that
// nexxo/browser's worker ships: compiled components call into their own runtime's internals.

import { version as svelteVersion } from 'svelte/package.json'
import { version as vueVersion } from 'vue/package.json'

export const FRAMEWORKS = ['react', 'vue', 'svelte', 'solid', 'preact', 'lit'] as const
export type Framework = (typeof FRAMEWORKS)[number]

export interface Starter {
  files: Record<string, string>
  entry: string
  active: string
}

const styles = `body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2433; }
h1 { color: #5b3cc4; }
button { font: inherit; padding: 0.4rem 0.9rem; }
`

// biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a TypeScript file with a template literal
const greeting = 'export const greeting = (name: string): string => `Hello from ${name}!`\n'

/** A starter: its own files, and what every starter has (the greeting, the page style, its packages). */
const starter = (
  entry: string,
  active: string,
  dependencies: Record<string, string>,
  files: Record<string, string>,
): Starter => ({
  entry,
  active,
  files: {
    ...files,
    'src/greeting.ts': greeting,
    'src/style.css': styles,
    'package.json': `${JSON.stringify({ dependencies }, null, 2)}\n`,
  },
})

/** A counter component on React's hooks API (React's own, or Preact's `preact/hooks`). */
const hooksApp = (hooks: string, name: string) => `import { useState } from '${hooks}'
import { greeting } from './greeting'

export function App() {
  const [count, setCount] = useState(0)
  return (
    <main>
      <h1>{greeting('${name}')}</h1>
      <button type="button" onClick={() => setCount(count + 1)}>
        clicked {count} {count === 1 ? 'time' : 'times'}
      </button>
    </main>
  )
}
`

const react = (): Starter =>
  starter(
    'src/main.tsx',
    'src/App.tsx',
    { react: '^19.0.0', 'react-dom': '^19.0.0' },
    {
      'src/main.tsx': `import { createRoot } from 'react-dom/client'
import { App } from './App'
import './style.css'

createRoot(document.getElementById('root')!).render(<App />)
`,
      'src/App.tsx': hooksApp('react', 'Nexxo'),
    },
  )

const vue = (): Starter =>
  starter(
    'src/main.ts',
    'src/App.vue',
    { vue: vueVersion },
    {
      'src/main.ts': `import { createApp } from 'vue'
import App from './App.vue'
import './style.css'

createApp(App).mount('#root')
`,
      'src/App.vue': `<script setup lang="ts">
import { ref } from 'vue'
import Greeting from './components/Greeting.vue'

const count = ref<number>(0)
</script>

<template>
  <main>
    <Greeting name="Vue" />
    <button type="button" @click="count++">clicked {{ count }} {{ count === 1 ? 'time' : 'times' }}</button>
  </main>
</template>

<style scoped>
button { border: 2px solid #42b883; border-radius: 6px; }
</style>
`,
      'src/components/Greeting.vue': `<script setup lang="ts">
import { greeting } from '../greeting'

const props = defineProps<{ name: string }>()
</script>

<template>
  <h1>{{ greeting(props.name) }}</h1>
</template>
`,
    },
  )

const svelte = (): Starter =>
  starter(
    'src/main.ts',
    'src/App.svelte',
    { svelte: svelteVersion },
    {
      'src/main.ts': `import { mount } from 'svelte'
import App from './App.svelte'
import './style.css'

mount(App, { target: document.getElementById('root')! })
`,
      'src/App.svelte': `<script lang="ts">
  import Greeting from './Greeting.svelte'
  import { createCounter } from './counter.svelte.ts'

  const counter = createCounter()
</script>

<main>
  <Greeting name="Svelte" />
  <button type="button" onclick={counter.increment}>
    clicked {counter.count} {counter.count === 1 ? 'time' : 'times'}
  </button>
</main>

<style>
  button { border: 2px solid #ff3e00; border-radius: 6px; }
</style>
`,
      'src/Greeting.svelte': `<script lang="ts">
  import { greeting } from './greeting'

  let { name }: { name: string } = $props()
</script>

<h1>{greeting(name)}</h1>
`,
      'src/counter.svelte.ts': `export function createCounter() {
  let count: number = $state(0)
  return {
    get count() {
      return count
    },
    increment: () => count++,
  }
}
`,
    },
  )

const solid = (): Starter =>
  starter(
    'src/main.tsx',
    'src/App.tsx',
    { 'solid-js': '^1.9.0' },
    {
      'src/main.tsx': `import { render } from 'solid-js/web'
import { App } from './App'
import './style.css'

render(() => <App />, document.getElementById('root')!)
`,
      'src/App.tsx': `import { createSignal } from 'solid-js'
import { greeting } from './greeting'

export function App() {
  const [count, setCount] = createSignal(0)
  return (
    <main>
      <h1>{greeting('Solid')}</h1>
      <button type="button" onClick={() => setCount(count() + 1)}>
        clicked {count()} {count() === 1 ? 'time' : 'times'}
      </button>
    </main>
  )
}
`,
    },
  )

const preact = (): Starter =>
  starter(
    'src/main.tsx',
    'src/App.tsx',
    { preact: '^10.0.0' },
    {
      'tsconfig.json': `${JSON.stringify({ compilerOptions: { jsx: 'react-jsx', jsxImportSource: 'preact' } }, null, 2)}\n`,
      'src/main.tsx': `import { render } from 'preact'
import { App } from './App'
import './style.css'

render(<App />, document.getElementById('root')!)
`,
      'src/App.tsx': hooksApp('preact/hooks', 'Preact'),
    },
  )

// Standard decorators (TypeScript 5, no tsconfig flag), where Lit's reactive properties are accessors.
const lit = (): Starter =>
  starter(
    'src/main.ts',
    'src/nexxo-counter.ts',
    { lit: '^3.0.0' },
    {
      'src/main.ts': `import './nexxo-counter'
import './style.css'

document.getElementById('root')!.append(document.createElement('nexxo-counter'))
`,
      'src/nexxo-counter.ts': `import { css, html, LitElement } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { greeting } from './greeting'

@customElement('nexxo-counter')
export class NexxoCounter extends LitElement {
  static styles = css\`
    h1 { color: #324fff; }
    button { font: inherit; padding: 0.4rem 0.9rem; }
  \`

  @property() accessor name = 'Lit'
  @state() accessor count = 0

  render() {
    return html\`
      <h1>\${greeting(this.name)}</h1>
      <button type="button" @click=\${() => this.count++}>
        clicked \${this.count} \${this.count === 1 ? 'time' : 'times'}
      </button>
    \`
  }
}
`,
    },
  )

export const starters: Record<Framework, () => Starter> = { react, vue, svelte, solid, preact, lit }

export const isFramework = (value: unknown): value is Framework => FRAMEWORKS.includes(value as Framework)
