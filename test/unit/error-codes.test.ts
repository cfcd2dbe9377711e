import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, maskUnexpectedErrors, maxMessageCharacters } from '../../lib/errors';
import { projectRoot } from '../../lib/project-root';

// Front ends switch on `extensions.code`: every code the platform answers with is in the README's table.
describe('the error codes', () => {
  it('are each documented in the README table a front end codes against', () => {
    const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap((m) => m[1].split(', ').map((code) => code.slice(1, -1))));
    expect(Object.values(ErrorCode).filter((code) => !documented.has(code))).toEqual([]);
  });
});

// Messages quote the value refused: a 100 KB value was sent back whole, in every error about it.
describe('an error message quoting a long value', () => {
  const format = maskUnexpectedErrors(() => undefined);
  it(`goes out as its first ${maxMessageCharacters} characters and how many it had, whole when shorter`, () => {
    const long = `grade must be one of the issuer's grades, got ${JSON.stringify('𠀀'.repeat(50_000))}`;
    const formatted = format({ message: long, extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'grade' } }, new Error(long));
    expect(formatted.message).toBe(`${Array.from(long).slice(0, maxMessageCharacters).join('')}… (${Array.from(long).length} characters in all)`);
    expect(formatted.extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'grade' });
    const short = 'grade must be one of the issuer’s grades, got "Z"';
    expect(format({ message: short, extensions: { code: ErrorCode.BAD_USER_INPUT } }, new Error(short)).message).toBe(short);
  });
});
