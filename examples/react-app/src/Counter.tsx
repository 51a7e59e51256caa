import { useState } from 'react'

export function Counter({ label }: { label: string }) {
  const [count, setCount] = useState(0)
  return (
    <button type="button" id="counter" onClick={() => setCount((c) => c + 1)}>
      {label}: {count}
    </button>
  )
}
