// Side-effect CSS imports, bundled by esbuild into explorer.css.
declare module '*.css';
