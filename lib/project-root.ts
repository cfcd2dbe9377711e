import fs from 'node:fs';
import path from 'node:path';

/**
 * The repository root, found from this file whether it runs from the TypeScript sources (tests)
 * or from `dist/` (npm start): SDL files and the supergraph are read from there, never copied.
 */
export const projectRoot: string = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();
