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

const packageJson = (dependencies: Record<string, string>) => `${JSON.stringify({ dependencies }, null, 2)}\n`

const styles = `body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2433; }
h1 { color: #5b3cc4; }
button { font: inherit; padding: 0.4rem 0.9rem; }
`

// biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a TypeScript file with a template literal
const greeting = 'export const greeting = (name: string): string => `Hello from ${name}!`\n'

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

const react = (): Starter => ({
  entry: 'src/main.tsx',
  active: 'src/App.tsx',
  files: {
    'src/main.tsx': `import { createRoot } from 'react-dom/client'
import { App } from './App'
import './style.css'

createRoot(document.getElementById('root')!).render(<App />)
`,
    'src/App.tsx': hooksApp('react', 'Nexxo'),
    'src/greeting.ts': greeting,
    'src/style.css': styles,
    'package.json': packageJson({ react: '^19.0.0', 'react-dom': '^19.0.0' }),
  },
})

const vue = (): Starter => ({
  entry: 'src/main.ts',
  active: 'src/App.vue',
  files: {
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
    'src/greeting.ts': greeting,
    'src/style.css': styles,
    'package.json': packageJson({ vue: vueVersion }),
  },
})

const svelte = (): Starter => ({
  entry: 'src/main.ts',
  active: 'src/App.svelte',
  files: {
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
    'src/greeting.ts': greeting,
    'src/style.css': styles,
    'package.json': packageJson({ svelte: svelteVersion }),
  },
})

const solid = (): Starter => ({
  entry: 'src/main.tsx',
  active: 'src/App.tsx',
  files: {
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
    'src/greeting.ts': greeting,
    'src/style.css': styles,
    'package.json': packageJson({ 'solid-js': '^1.9.0' }),
  },
})

const preact = (): Starter => ({
  entry: 'src/main.tsx',
  active: 'src/App.tsx',
  files: {
    'tsconfig.json': `${JSON.stringify({ compilerOptions: { jsx: 'react-jsx', jsxImportSource: 'preact' } }, null, 2)}\n`,
    'src/main.tsx': `import { render } from 'preact'
import { App } from './App'
import './style.css'

render(<App />, document.getElementById('root')!)
`,
    'src/App.tsx': hooksApp('preact/hooks', 'Preact'),
    'src/greeting.ts': greeting,
    'src/style.css': styles,
    'package.json': packageJson({ preact: '^10.0.0' }),
  },
})

// Standard decorators (TypeScript 5, no tsconfig flag), where Lit's reactive properties are accessors.
const lit = (): Starter => ({
  entry: 'src/main.ts',
  active: 'src/nexxo-counter.ts',
  files: {
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
    'src/greeting.ts': greeting,
    'src/style.css': styles,
    'package.json': packageJson({ lit: '^3.0.0' }),
  },
})

export const starters: Record<Framework, () => Starter> = { react, vue, svelte, solid, preact, lit }

export const isFramework = (value: unknown): value is Framework => FRAMEWORKS.includes(value as Framework)
