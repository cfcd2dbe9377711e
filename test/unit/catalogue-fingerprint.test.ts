import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../lib/project-root';

/**
 * README (Upgrading) calls `lib/catalogue/` and `lib/access/policy.ts` the catalogue, a change to
 * which is a release, and each process's /ready names the catalogue it was built with. The
 * fingerprint hashed departments, matters, field groups, grants, record categories and measures
 * only: a release changing what a supervision class allows (provider-supervision.ts, read by the
 * providers and reports subgraphs), the public sources' names or a tax grade's term answered the
 * same fingerprint, so a gateway beside subgraphs of both releases stayed `ready` (from the
 * code-review probe). Every table of every catalogue module now moves it, one added later too.
 */
const catalogueModules = [
  ...fs
    .readdirSync(path.join(projectRoot, 'lib/catalogue'))
    .filter((file) => file.endsWith('.ts') && file !== 'fingerprint.ts')
    .map((file) => `../../lib/catalogue/${file.replace(/\.ts$/, '')}`),
  '../../lib/access/policy',
  '../../lib/access/field-groups',
];

/** A module's tables: what it exports that is data (a function decides by them). */
function tablesOf(module: Record<string, unknown>): [string, unknown][] {
  return Object.entries(module).filter(([, value]) => typeof value !== 'function');
}

/** The fingerprint of a catalogue in a module registry of its own, `change` made to it before the fingerprint is computed. */
function fingerprintWith(change?: () => void): string {
  let fingerprint = '';
  jest.isolateModules(() => {
    change?.();
    fingerprint = (require('../../lib/catalogue/fingerprint') as typeof import('../../lib/catalogue/fingerprint')).catalogueFingerprint;
  });
  return fingerprint;
}

/** `value` changed in place, or, a number, string or boolean, the value changed instead: a table as another release would have it. */
function changed(value: unknown): unknown {
  if (Array.isArray(value)) value.push('ANOTHER_RELEASE');
  else if (value !== null && typeof value === 'object') Object.assign(value, { ANOTHER_RELEASE: true });
  else return typeof value === 'number' ? value + 1 : typeof value === 'boolean' ? !value : `${String(value)}, ANOTHER_RELEASE`;
  return value;
}

describe("the catalogue's fingerprint", () => {
  const before = fingerprintWith();

  it('is the same for the same catalogue', () => {
    expect(fingerprintWith()).toBe(before);
  });

  const tables = catalogueModules.flatMap((name) => tablesOf(jest.requireActual<Record<string, unknown>>(name)).map(([table]) => [name.replace('../../lib/', ''), table] as const));

  it('hashes some table of every catalogue module', () => {
    expect(new Set(tables.map(([name]) => name))).toEqual(new Set(catalogueModules.map((name) => name.replace('../../lib/', ''))));
  });

  it.each(tables)('changes when %s %s changes, which it hashes whole', (name, table) => {
    // Plain JSON: a Map or a Set would be hashed as {}, whatever it held.
    const value = jest.requireActual<Record<string, unknown>>(`../../lib/${name}`)[table];
    expect(JSON.parse(JSON.stringify(value)) as unknown).toEqual(value);
    const after = fingerprintWith(() => {
      const module = require(`../../lib/${name}`) as Record<string, unknown>;
      module[table] = changed(module[table]);
    });
    expect(after).not.toBe(before);
  });

  // The probe's own case: class C providers no longer allowed to collect public credit data.
  it('changes when what a supervision class allows changes', () => {
    const after = fingerprintWith(() => {
      const { supervisionClassRules } = require('../../lib/catalogue/provider-supervision') as { supervisionClassRules: { supervisionClass: string | null; mayCollectPublicCreditData: boolean }[] };
      supervisionClassRules.find((rule) => rule.supervisionClass === 'C')!.mayCollectPublicCreditData = false;
    });
    expect(after).not.toBe(before);
  });
});
