import type { AppliedMeasure } from '../../../lib/catalogue/measures';
import type { CheckedRecordSnapshot } from '../../../subgraphs/records/credit-check.repository';
import { CreditCheck } from '../../../subgraphs/records/entities/credit-check.entity';
import { CreditCheckFindingsAsJson1764000000160 } from '../../../subgraphs/records/migrations/1764000000160-credit-check-findings-as-json';
import { recordsSubgraph } from '../../../subgraphs/records/subgraph';
import { openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';

/** What a check stored before 1764000000160 found, and the kinds the migration is to give it. */
const findings: { measures: AppliedMeasure[]; measureKinds: string }[] = [
  {
    measures: [
      { kind: 'EXCLUSION', situation: 'SEVERE_DISHONESTY_LIST', recordIds: ['r-1'] },
      { kind: 'REFERENCE_NOTED', situation: 'GENERAL_NEGATIVE', recordIds: ['r-2', 'r-3'] },
    ],
    measureKinds: ',EXCLUSION,REFERENCE_NOTED,',
  },
  { measures: [{ kind: 'EVALUATION_PREFERENCE', situation: 'GOOD_REPORT_GRADE', recordIds: [] }], measureKinds: ',EVALUATION_PREFERENCE,' },
  { measures: [], measureKinds: '' },
];

function snapshotOf(measures: AppliedMeasure[]): CheckedRecordSnapshot[] {
  return [...new Set(measures.flatMap((m) => m.recordIds))].map((id) => ({
    id, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, sourceDepartment: 'MARKET_REGULATION',
    documentNumber: `北戴河市监罚〔2026〕${id}号`, decisionDate: '2026-09-01', summary: '引号"与\\反斜杠，及 {"kind":"EXCLUSION"}',
  }));
}

describe.each(testDatabases)('records migrations on $label', (database) => {
  const suite = 'recordmigrations';
  afterAll(() => database.cleanUp(suite));

  it('keep each check’s snapshot and measures as their columns become JSON, give it the kinds its measures call for, and go back', async () => {
    await database.cleanUp(suite);
    // The schema as it was before: every migration but this one (the entity only maps rows).
    const before = { entities: recordsSubgraph.entities, migrations: recordsSubgraph.migrations.filter((m) => m !== CreditCheckFindingsAsJson1764000000160) };
    const db = await openDatabase('records', database.target(suite), before);
    // More checks than the migration reads at a time, so that its batches must meet.
    const checks = Array.from({ length: 620 }, (_, i) => ({ id: `check-${String(i).padStart(4, '0')}`, ...findings[i % findings.length] }));
    const stored = checks.map((c) => ({ id: c.id, records_snapshot: JSON.stringify(snapshotOf(c.measures)), measures: JSON.stringify(c.measures) }));
    const runner = db.createQueryRunner();
    try {
      await db.query(
        `INSERT INTO credit_check (id, subject_id, matter, case_number, department, checked_by, checked_at, records_snapshot, measures) VALUES ${stored.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        stored.flatMap((c) => [c.id, 'subject-1', 'GOVERNMENT_PROCUREMENT', `CASE-${c.id}`, 'FINANCE', 'officer-1', '2026-10-02 03:04:05.678', c.records_snapshot, c.measures]),
      );
      const migration = new CreditCheckFindingsAsJson1764000000160();
      await migration.up(runner);
      const migrated = await db.getRepository(CreditCheck).find({ order: { id: 'ASC' } });
      expect(migrated.map((c) => ({ id: c.id, recordsSnapshot: c.recordsSnapshot, measures: c.measures, measureKinds: c.measureKinds }))).toEqual(
        checks.map((c) => ({ id: c.id, recordsSnapshot: snapshotOf(c.measures), measures: c.measures, measureKinds: c.measureKinds })),
      );

      await migration.down(runner);
      const restored: Record<string, unknown>[] = await db.query('SELECT * FROM credit_check ORDER BY id');
      expect(restored.map((c) => ({ id: c.id, records_snapshot: c.records_snapshot, measures: c.measures }))).toEqual(stored);
      expect(Object.keys(restored[0])).not.toContain('measure_kinds');
    } finally {
      await runner.release();
      await db.destroy();
    }
  });
});
