import { nameKey, withoutInvisible } from '../../../lib/text';
import { demoWorld } from '../../../scripts/demo/world';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { Subject } from '../../../subgraphs/entities/entities/subject.entity';
import { SubjectNamesAsRead1764000000090 } from '../../../subgraphs/entities/migrations/1764000000090-subject-names-as-read';
import { nameGrams } from '../../../subgraphs/entities/subject-names';
import { SubjectRepository } from '../../../subgraphs/entities/subject.repository';
import { subgraphDefinitions } from '../../../subgraphs/registry';
import { insertValues } from '../../../subgraphs/shared/bulk-insert';
import { openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';

/** A name as the previous release keyed and indexed it: NFKC, invisible characters left out, each character lower-cased alone; spaces and punctuation kept. */
const previousFold = (name: string) => Array.from(withoutInvisible(name.normalize('NFKC')), (c) => c.toLowerCase()).join('');
const bigrams = (text: string) => {
  const characters = Array.from(text);
  return [...new Set(characters.slice(1).map((c, i) => characters[i] + c))];
};

/**
 * Migration 090: names are searched as read (spaces and punctuation left out, as the provider
 * registry's), so the subjects the previous release registered get their keys and postings again.
 */
describe.each(testDatabases)('subject names keyed before spaces and punctuation were left out, on $label', (database) => {
  const suite = 'namesasread';
  afterAll(() => database.cleanUp(suite));

  it('are keyed and indexed as the register keys and indexes a name now, found by a term without them, and back as they were on the way down', async () => {
    await database.cleanUp(suite);
    const entities = subgraphDefinitions.entities;
    // The register as the previous release left it: every migration but this one, and each subject keyed and indexed by its fold.
    const before = { entities: entities.entities, migrations: entities.migrations.filter((m) => m !== SubjectNamesAsRead1764000000090) };
    const db = await openDatabase('entities', database.target(suite), before);
    try {
      const code = (n: number) => unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `MA0KG${String(n).padStart(2, '0')}X` });
      const spelt = ['北戴河 金海湾 大酒店有限公司', '北戴河\u00a0碧水\u00a0物业有限公司', '秦皇岛·天润（北戴河）物业有限公司', 'ABC Trading 50%_折扣 秦皇岛有限公司'].map((name, i) => ({
        id: `5a000000-0000-4000-8000-${String(i).padStart(12, '0')}`, kind: 'ENTERPRISE' as const, name, identifier: code(i), identifierKind: 'UNIFIED_SOCIAL_CREDIT_CODE' as const,
        registeredAddress: null, legalRepresentative: null, status: 'ACTIVE' as const, registrationDate: '2016-03-01',
      }));
      const subjects = [...demoWorld({ subjects: 12 }).subjects, ...spelt];
      await db.getRepository(Subject).insert(subjects.map((s) => ({ ...s, nameKey: previousFold(s.name), createdAt: new Date('2026-01-01T00:00:00Z') })));
      const postings = (fold: (name: string) => string) => subjects.flatMap((s) => bigrams(fold(s.name)).map((gram) => [gram, s.name, s.id, s.kind]));
      await insertValues(db.manager, 'subject_name_gram', ['gram', 'name', 'subject_id', 'kind'], postings(previousFold));
      const stored = async () => ({
        keys: Object.fromEntries((await db.getRepository(Subject).find()).map((s) => [s.id, s.nameKey])),
        postings: ((await db.query('SELECT gram, name, subject_id, kind FROM subject_name_gram')) as Record<string, string>[]).map((p) => JSON.stringify([p.gram, p.name, p.subject_id, p.kind])).sort(),
      });
      const previous = await stored();
      const search = async (term: string) => (await new SubjectRepository(db).search(term, null, 20))!.rows.map((s) => s.name);
      expect(await search('金海湾大酒店')).toEqual([]);

      const migration = new SubjectNamesAsRead1764000000090();
      const runner = db.createQueryRunner();
      try {
        await migration.up(runner);
        // What registerSubject stores for each name now (subject.repository.ts, subject-names.ts).
        expect(await stored()).toEqual({
          keys: Object.fromEntries(subjects.map((s) => [s.id, nameKey(s.name)])),
          postings: subjects.flatMap((s) => nameGrams(s.name).map((gram) => JSON.stringify([gram, s.name, s.id, s.kind]))).sort(),
        });
        expect(await search('金海湾大酒店')).toEqual([spelt[0].name]);
        expect(await search('碧水物业')).toEqual([spelt[1].name]);
        expect(await search('天润 (北戴河) 物业')).toEqual([spelt[2].name]);
        expect(await search('abc trading 50折扣')).toEqual([spelt[3].name]);
        await migration.down(runner);
        expect(await stored()).toEqual(previous);
      } finally {
        await runner.release();
      }
    } finally {
      await db.destroy();
    }
  });
});
