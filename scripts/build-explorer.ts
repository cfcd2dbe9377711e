import path from 'node:path';
import { buildExplorer, explorerBundleDirectory } from '../gateway/explorer/build';
import { projectRoot } from '../lib/project-root';

/**
 * `npm run build`'s second step: the explorer bundle. An entry of its own, not a
 * `require.main === module` block in build.ts: the gateway imports build.ts for the bundle's
 * directory, and in a gateway bundled into one file (esbuild) that test would be true, so every
 * start would delete and rebuild the bundle it is about to serve.
 */
const started = Date.now();
buildExplorer()
  .then((files) => console.log(`explorer bundle: ${files.length} files in ${path.relative(projectRoot, explorerBundleDirectory)}/ (${((Date.now() - started) / 1000).toFixed(1)} s)`))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
