import { createHash } from 'node:crypto';
import { validateIdentifier } from '../../lib/identifiers';
import { demoWorld } from '../../scripts/demo/world';

/**
 * `npm run seed -- --subjects N` and the benchmark's data set take the demo world's subjects as
 * they are, and the subject table's identifier is unique: a world with a repeated code fails to
 * seed (on SQLite) or loses a subject (on MySQL). A person's code was drawn from a birth date and
 * index % 1000, which first repeated at subject 13,938.
 */
describe('the demo world', () => {
  const largest = demoWorld({ subjects: 200_000 });

  it.each([20_000, 100_000, 200_000])('gives %i subjects as many distinct, valid identifiers', (subjects) => {
    const identifiers = largest.subjects.slice(0, subjects).map((s) => s.identifier);
    expect(new Set(identifiers).size).toBe(subjects);
    expect(identifiers.filter((code, i) => !validateIdentifier(code, largest.subjects[i].identifierKind).valid)).toEqual([]);
  });

  it('is the first part of every larger world, so that a seeded world grows by appending', () => {
    for (const subjects of [300, 20_000, 100_000]) {
      expect(JSON.stringify(demoWorld({ subjects }).subjects)).toBe(JSON.stringify(largest.subjects.slice(0, subjects)));
    }
  });

  it('changes no subject before the first repeat: the codes of the default demo, which README examples name, stay', () => {
    // sha256 of "id identifier" lines of subjects 0-13,937 as the demo world drew them before repeats were moved.
    const lines = largest.subjects.slice(0, 13_938).map((s) => `${s.id} ${s.identifier}`);
    expect(createHash('sha256').update(lines.join('\n')).digest('hex')).toBe('c7f56d186457fc022ab3403ca690825a849408b6a0660498959118f8266c4321');
  });
});
