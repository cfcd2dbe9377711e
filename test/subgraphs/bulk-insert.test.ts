import type { DataSource } from 'typeorm';
import { SubjectNameGram } from '../../subgraphs/entities/entities/subject-name-gram.entity';
import { CreditServiceProvider } from '../../subgraphs/providers/entities/credit-service-provider.entity';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { insertMany } from '../../subgraphs/shared/bulk-insert';
import { openDatabase } from '../../subgraphs/shared/database';
import { insertMissing } from '../../subgraphs/shared/seeding';
import { testDatabases } from '../helpers/databases';

/**
 * Writes that skip rows already stored skip those only: MySQL's INSERT IGNORE, which they used,
 * also stores a value too long for its column cut short (and a missing one as a default) with no
 * more than a warning, as a credit check's sealed requirement once was.
 */
describe.each(testDatabases)('inserts that skip stored rows, on $label', (database) => {
  const suite = 'bulkinsert';
  let entities: DataSource;
  let providers: DataSource;
  beforeAll(async () => {
    await database.cleanUp(suite);
    entities = await openDatabase('entities', database.target(suite), subgraphDefinitions.entities);
    providers = await openDatabase('providers', database.target(suite), subgraphDefinitions.providers);
  });
  afterAll(async () => {
    await entities?.destroy();
    await providers?.destroy();
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

  it('seeds only the rows not yet there, counts them, and never stores a value cut short', async () => {
    const repository = providers.getRepository(CreditServiceProvider);
    const provider = (id: string, name: string) =>
      repository.create({ id, unifiedSocialCreditCode: `91130304MA0TEST${id.slice(-2)}X`.slice(0, 18), name, nameKey: name, registeredAddress: '河北省秦皇岛市北戴河区', legalRepresentative: '测试', businessScope: '征信', contact: '0335', filingStatus: 'APPLIED', supervisionClass: null, filedOn: null, createdAt: new Date() } as Partial<CreditServiceProvider>);
    expect(await insertMissing(repository, [provider('p-01', '甲信用'), provider('p-02', '乙信用')])).toBe(2);
    expect(await insertMissing(repository, [provider('p-01', '甲信用（改）'), provider('p-03', '丙信用')])).toBe(1);
    expect((await repository.findOneByOrFail({ id: 'p-01' })).name).toBe('甲信用');
    // name is varchar(200).
    const long = '信'.repeat(201);
    const seeded = await insertMissing(repository, [provider('p-04', long)]).then(
      () => true,
      () => false,
    );
    expect((await repository.findBy({ id: 'p-04' })).map((p) => p.name)).toEqual(seeded ? [long] : []);
    expect(seeded).toBe(database.label === 'sqlite');
  });
});
