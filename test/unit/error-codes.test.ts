import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../../lib/errors';
import { projectRoot } from '../../lib/project-root';

// Front ends switch on `extensions.code`: every code the platform answers with is in the README's table.
describe('the error codes', () => {
  it('are each documented in the README table a front end codes against', () => {
    const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap((m) => m[1].split(', ').map((code) => code.slice(1, -1))));
    expect(Object.values(ErrorCode).filter((code) => !documented.has(code))).toEqual([]);
  });
});
