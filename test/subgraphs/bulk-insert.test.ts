import type { DataSource } from 'typeorm';
import { SubjectNameGram } from '../../subgraphs/entities/entities/subject-name-gram.entity';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { insertMany } from '../../subgraphs/shared/bulk-insert';
import { openDatabase } from '../../subgraphs/shared/database';
import { testDatabases } from '../helpers/databases';

/**
 * Writes that skip rows already stored skip those only: MySQL's INSERT IGNORE, which they used,
 * also stores a value too long for its column cut short (and a missing one as a default) with no
 * more than a warning, as a credit check's sealed requirement once was.
 */
describe.each(testDatabases)('inserts that skip stored rows, on $label', (database) => {
  const suite = 'bulkinsert';
  let entities: DataSource;
  beforeAll(async () => {
    await database.cleanUp(suite);
    entities = await openDatabase('entities', database.target(suite), subgraphDefinitions.entities);
  });
  afterAll(async () => {
    await entities?.destroy();
    await database.cleanUp(suite);
  });

  const posting = (gram: string, subjectId: string): SubjectNameGram => Object.assign(new SubjectNameGram(), { gram, name: '天润物业', subjectId, kind: 'ENTERPRISE' });

  it('skips a row whose key is stored, stores the new ones, and never stores a value cut short', async () => {
    await insertMany(entities.manager, SubjectNameGram, [posting('天润', 'subject-1')], { skipExisting: true });
    await insertMany(entities.manager, SubjectNameGram, [posting('天润', 'subject-1'), posting('润物', 'subject-1')], { skipExisting: true });
    expect((await entities.getRepository(SubjectNameGram).find({ order: { gram: 'ASC' } })).map((p) => p.gram).sort()).toEqual(['天润', '润物'].sort());
    // gram is varchar(2): MySQL refuses three characters; SQLite, which sets no length, stores them whole.
    const stored = await insertMany(entities.manager, SubjectNameGram, [posting('天润物', 'subject-2')], { skipExisting: true }).then(
      () => true,
      () => false,
    );
    const grams = (await entities.getRepository(SubjectNameGram).findBy({ subjectId: 'subject-2' })).map((p) => p.gram);
    expect(grams).toEqual(stored ? ['天润物'] : []);
    expect(stored).toBe(database.label === 'sqlite');
  });
});
