// The measurements behind every figure: a Node process's own report and a sampled native process
// both count toward the tree's peak RSS and CPU.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failureSummary, measure } from './measure.mjs'

test('a Node process reports its own peak; a native child is sampled to its end', async () => {
  // Node holds 80 MB while dd, a native child, reads 150 MB into one buffer and exits.
  const script =
    "const b = Buffer.alloc(80e6, 1); require('node:child_process').execFileSync('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=150M', 'count=1'], { stdio: 'ignore' }); console.log(b.length)"
  const r = await measure([process.execPath, '-e', script])
  assert.equal(r.stdout.trim(), '80000000')
  assert.ok(r.rssMb > 80 + 150, `peak RSS ${r.rssMb} MB`)
  assert.ok(r.cpuS > 0 && r.ms > 0)
})

test('a failing command is an error with its output', async () => {
  await assert.rejects(
    measure([process.execPath, '-e', "console.error('boom'); process.exit(3)"]),
    /failed \(3\)[\s\S]*boom/,
  )
})

test("a failure's summary keeps the error from the head of a long output, not the stack after it", async () => {
  // Next prints the error first and then a stack line per module; the tail alone says nothing.
  const script =
    "console.error(\"\\x1b[31mError: Module not found: Can't resolve 'react'\\x1b[0m\"); for (let i = 0; i < 2000; i++) console.error('    at <unknown> (https://nextjs.org/docs)'); process.exit(1)"
  const error = await measure([process.execPath, '-e', script]).catch((e) => e)
  assert.equal(
    failureSummary(error.message),
    "Error: Module not found: Can't resolve 'react' (the run's log has the rest)",
  )
})
