// Types of bench/gen-react-app.mjs for the TypeScript bench scripts.
export declare function generateReactApp(n: number, dir: string): void
