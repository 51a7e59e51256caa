import assert from 'node:assert/strict'
import { test } from 'node:test'
import { envDefine, loadEnv, parseEnvFile } from './env.js'

const files: Record<string, string> = {
  '.env': 'VITE_A=from-env\nSECRET=never\nNEXXO_B=b\n',
  '.env.local': 'VITE_A=from-local\n',
  '.env.staging': 'VITE_C="multi\nline"\n',
}
const read = (file: string) => files[file]

test('loadEnv: later files win, the process wins over files, only prefixed names are kept', () => {
  const vars = loadEnv({ mode: 'staging', base: '/', read, processEnv: { VITE_D: 'shell', HOME: '/root' } })
  assert.deepEqual(vars, { VITE_A: 'from-local', NEXXO_B: 'b', VITE_C: 'multi\nline', VITE_D: 'shell' })
})

test("loadEnv: nexxo's own settings in the shell never reach client code", () => {
  const vars = loadEnv({ mode: 'production', base: '/', read: () => undefined, processEnv: { NEXXO_BACKEND: 'wasm' } })
  assert.deepEqual(vars, {})
})

test('envDefine: each variable and the whole object, with MODE/DEV/PROD/BASE_URL/SSR', () => {
  const define = envDefine({ VITE_A: 'x' }, { mode: 'production', base: '/app/', dev: false })
  assert.equal(define['import.meta.env.VITE_A'], '"x"')
  assert.equal(define['import.meta.env.PROD'], 'true')
  assert.equal(define['import.meta.env.BASE_URL'], '"/app/"')
  assert.deepEqual(JSON.parse(define['import.meta.env']!), {
    VITE_A: 'x',
    MODE: 'production',
    DEV: false,
    PROD: true,
    BASE_URL: '/app/',
    SSR: false,
  })
})

test('parseEnvFile: a line that is not KEY=value names the file and line', () => {
  assert.throws(() => parseEnvFile('A=1\nthis is not\n', '.env'), /\.env:2/)
})
