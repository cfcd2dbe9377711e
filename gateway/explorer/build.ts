import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../lib/project-root';

/**
 * Where the built explorer lives (ignored by git, like all of dist/); the gateway serves every
 * file of it from its own origin (explorer-route.ts).
 */
export const explorerBundleDirectory = path.join(projectRoot, 'dist', 'explorer');
export const explorerSources = path.join(projectRoot, 'gateway', 'explorer', 'client');

/**
 * Monaco's web workers, each bundled into a file of its own: the page starts them from its own
 * origin (`MonacoEnvironment.getWorker` in client/explorer.tsx names these files; keep in sync).
 * They are resolved from @graphiql/react, so they are always the Monaco GraphiQL was built with.
 */
const workers = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

/**
 * Bundles GraphiQL, React, Monaco and its workers with esbuild, at build time (`npm run build`),
 * into `dist/explorer/`: explorer.js, explorer.css and the three workers. esbuild is a build
 * dependency only; the running gateway just serves the files.
 */
export async function buildExplorer(outdir: string = explorerBundleDirectory): Promise<string[]> {
  const esbuild = await import('esbuild');
  const fromGraphiql = path.dirname(require.resolve('@graphiql/react/package.json'));
  const resolve = (id: string) => require.resolve(id, { paths: [fromGraphiql] });
  const common = {
    bundle: true,
    minify: true,
    legalComments: 'linked' as const,
    target: ['chrome110', 'firefox115', 'safari16'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning' as const,
    outdir,
  };
  fs.rmSync(outdir, { recursive: true, force: true });
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { explorer: path.join(explorerSources, 'explorer.tsx') },
      format: 'esm',
      jsx: 'automatic',
      tsconfig: path.join(explorerSources, 'tsconfig.json'),
      // Fonts and icons in the CSS become files next to it, never URLs of another host.
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
      assetNames: '[name]-[hash]',
    }),
    esbuild.build({
      ...common,
      entryPoints: Object.fromEntries(Object.entries(workers).map(([name, id]) => [name, resolve(id)])),
      // Classic workers: `new Worker(url)` without `{ type: 'module' }` works in every browser.
      format: 'iife',
    }),
  ]);
  return fs.readdirSync(outdir).sort();
}
