// The suite's inputs, each written under bench/apps/suite/<case> by `prepare` (idempotent: written
// afresh every run, so an edit left by an interrupted run never leaks into the next).
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { generateReactApp } from '../gen-react-app.mjs'
import { generateTsProject } from '../gen-ts-project.mjs'
import { generateVueApp } from '../gen-vue-app.mjs'

const here = new URL('.', import.meta.url).pathname
/** The peers' install (bench/peers), which holds three@0.108.0 and the real-libs packages. */
export const peersDir = join(here, '..', 'peers')
const require = createRequire(join(peersDir, 'package.json'))
export const appsDir = join(here, '..', 'apps', 'suite')

/** three.js x10 as esbuild's benchmark builds it: ten copies of three@0.108.0's src/, one entry. */
function three10x(dir) {
  const src = join(dirname(require.resolve('three-108/package.json')), 'src')
  for (let i = 1; i <= 10; i++) cpSync(src, join(dir, `src/copy${i}`), { recursive: true })
  const entry = Array.from(
    { length: 10 },
    (_, i) => `import * as copy${i + 1} from './copy${i + 1}/Three.js'\nexport { copy${i + 1} }\n`,
  )
  writeFileSync(join(dir, 'src/entry.js'), entry.join(''))
}

function tsCorpus(dir, modules) {
  for (const [file, text] of Object.entries(generateTsProject(modules))) {
    mkdirSync(join(dir, dirname(file)), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
}

/**
 * A small app over popular packages: ESM barrels to tree-shake (lodash-es, date-fns, rxjs), CommonJS
 * to interoperate with (react, react-dom, classnames), and libraries with side effects and
 * `sideEffects` flags (zod, immer, @tanstack/react-query).
 */
function realLibs(dir) {
  mkdirSync(join(dir, 'src'), { recursive: true })
  symlinkSync(join(peersDir, 'node_modules'), join(dir, 'node_modules'), 'dir')
  writeFileSync(
    join(dir, 'src/main.jsx'),
    `import { createRoot } from 'react-dom/client'
import { useMemo, useState } from 'react'
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query'
import { debounce, groupBy, sortBy } from 'lodash-es'
import { addDays, format, formatDistance } from 'date-fns'
import { z } from 'zod'
import { produce } from 'immer'
import { BehaviorSubject, map } from 'rxjs'
import classNames from 'classnames'

const Todo = z.object({ id: z.number(), title: z.string().min(1), done: z.boolean(), due: z.date() })
const start = new Date(2026, 0, 1)
const seed = Array.from({ length: 50 }, (_, i) =>
  Todo.parse({ id: i, title: 'todo ' + i, done: i % 3 === 0, due: addDays(start, i % 14) }),
)
const filter$ = new BehaviorSubject('')
const client = new QueryClient()

function Todos() {
  const [todos, setTodos] = useState(seed)
  const [filter, setFilter] = useState('')
  const { data: stamp } = useQuery({ queryKey: ['stamp'], queryFn: async () => format(start, 'yyyy-MM-dd') })
  const onFilter = useMemo(() => debounce((value) => filter$.next(value), 100), [])
  useMemo(() => filter$.pipe(map((value) => value.trim())).subscribe(setFilter), [])
  const groups = groupBy(sortBy(todos.filter((t) => t.title.includes(filter)), ['due']), (t) => format(t.due, 'EEEE'))
  const toggle = (id) => setTodos((all) => produce(all, (draft) => { const t = draft.find((x) => x.id === id); t.done = !t.done }))
  return (
    <main>
      <p>{stamp} · {formatDistance(addDays(start, 3), start)}</p>
      <input onChange={(e) => onFilter(e.target.value)} />
      {Object.entries(groups).map(([day, items]) => (
        <section key={day}>
          <h2>{day}</h2>
          {items.map((t) => (
            <button key={t.id} type="button" className={classNames('todo', { done: t.done })} onClick={() => toggle(t.id)}>
              {t.title}
            </button>
          ))}
        </section>
      ))}
    </main>
  )
}

createRoot(document.getElementById('root')).render(
  <QueryClientProvider client={client}>
    <Todos />
  </QueryClientProvider>,
)
`,
  )
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html>\n<html><body><div id="root"></div><script type="module" src="/src/main.jsx"></script></body></html>\n',
  )
}

/**
 * A create-vite template as shipped (from the root's pinned `create-vite`), inside the repository so
 * its imports resolve from the root node_modules, where the e2e setup installs them.
 */
const createViteTemplate = (template) => (dir) =>
  cpSync(join(here, '../../node_modules/create-vite', `template-${template}`), dir, { recursive: true })

/**
 * name -> { entry (relative to the case's directory), write(dir), tools?, toolsWhy? }. A case with
 * `tools` is built by those only, and `toolsWhy` says why in the report.
 */
export const CASES = {
  three10x: { entry: 'src/entry.js', write: three10x },
  'react-1k': { entry: 'src/main.jsx', write: (dir) => generateReactApp(1000, dir) },
  'react-5k': { entry: 'src/main.jsx', write: (dir) => generateReactApp(5000, dir) },
  'react-10k': { entry: 'src/main.jsx', write: (dir) => generateReactApp(10000, dir) },
  'ts-corpus': { entry: 'src/m0.ts', write: (dir) => tsCorpus(dir, 3000) },
  'real-libs': { entry: 'src/main.jsx', write: realLibs },
  'vue-1k': {
    entry: 'index.html',
    write: (dir) => generateVueApp(1000, dir),
    tools: ['nexxo', 'nexxo wasm', 'vite 8'],
    toolsWhy:
      'single-file components need a Vue compiler: nexxo with nexxo/vue, Vite 8 with @vitejs/plugin-vue (each from its own config file); rolldown and esbuild called directly have none.',
  },
  'create-vite react-ts': {
    entry: 'index.html',
    write: createViteTemplate('react-ts'),
    tools: ['nexxo', 'nexxo wasm', 'vite 8'],
    toolsWhy:
      'an app as create-vite ships it (index.html, SVG imports, CSS, public/) needs an app bundler: rolldown and esbuild called directly build none of its assets, and the Rsbuild, Turbopack and webpack runners take a JS entry of their own.',
  },
}

/** Writes the case afresh and returns its directory. */
export function prepare(name) {
  const dir = join(appsDir, name.replace(/\W+/g, '-'))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  CASES[name].write(dir)
  return dir
}
