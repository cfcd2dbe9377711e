import { demoWorld } from '../../../scripts/demo/world';
import { Consent } from '../../../subgraphs/entities/entities/consent.entity';
import { ConsentSubjectIdsExact1764000000080 } from '../../../subgraphs/entities/migrations/1764000000080-consent-subject-ids-exact';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { subgraphDefinitions } from '../../../subgraphs/registry';
import { openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';

/**
 * MySQL's collation once let the window record a consent under its subject's id in another letter
 * case; migration 080 gives each its subject's id as the register has it. (SQLite compared ids
 * exactly all along: there the migration has nothing to do.)
 */
describe.each(testDatabases)('consents recorded under a subject id in another letter case, on $label', (database) => {
  const suite = 'consentsubjectids';
  afterAll(() => database.cleanUp(suite));

  (database.label === 'mysql' ? it : it.skip)("are given their subject's id, and no other consent changes", async () => {
    await database.cleanUp(suite);
    const entities = subgraphDefinitions.entities;
    const before = { entities: entities.entities, migrations: entities.migrations.filter((m) => m !== ConsentSubjectIdsExact1764000000080) };
    const db = await openDatabase('entities', database.target(suite), before);
    try {
      const world = demoWorld({ subjects: 4 });
      await seedEntities(db, world);
      const [subject, other] = world.subjects;
      const consent = (id: string, subjectId: string) => ({
        id, subjectId, granteeKind: 'FINANCIAL_INSTITUTION' as const, granteeOrganisation: 'BANK_MENDED', purpose: 'FINANCIAL_SERVICES', validFrom: '2026-11-01', validUntil: '2027-10-31',
        grantedBy: 'window-sun', grantedByOrganisation: 'CREDIT_OFFICE', grantedAt: new Date('2026-11-01T00:00:00Z'), revokedAt: null, revokedBy: null, revokedByOrganisation: null, revocationReason: null,
      });
      await db.getRepository(Consent).insert([consent('upper-cased', subject.id.toUpperCase()), consent('exact', other.id), consent('nobodys', 'not-a-subject')]);
      const runner = db.createQueryRunner();
      try {
        await new ConsentSubjectIdsExact1764000000080().up(runner);
      } finally {
        await runner.release();
      }
      const rows = await db.getRepository(Consent).find({ where: { granteeOrganisation: 'BANK_MENDED' }, order: { id: 'ASC' } });
      expect(rows.map((c) => [c.id, c.subjectId])).toEqual([['exact', other.id], ['nobodys', 'not-a-subject'], ['upper-cased', subject.id]]);
    } finally {
      await db.destroy();
    }
  });
});
