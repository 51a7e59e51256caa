import { useState } from 'react'
import { Counter } from './Counter'
import { greet } from './greet'

export function App() {
  const [name] = useState('Nexxo')
  return (
    <main className="app">
      <h1>{greet(name)}</h1>
      <p>It's a small React app built by Nexxo — on the native or the wasm backend.</p>
      <Counter label="Clicks" />
    </main>
  )
}
