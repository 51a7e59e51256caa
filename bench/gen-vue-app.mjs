// Generates a Vue app of N single-file components in the React generator's shape (gen-react-app.mjs):
// a tree with fan-out 10, each component with state, a handler, a helper module and a template,
// plus a scoped style, as Vue apps are written. Configs for both tools: nexxo.config.mjs names
// nexxo/vue, vite.config.mjs @vitejs/plugin-vue (each tool reads its own).
// Usage: node bench/gen-vue-app.mjs 1000 [outDir]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function generateVueApp(n, dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'src/components'), { recursive: true })
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html>\n<html lang="en">\n  <head><meta charset="UTF-8" /><title>vue-${n}</title></head>\n  <body>\n    <div id="app"></div>\n    <script type="module" src="/src/main.js"></script>\n  </body>\n</html>\n`,
  )
  writeFileSync(
    join(dir, 'src/main.js'),
    `import { createApp } from 'vue'\nimport C0 from './components/C0.vue'\n\ncreateApp(C0, { depth: 0 }).mount('#app')\n`,
  )
  writeFileSync(join(dir, 'nexxo.config.mjs'), "import vue from 'nexxo/vue'\n\nexport default { plugins: [vue()] }\n")
  writeFileSync(
    join(dir, 'vite.config.mjs'),
    "import vue from '@vitejs/plugin-vue'\n\nexport default { plugins: [vue()] }\n",
  )
  for (let i = 0; i < n; i++) {
    const children = []
    for (let c = 10 * i + 1; c <= 10 * i + 10 && c < n; c++) children.push(c)
    const imports = children.map((c) => `import C${c} from './C${c}.vue'`).join('\n')
    const rendered = children.map((c) => `    <C${c} :depth="depth + 1" />`).join('\n')
    writeFileSync(
      join(dir, `src/components/C${i}.vue`),
      `<script setup>
import { ref } from 'vue'
import { label${i} } from './c${i}.helper.js'
${imports}

defineProps({ depth: Number })
const count = ref(${i % 7})
const onClick = () => count.value++
</script>

<template>
  <div class="c" :data-depth="depth">
    <button type="button" @click="onClick">{{ label${i}(count) }}</button>
${rendered}
  </div>
</template>

<style scoped>
.c { padding-left: ${(i % 4) + 1}px }
</style>
`,
    )
    writeFileSync(
      join(dir, `src/components/c${i}.helper.js`),
      `export function label${i}(count) {\n  return 'component ${i}: ' + count.toString(${(i % 3) + 8})\n}\n\nexport const unused${i} = () => 'dead code ${i}'\n`,
    )
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000)
  const out = process.argv[3] ?? join(new URL('.', import.meta.url).pathname, 'apps', `vue-${n}`)
  generateVueApp(n, out)
  console.log(`generated ${n} components in ${out}`)
}
