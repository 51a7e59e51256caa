// Side-effect CSS imports, which the bundler turns into the page's stylesheet.
declare module '*.css'
