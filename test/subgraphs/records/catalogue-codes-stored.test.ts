import { StartFailure } from '../../../lib/start-failure';
import { demoWorld } from '../../../scripts/demo/world';
import { departmentCodesMissingFromCatalogue, refuseCodesMissingFromCatalogue } from '../../../subgraphs/records/catalogue-codes-stored';
import { seedRecords } from '../../../subgraphs/records/seed';
import { recordsSubgraph } from '../../../subgraphs/records/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * An upgrade whose catalogue lacks a department code the stored data uses (a district's own
 * URBAN_MANAGEMENT, dropped when lib/catalogue/ was replaced by the new release's) started, then
 * answered INTERNAL_SERVER_ERROR for each record naming it and null for a subject's whole
 * creditRecords list. The records subgraph now refuses to start, naming the codes and their rows.
 */
describe.each(testDatabases)('department codes stored that the catalogue lacks, on $label', (database) => {
  const records = useSubgraph(recordsSubgraph, database, 'storedcodes');

  beforeAll(() => seedRecords(records.db(), demoWorld({ subjects: 4 })));

  it('are none in data the catalogue wrote, and the start goes on', async () => {
    expect(await departmentCodesMissingFromCatalogue(records.db())).toEqual([]);
    await expect(refuseCodesMissingFromCatalogue(records.db())).resolves.toBeUndefined();
  });

  it('refuse the start in one line naming each code and how many rows of each kind hold it', async () => {
    const rows = (await records.db().query('SELECT id FROM credit_record ORDER BY id')) as { id: string }[];
    const [first, second, third] = rows.map((row) => row.id);
    await records.db().query("UPDATE credit_record SET source_department = 'URBAN_MANAGEMENT' WHERE id IN (?, ?)", [first, second]);
    await records.db().query("UPDATE credit_record SET source_department = 'LAND_RESERVE_CENTRE' WHERE id = ?", [third]);
    const objection = ((await records.db().query('SELECT id FROM credit_record_objection ORDER BY id')) as { id: string }[])[0];
    if (objection) await records.db().query("UPDATE credit_record_objection SET source_department = 'URBAN_MANAGEMENT' WHERE id = ?", [objection.id]);

    expect(await departmentCodesMissingFromCatalogue(records.db())).toEqual([
      { code: 'LAND_RESERVE_CENTRE', rows: [{ rows: 'credit records', count: 1 }] },
      { code: 'URBAN_MANAGEMENT', rows: [{ rows: 'credit records', count: 2 }, ...(objection ? [{ rows: 'objections', count: 1 }] : [])] },
    ]);
    const refusal = refuseCodesMissingFromCatalogue(records.db());
    await expect(refusal).rejects.toBeInstanceOf(StartFailure);
    await expect(refusal).rejects.toThrow(
      `the records database holds department codes that lib/catalogue/departments.ts does not define: LAND_RESERVE_CENTRE (1 credit records); URBAN_MANAGEMENT (2 credit records${objection ? ', 1 objections' : ''}). ` +
        'This release cannot show those rows: add the codes back to the catalogue (a district keeps its own departments across upgrades: README, Upgrading), or start the release that defines them',
    );
    // The subgraph process runs it once migrated, before it serves (runSubgraph).
    expect(recordsSubgraph.checkStored).toBe(refuseCodesMissingFromCatalogue);
  });
});
