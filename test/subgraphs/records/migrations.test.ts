import type { AppliedMeasure } from '../../../lib/catalogue/measures';
import { quietDatabaseLogger } from '../../../lib/database-logger';
import type { CheckedRecordSnapshot } from '../../../subgraphs/records/credit-check.repository';
import { CreditCheckRepository } from '../../../subgraphs/records/credit-check.repository';
import { CreditCheck } from '../../../subgraphs/records/entities/credit-check.entity';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditCheckFindingsAsJson1764000000160 } from '../../../subgraphs/records/migrations/1764000000160-credit-check-findings-as-json';
import { FoldedDocumentAndCaseNumbers1764000000180 } from '../../../subgraphs/records/migrations/1764000000180-folded-document-and-case-numbers';
import { DisclosureEndedByDecision1764000000200 } from '../../../subgraphs/records/migrations/1764000000200-disclosure-ended-by-decision';
import { WrittenDocumentNumbers1764000000210 } from '../../../subgraphs/records/migrations/1764000000210-written-document-numbers';
import { RestorationEvidenceAsJson1764000000220 } from '../../../subgraphs/records/migrations/1764000000220-restoration-evidence-as-json';
import { RestorationApplication } from '../../../subgraphs/records/entities/restoration-application.entity';
import { CreditRecordEvent } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { recordEvent } from '../../../subgraphs/records/record-history';
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

  it('keeps each restoration application’s evidence as its column becomes JSON, and puts back the text it was', async () => {
    await database.cleanUp(suite);
    const before = { entities: recordsSubgraph.entities, migrations: recordsSubgraph.migrations.filter((m) => m !== RestorationEvidenceAsJson1764000000220) };
    const db = await openDatabase('records', database.target(suite), before);
    // More applications than the way back reads at a time; items with quotes, a backslash, a bracket and Chinese.
    const lists = [['罚款缴纳凭证'], ['引号"与\\反斜杠', '北财罚〔2026〕88号', '[not a list]'], Array.from({ length: 20 }, (_, i) => `凭证 ${i + 1}`)];
    const applications = Array.from({ length: 1205 }, (_, i) => ({ id: `application-${String(i).padStart(4, '0')}`, evidence: lists[i % lists.length] }));
    const stored = applications.map((a) => ({ id: a.id, evidence: JSON.stringify(a.evidence) }));
    const runner = db.createQueryRunner();
    try {
      for (let i = 0; i < stored.length; i += 400) {
        const rows = stored.slice(i, i + 400);
        await db.query(
          `INSERT INTO restoration_application (id, record_id, subject_id, source_department, status, correction, evidence, commitment, submitted_by, submitted_by_organisation, submitted_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          rows.flatMap((a) => [a.id, 'record-1', 'subject-1', 'MARKET_REGULATION', 'SUBMITTED', '已缴纳罚款', a.evidence, '承诺守法经营', 'self', '91130304MA0EXAMPLE', '2026-10-02 03:04:05.678']),
        );
      }
      const migration = new RestorationEvidenceAsJson1764000000220();
      await migration.up(runner);
      const migrated = await db.getRepository(RestorationApplication).find({ order: { id: 'ASC' } });
      expect(migrated.map((a) => ({ id: a.id, evidence: a.evidence }))).toEqual(applications);

      await migration.down(runner);
      const restored: { id: string; evidence: string }[] = await db.query('SELECT id, evidence FROM restoration_application ORDER BY id');
      expect(restored.map((a) => ({ id: a.id, evidence: a.evidence }))).toEqual(stored);
    } finally {
      await runner.release();
      await db.destroy();
    }
  });

  it('folds document numbers and case numbers stored in full width, leaving a number whose folded form its department has already, and logging it', async () => {
    await database.cleanUp(suite);
    const warnings: string[] = [];
    const logger = quietDatabaseLogger((level, message) => void (level === 'warn' && warnings.push(String(message))));
    const before = { entities: recordsSubgraph.entities, migrations: recordsSubgraph.migrations.filter((m) => m !== FoldedDocumentAndCaseNumbers1764000000180) };
    const db = await openDatabase('records', database.target(suite), before, logger);
    const record = (id: string, documentNumber: string, recordedAt: string, sourceDepartment = 'MARKET_REGULATION') =>
      Object.assign(new CreditRecord(), {
        id, subjectId: 'subject-1', category: 'SERIOUS_DISHONESTY_LIST', polarity: 'NEGATIVE', severity: null, taxCreditGrade: null, sourceDepartment, documentNumber,
        decisionDate: '2026-09-01', disclosureEndsAt: '2029-09-01', validUntil: null, status: 'ACTIVE', summary: '列入严重违法失信名单', recordedAt: new Date(recordedAt),
      });
    // More records and checks than the migration reads at a time, so that its batches must meet.
    const plain = Array.from({ length: 1100 }, (_, i) => record(`r-${String(i).padStart(4, '0')}`, `北戴河市监罚〔2026〕${i}号`, '2026-09-02T01:00:00Z'));
    const stored = [
      // The decision stored twice: in half width, and later in full width.
      record('r-half', '北戴河市监严失〔2026〕10号', '2026-09-02T01:00:00Z'),
      record('r-full', '北戴河市监严失〔２０２６〕１０号', '2026-09-03T01:00:00Z'),
      // Two full-width forms of one number, none folded yet: the earlier is folded, the later left (though its id sorts first).
      record('r-again', '\u3000北戴河市监严失〔２０２６〕１１号', '2026-09-05T01:00:00Z'),
      record('r-earlier', '北戴河市监严失〔2026〕１１号', '2026-09-04T01:00:00Z'),
      // Alone in full width: folded, the court's round brackets kept full width.
      record('r-alone', 'ＭＲ－２０２６－１２', '2026-09-04T01:00:00Z'),
      record('r-court', '（２０２６）冀0304执１２号', '2026-09-04T01:00:00Z', 'PEOPLES_COURT'),
      // The same number in another department is another decision: folded.
      record('r-other', '北戴河市监严失〔２０２６〕１０号', '2026-09-04T01:00:00Z', 'FINANCE'),
    ];
    const check = (id: string, caseNumber: string, idempotencyKey: string | null = null) =>
      Object.assign(new CreditCheck(), {
        id, subjectId: 'subject-1', matter: 'GOVERNMENT_PROCUREMENT', caseNumber, department: 'FINANCE', checkedBy: 'officer-1', checkedAt: new Date('2026-10-02T03:04:05.678Z'), idempotencyKey,
        recordsSnapshot: [], measures: [], measureKinds: '', reportSatisfied: null, goodReportGrade: null, verdict: null, sealedAt: null, feedbackApplied: null, feedbackNote: null, feedbackBy: null, feedbackAt: null,
      });
    const checks = [...Array.from({ length: 1100 }, (_, i) => check(`c-${String(i).padStart(4, '0')}`, `CASE-${i}`)), check('c-full', 'ＢＤＨ－ＣＧ－２０２６－０１１７', 'retry-key')];
    const runner = db.createQueryRunner();
    try {
      for (let start = 0; start < plain.length; start += 500) await db.getRepository(CreditRecord).insert(plain.slice(start, start + 500));
      await db.getRepository(CreditRecord).insert(stored);
      for (let start = 0; start < checks.length; start += 500) await db.getRepository(CreditCheck).insert(checks.slice(start, start + 500));

      await new FoldedDocumentAndCaseNumbers1764000000180().up(runner);

      const numbers = await db.getRepository(CreditRecord).find({ select: { id: true, documentNumber: true }, order: { id: 'ASC' } });
      expect(numbers.filter((r) => !r.id.match(/^r-\d/))).toEqual([
        { id: 'r-again', documentNumber: '\u3000北戴河市监严失〔２０２６〕１１号' },
        { id: 'r-alone', documentNumber: 'MR-2026-12' },
        { id: 'r-court', documentNumber: '（2026）冀0304执12号' },
        { id: 'r-earlier', documentNumber: '北戴河市监严失〔2026〕11号' },
        { id: 'r-full', documentNumber: '北戴河市监严失〔２０２６〕１０号' },
        { id: 'r-half', documentNumber: '北戴河市监严失〔2026〕10号' },
        { id: 'r-other', documentNumber: '北戴河市监严失〔2026〕10号' },
      ]);
      expect(numbers.filter((r) => r.id.match(/^r-\d/))).toEqual(plain.map((r) => ({ id: r.id, documentNumber: r.documentNumber })));
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/^credit record r-full of MARKET_REGULATION keeps its document number "北戴河市监严失〔２０２６〕１０号" unfolded: record r-half has it folded/);
      expect(warnings[1]).toMatch(/^credit record r-again of MARKET_REGULATION .* record r-earlier has it folded/);

      const ledger = new CreditCheckRepository(db);
      const listed = await ledger.ledger({ caseNumber: 'BDH-CG-2026-0117' }, null, 10);
      expect(listed?.rows.map((c) => c.id)).toEqual(['c-full']);
      expect((await db.getRepository(CreditCheck).findOneByOrFail({ id: 'c-0007' })).caseNumber).toBe('CASE-7');
      // Retried under its key with the case as the ledger now takes it: the check it ran, not a key reused.
      const retried = await ledger.run({ subjectId: 'subject-1', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117', idempotencyKey: 'retry-key' }, { userId: 'officer-1', department: 'FINANCE' }, new Date());
      expect(retried.id).toBe('c-full');
    } finally {
      await runner.release();
      await db.destroy();
    }
  });

  it('folds the brackets of each stored number’s year and its spaces, keeping the number as written, and leaves a number its department already has folded, logging it', async () => {
    await database.cleanUp(suite);
    const warnings: string[] = [];
    const logger = quietDatabaseLogger((level, message) => void (level === 'warn' && warnings.push(String(message))));
    const before = { entities: recordsSubgraph.entities, migrations: recordsSubgraph.migrations.filter((m) => m !== WrittenDocumentNumbers1764000000210) };
    const db = await openDatabase('records', database.target(suite), before, logger);
    // Rows as stored before the migration, which has no column for the number as written: in SQL, not through the entity.
    const insert = (rows: { id: string; number: string; at: string; department?: string }[]) =>
      db.query(
        `INSERT INTO credit_record (id, subject_id, category, polarity, severity, tax_credit_grade, source_department, document_number, decision_date, disclosure_ends_at, valid_until, status, summary, recorded_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        rows.flatMap((r) => [r.id, 'subject-1', 'ADMINISTRATIVE_PENALTY', 'NEGATIVE', 'GENERAL', null, r.department ?? 'FINANCE', r.number, '2026-09-01', '2027-09-01', null, 'ACTIVE', '罚款5000元', r.at]),
      );
    // More records than the migration reads at a time, so that its batches must meet.
    const plain = Array.from({ length: 1100 }, (_, i) => ({ id: `r-${String(i).padStart(4, '0')}`, number: `北财罚〔2026〕${i}号`, at: '2026-09-02 01:00:00.000' }));
    const stored = [
      { id: 'r-square', number: '北财罚[2026]2001号', at: '2026-09-02 01:00:00.000' },
      { id: 'r-spaced', number: '北财罚〔2026〕 2002号', at: '2026-09-02 01:00:00.000' },
      { id: 'r-court', number: '（2026）冀0304执12号', at: '2026-09-02 01:00:00.000', department: 'PEOPLES_COURT' },
      // The decision stored twice, the second time in lenticular brackets: left as it is.
      { id: 'r-kept', number: '北财罚〔2026〕2003号', at: '2026-09-02 01:00:00.000' },
      { id: 'r-lenticular', number: '北财罚【2026】2003号', at: '2026-09-03 01:00:00.000' },
      // Two typings, neither folded: the earlier is folded, the later left (though its id sorts first).
      { id: 'r-again', number: '北财罚（2026）2004号', at: '2026-09-05 01:00:00.000' },
      { id: 'r-earlier', number: '北财罚[2026]2004号', at: '2026-09-04 01:00:00.000' },
      // The same number in another department is another decision: folded.
      { id: 'r-other', number: '北财罚【2026】2003号', at: '2026-09-04 01:00:00.000', department: 'TAXATION' },
    ];
    const runner = db.createQueryRunner();
    try {
      for (let start = 0; start < plain.length; start += 500) await insert(plain.slice(start, start + 500));
      await insert(stored);

      const migration = new WrittenDocumentNumbers1764000000210();
      await migration.up(runner);
      const numbers = async () => (await db.getRepository(CreditRecord).find({ select: { id: true, documentNumber: true, writtenNumber: true }, order: { id: 'ASC' } })).map((r) => ({ ...r }));
      const expected = [
        { id: 'r-again', documentNumber: '北财罚（2026）2004号', writtenNumber: null },
        { id: 'r-court', documentNumber: '〔2026〕冀0304执12号', writtenNumber: '（2026）冀0304执12号' },
        { id: 'r-earlier', documentNumber: '北财罚〔2026〕2004号', writtenNumber: '北财罚[2026]2004号' },
        { id: 'r-kept', documentNumber: '北财罚〔2026〕2003号', writtenNumber: null },
        { id: 'r-lenticular', documentNumber: '北财罚【2026】2003号', writtenNumber: null },
        { id: 'r-other', documentNumber: '北财罚〔2026〕2003号', writtenNumber: '北财罚【2026】2003号' },
        { id: 'r-spaced', documentNumber: '北财罚〔2026〕2002号', writtenNumber: '北财罚〔2026〕 2002号' },
        { id: 'r-square', documentNumber: '北财罚〔2026〕2001号', writtenNumber: '北财罚[2026]2001号' },
      ];
      expect((await numbers()).filter((r) => !r.id.match(/^r-\d/))).toEqual(expected);
      expect((await numbers()).filter((r) => r.id.match(/^r-\d/))).toEqual(plain.map((r) => ({ id: r.id, documentNumber: r.number, writtenNumber: null })));
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/^credit record r-lenticular of FINANCE keeps its document number "北财罚【2026】2003号" unfolded: record r-kept has it folded, "北财罚〔2026〕2003号"/);
      expect(warnings[1]).toMatch(/^credit record r-again of FINANCE keeps its document number "北财罚（2026）2004号" unfolded: record r-earlier has it folded, "北财罚〔2026〕2004号"/);

      // Back: each number as it was written, the column gone; and up again, to the same numbers, the two left told of again.
      await migration.down(runner);
      const restored: { id: string; document_number: string }[] = await db.query('SELECT * FROM credit_record ORDER BY id');
      expect(restored.map((r) => ({ id: r.id, number: r.document_number }))).toEqual([...plain, ...stored].map((r) => ({ id: r.id, number: r.number })).sort((a, b) => (a.id < b.id ? -1 : 1)));
      expect(Object.keys(restored[0])).not.toContain('written_document_number');
      await migration.up(runner);
      expect((await numbers()).filter((r) => !r.id.match(/^r-\d/))).toEqual(expected);
      expect(warnings).toHaveLength(4);
    } finally {
      await runner.release();
      await db.destroy();
    }
  });

  it('ends the disclosure of each record restored or withdrawn before, on the district day of that decision, and goes back', async () => {
    await database.cleanUp(suite);
    const before = { entities: recordsSubgraph.entities, migrations: recordsSubgraph.migrations.filter((m) => m !== DisclosureEndedByDecision1764000000200) };
    const db = await openDatabase('records', database.target(suite), before);
    // A general penalty decided 2026-01-10, disclosed until 2027-01-10.
    const record = (id: string, status: string, extra: Partial<CreditRecord> = {}) =>
      Object.assign(new CreditRecord(), {
        id, subjectId: 'subject-1', category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, sourceDepartment: 'MARKET_REGULATION',
        documentNumber: `北戴河市监罚〔2026〕${id}号`, decisionDate: '2026-01-10', disclosureEndsAt: '2027-01-10', validUntil: null, status, summary: '虚构原价进行价格欺诈，罚款20000元', recordedAt: new Date('2026-01-12T02:00:00Z'),
        ...extra,
      });
    const decided = (recordId: string, kind: 'RESTORED' | 'WITHDRAWN', at: string) => recordEvent(recordId, kind, { userId: 'officer-1', organisation: 'MARKET_REGULATION' }, new Date(at), { before: { status: 'ACTIVE' }, after: { status: kind } });
    // More than the migration reads at a time, restored at 23:30 on 2026-06-30 in UTC: 2026-07-01 in the district.
    const many = Array.from({ length: 1100 }, (_, i) => record(`r-${String(i).padStart(4, '0')}`, 'RESTORED'));
    const stored = [
      many,
      record('withdrawn', 'WITHDRAWN'),
      // Withdrawn on an objection after its disclosure had ended: it keeps that end.
      record('late', 'WITHDRAWN'),
      // Never disclosed for a limited time; and one whose restoration no event tells.
      record('honour', 'WITHDRAWN', { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, disclosureEndsAt: null }),
      record('untold', 'RESTORED'),
      record('active', 'ACTIVE'),
    ].flat();
    const events = [...many.map((r) => decided(r.id, 'RESTORED', '2026-06-30T23:30:00Z')), decided('withdrawn', 'WITHDRAWN', '2026-03-02T01:00:00Z'), decided('late', 'WITHDRAWN', '2027-02-01T01:00:00Z'), decided('honour', 'WITHDRAWN', '2026-03-02T01:00:00Z')];
    const ends = async () => new Map((await db.getRepository(CreditRecord).find({ select: { id: true, disclosureEndsAt: true } })).map((r) => [r.id, r.disclosureEndsAt]));
    const runner = db.createQueryRunner();
    try {
      for (let start = 0; start < stored.length; start += 500) await db.getRepository(CreditRecord).insert(stored.slice(start, start + 500));
      for (let start = 0; start < events.length; start += 500) await db.getRepository(CreditRecordEvent).insert(events.slice(start, start + 500));
      const migration = new DisclosureEndedByDecision1764000000200();
      await migration.up(runner);
      const expected = new Map([...many.map((r) => [r.id, '2026-07-01'] as const), ['withdrawn', '2026-03-02'], ['late', '2027-01-10'], ['honour', null], ['untold', '2027-01-10'], ['active', '2027-01-10']]);
      expect(await ends()).toEqual(expected);
      // Run again (as after an interrupted start): nothing more changes.
      await migration.up(runner);
      expect(await ends()).toEqual(expected);
      await migration.down(runner);
      expect(await ends()).toEqual(new Map(stored.map((r) => [r.id, r.disclosureEndsAt])));
    } finally {
      await runner.release();
      await db.destroy();
    }
  });
});
