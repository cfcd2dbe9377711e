import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const scripts: Record<string, string> = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;

describe('npm scripts', () => {
  // `npm run build` compiles scripts/, schema/, gateway/… into dist/ with the same paths, so a script
  // naming dist/<dir>/<name>.js runs only if <dir>/<name>.ts exists in the sources.
  it.each(Object.entries(scripts))('%s runs a compiled file that has a source', (_name, command) => {
    const missing = [...command.matchAll(/\bdist\/(\S+)\.js\b/g)]
      .map(([, compiled]) => `${compiled}.ts`)
      .filter((source) => !existsSync(path.join(root, source)));
    expect(missing).toEqual([]);
  });

  // api-changes compares from a git revision it must be given: bare, it prints its usage and exits 2.
  it('are named in README with the revision api-changes compares from', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect([...readme.matchAll(/npm run api-changes(?! -- \S)[^\n]*/g)].map(([line]) => line)).toEqual([]);
  });
});
