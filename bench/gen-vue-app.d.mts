// Types of bench/gen-vue-app.mjs for the TypeScript bench scripts.
export declare function generateVueApp(n: number, dir: string): void
