const { rolldown } = await import(process.argv[2])
try {
  const bundle = await rolldown({ input: '/tmp/rd/a.js', cwd: '/tmp/rd', logLevel: 'silent' })
  await bundle.generate({ format: 'esm' })
} catch (e) {
  for (const x of e.errors) { const { message, ...rest } = x; console.log(JSON.stringify(rest)); console.log(message.replace(/\x1b\[[0-9;]*m/g, '').slice(0, 300)) }
}
