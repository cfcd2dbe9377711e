import type { DataSource } from 'typeorm';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../../lib/calendar';
import { CheckRequirementRepository, type CheckRef, type ReportRequirementSnapshot } from '../../../subgraphs/reports/check-requirement';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { CheckRequirementAsJson1764000000260 } from '../../../subgraphs/reports/migrations/1764000000260-check-requirement-as-json';
import { reportsSubgraph } from '../../../subgraphs/reports/subgraph';
import { openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph, type TestSubgraph } from '../../helpers/subgraph';
import { financeOfficer, identityOf } from '../providers/callers';
import { checkOf as checkMadeNow, registeredReport } from './check-fixtures';

/**
 * A credit check's report requirement, judged by this subgraph and sealed the first time it is
 * read: stored whole however many reports it considered, or not at all; read back check by check;
 * relying on the best grade (AA+ above AA above AA-), then the latest, the same on both databases.
 */
const purpose = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0260' };
const officer = identityOf(financeOfficer, purpose);
const today = todayInDistrict();

/** A 200-character issuer name (the column's most), numbered: 300 reports with it make some 250 KB of requirement. */
const longIssuerName = (n: number) => `${'秦皇岛市北戴河区信用评估咨询服务有限公司'.repeat(10).slice(0, 196)}${String(n).padStart(4, '0')}`;

const registration = (subjectId: string, n: number, overrides: Partial<CreditReport> = {}) => registeredReport(subjectId, `${subjectId}-${String(n).padStart(4, '0')}`, `XYHB-2026-${String(n).padStart(6, '0')}`, overrides);

const checkOf = (id: string, subjectId: string): CheckRef => checkMadeNow(id, subjectId, purpose.matter);

/** A requirement as a check of `reports` considered reports with long issuer names would seal it. */
function largeRequirement(reports: number): ReportRequirementSnapshot {
  const considered = Array.from({ length: reports }, (_, i) => ({
    reportId: `report-${i}`,
    reportNumber: `XYHB-2026-${String(i).padStart(6, '0')}`,
    source: 'LOCAL_CREDIT_WEBSITE',
    issuerName: longIssuerName(i),
    grade: 'AA-',
    issuedOn: '2026-10-30',
    validUntil: '2027-10-29',
    accepted: true,
    reasons: [],
  }));
  return { required: true, satisfied: true, goodGrade: true, reliedOn: 'report-0', considered };
}

interface Requirement {
  satisfied: boolean;
  reliedOn: { id: string; grade: string | null } | null;
  considered: { report: { id: string } | null; reportNumber: string; issuerName: string; grade: string | null; accepted: boolean; reasons: string[] }[];
}

const readRequirements = (reports: TestSubgraph, checks: CheckRef[]) =>
  reports.queryAs<{ _entities: ({ reportRequirement: Requirement | null } | null)[] }>(
    officer,
    /* GraphQL */ `
      query ($r: [_Any!]!) {
        _entities(representations: $r) {
          ... on CreditCheck { reportRequirement { satisfied reliedOn { id grade } considered { report { id } reportNumber issuerName grade accepted reasons } } }
        }
      }
    `,
    { r: checks.map((check) => ({ __typename: 'CreditCheck', ...check, caseNumber: purpose.caseNumber })) },
  );

/** A requirement cut short, stored as INSERT IGNORE left it on MariaDB (before 1764000000260). */
const insertCut = (db: DataSource, check: CheckRef, text: string) =>
  db.query("INSERT INTO check_report_requirement (check_id, subject_id, matter, judged_as_of, requirement, sealed_at) VALUES (?, ?, ?, '2026-11-01 00:00:00.000', ?, '2026-11-01 00:00:00.000')", [check.id, check.subjectId, check.matter, text]);

/** What the requirement column holds, as text (mysql2 gives a JSON column parsed). */
async function storedText(reports: TestSubgraph, checkId: string): Promise<string[]> {
  const rows = (await reports.db().query('SELECT requirement FROM check_report_requirement WHERE check_id = ?', [checkId])) as { requirement: unknown }[];
  return rows.map((row) => (typeof row.requirement === 'string' ? row.requirement : JSON.stringify(row.requirement)));
}

describe.each(testDatabases)("a check's sealed report requirement on $label", (database) => {
  const reports = useSubgraph(reportsSubgraph, database, 'req_reports');

  it('seals a requirement of 300 considered reports with 200-character issuer names and reads it back whole, beside another check', async () => {
    const many = Array.from({ length: 300 }, (_, n) => registration('subject-many', n, { issuerName: longIssuerName(n) }));
    await reports.db().getRepository(CreditReport).insert([...many, registration('subject-one', 1)]);
    const checks = [checkOf('check-many', 'subject-many'), checkOf('check-one', 'subject-one')];

    const judged = await readRequirements(reports, checks);
    expect(judged.errors).toBeUndefined();
    const [manyReports, oneReport] = judged.data!._entities.map((check) => check!.reportRequirement!);
    // Every one, as registered, in the order they were read (issued the same day: id descending).
    const asRegistered = (r: Partial<CreditReport>) => ({ report: { id: r.id }, reportNumber: r.reportNumber, issuerName: r.issuerName, grade: r.grade, accepted: true, reasons: [] });
    expect(manyReports.considered).toEqual([...many].reverse().map(asRegistered));
    expect(oneReport.considered.map((c) => c.report?.id)).toEqual(['subject-one-0001']);
    // What was stored is well past the 64 KB of the TEXT column it was in.
    const [stored] = await storedText(reports, 'check-many');
    expect(Buffer.byteLength(stored)).toBeGreaterThan(200_000);

    // Read again, from the seal, in one batch: as judged.
    const sealed = await readRequirements(reports, checks);
    expect(sealed.errors).toBeUndefined();
    expect(sealed.data).toEqual(judged.data);
  });

  it('relies on the best grade, AA+ above AA above AA-, then the latest, then the higher report number of the same day', async () => {
    const issuedOn = addDays(today, -20);
    // Each pair's expected report has the higher id, read first (issue date, then id, descending):
    // a tie left to the order they were read in relied on the other one.
    const pairs: [subject: string, expected: Partial<CreditReport>, other: Partial<CreditReport>][] = [
      ['plus', { grade: 'AA+', issuedOn }, { grade: 'AA', issuedOn }],
      ['bare', { grade: 'AA', issuedOn }, { grade: 'AA-', issuedOn }],
      ['minus-over-lower', { grade: 'AA-', issuedOn }, { grade: 'A+', issuedOn: addDays(today, -1) }],
      ['latest', { grade: 'BBB-', issuedOn: addDays(issuedOn, 1) }, { grade: 'BBB-', issuedOn }],
      ['number', { grade: 'AA', issuedOn, reportNumber: 'XYHB-2026-900002' }, { grade: 'AA', issuedOn, reportNumber: 'XYHB-2026-900001' }],
      ['graded', { grade: 'C', issuedOn }, { grade: null, issuedOn: addDays(issuedOn, 1) }],
    ];
    await reports
      .db()
      .getRepository(CreditReport)
      .insert(pairs.flatMap(([subject, expected, other]) => [registration(subject, 2, { reportNumber: `${subject}-2`, ...expected }), registration(subject, 1, { reportNumber: `${subject}-1`, ...other })]));

    const result = await readRequirements(
      reports,
      pairs.map(([subject]) => checkOf(`check-${subject}`, subject)),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((check) => check!.reportRequirement!.reliedOn)).toEqual(pairs.map(([subject, expected]) => ({ id: `${subject}-0002`, grade: expected.grade })));
  });

  it('accepts a report through the last instant of its validUntil day and refuses it as EXPIRED from the next', async () => {
    const checkDay = addDays(today, -10);
    const lastInstant = new Date(startOfDistrictDay(addDays(checkDay, 1)).getTime() - 1);
    const earlier = { issuedOn: addDays(checkDay, -30), registeredAt: startOfDistrictDay(addDays(checkDay, -1)) };
    await reports
      .db()
      .getRepository(CreditReport)
      .insert([registration('subject-valid-until', 2, { ...earlier, validUntil: checkDay }), registration('subject-valid-until', 1, { ...earlier, validUntil: addDays(checkDay, -1) })]);
    const checkedAt = (instant: Date, id: string): CheckRef => ({ ...checkOf(id, 'subject-valid-until'), checkedAt: instant.toISOString() });

    const result = await readRequirements(reports, [checkedAt(lastInstant, 'check-on-valid-until'), checkedAt(startOfDistrictDay(addDays(checkDay, 1)), 'check-day-after')]);
    expect(result.errors).toBeUndefined();
    const judged = result.data!._entities.map((check) => check!.reportRequirement!.considered.map((c) => [c.report?.id, c.reasons]));
    expect(judged).toEqual([
      [
        ['subject-valid-until-0002', []],
        ['subject-valid-until-0001', ['EXPIRED']],
      ],
      [
        ['subject-valid-until-0002', ['EXPIRED']],
        ['subject-valid-until-0001', ['EXPIRED']],
      ],
    ]);
  });

  it('counts a report registered on a clock up to the tolerance ahead of the check\'s, not one registered long after an old check', async () => {
    // The reports subgraph's clock 28 s ahead of the records subgraph's: a report generated 3 s
    // before the check was registered 25 s after the check's instant as each clock stamped it.
    const now = Date.now();
    const midnight = startOfDistrictDay(today).getTime();
    await reports
      .db()
      .getRepository(CreditReport)
      .insert([
        registration('subject-ahead', 1, { registeredAt: new Date(now) }),
        // Issued and registered just after midnight on the reports clock, for a check just before it on the records clock.
        registration('subject-midnight', 1, { issuedOn: today, registeredAt: new Date(midnight + 10_000) }),
        // Registered 10 min after a check of an hour ago: not within any clock difference accepted.
        registration('subject-old', 1, { registeredAt: new Date(now - 50 * 60_000) }),
      ]);
    const at = (id: string, subjectId: string, instant: number): CheckRef => ({ ...checkOf(id, subjectId), checkedAt: new Date(instant).toISOString() });

    const result = await readRequirements(reports, [at('check-ahead', 'subject-ahead', now - 25_000), at('check-midnight', 'subject-midnight', midnight - 10_000), at('check-old', 'subject-old', now - 60 * 60_000)]);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((check) => [check!.reportRequirement!.satisfied, check!.reportRequirement!.considered.map((c) => c.report?.id)])).toEqual([
      [true, ['subject-ahead-0001']],
      [true, ['subject-midnight-0001']],
      [false, []],
    ]);
  });

  it('keeps the first judgement when a second one races it to the seal', async () => {
    const requirements = new CheckRequirementRepository(reports.db());
    const check = checkOf('check-raced', 'subject-raced');
    const first = largeRequirement(1);
    const second = { ...largeRequirement(2), reliedOn: 'report-1' };
    expect(await requirements.seal(check, first)).toEqual(first);
    expect(await requirements.seal(check, second)).toEqual(first);
    const both = await Promise.all([requirements.seal(checkOf('check-raced-2', 'subject-raced'), first), requirements.seal(checkOf('check-raced-2', 'subject-raced'), second)]);
    expect(both[1]).toEqual(both[0]);
    expect(await storedText(reports, 'check-raced-2')).toHaveLength(1);
  });
});

/**
 * On the TEXT column of before 1764000000260, where MariaDB's INSERT IGNORE cut requirements of
 * more than 64 KB short: the seal refuses rather than cuts, and a requirement already cut fails
 * its own check only.
 */
describe.each(testDatabases)('sealed report requirements on the TEXT column of before the JSON one, on $label', (database) => {
  const before = { ...reportsSubgraph, migrations: reportsSubgraph.migrations.filter((m) => m !== CheckRequirementAsJson1764000000260) };
  const reports = useSubgraph(before, database, 'reqtext_reports');

  it('stores a requirement longer than its column whole or not at all, never cut short', async () => {
    const requirement = largeRequirement(300);
    const check = checkOf('check-too-long', 'subject-many');
    const outcome = await new CheckRequirementRepository(reports.db()).seal(check, requirement).then(
      () => 'stored',
      () => 'refused',
    );
    // SQLite has no such limit; MySQL refuses what its column cannot hold.
    expect(await storedText(reports, check.id)).toEqual(outcome === 'stored' ? [JSON.stringify(requirement)] : []);
  });

  it('answers a check whose sealed requirement was cut short with an error of its own, and the checks read with it as sealed', async () => {
    const cut = checkOf('check-cut', 'subject-cut');
    const whole = checkOf('check-whole', 'subject-whole');
    await insertCut(reports.db(), cut, JSON.stringify(largeRequirement(300)).slice(0, 20_000));
    const sealed = largeRequirement(2);
    await new CheckRequirementRepository(reports.db()).seal(whole, sealed);

    const result = await readRequirements(reports, [cut, whole]);
    expect(result.errors?.map((e) => ({ path: e.path, code: e.extensions?.code }))).toEqual([{ path: ['_entities', 0, 'reportRequirement'], code: 'INTERNAL_SERVER_ERROR' }]);
    expect(result.data!._entities[0]).toEqual({ reportRequirement: null });
    expect(result.data!._entities[1]!.reportRequirement!.considered.map((c) => c.issuerName)).toEqual(sealed.considered.map((c) => c.issuerName));
  });
});

describe.each(testDatabases)('the migration of sealed report requirements to JSON on $label', (database) => {
  const suite = 'reqmigration';
  afterAll(() => database.cleanUp(suite));

  it('deletes the requirements cut short, keeps the others as sealed, then holds any length, and goes back to TEXT', async () => {
    await database.cleanUp(suite);
    const migration = new CheckRequirementAsJson1764000000260();
    const db = await openDatabase('reports', database.target(suite), { entities: reportsSubgraph.entities, migrations: reportsSubgraph.migrations.filter((m) => m !== CheckRequirementAsJson1764000000260) });
    const runner = db.createQueryRunner();
    try {
      const requirements = new CheckRequirementRepository(db);
      const small = largeRequirement(3);
      await requirements.seal(checkOf('check-whole', 'subject-1'), small);
      const cut = checkOf('check-cut', 'subject-1');
      await insertCut(db, cut, JSON.stringify(small).slice(0, 100));

      await migration.up(runner);
      const sealed = await requirements.sealed(['check-whole', 'check-cut']);
      expect([...sealed.keys()]).toEqual(['check-whole']);
      expect(sealed.get('check-whole')).toEqual(small);
      const large = largeRequirement(300);
      expect(await requirements.seal(checkOf('check-large', 'subject-1'), large)).toEqual(large);

      // Back to TEXT, which cannot hold the large one.
      await db.query("DELETE FROM check_report_requirement WHERE check_id = 'check-large'");
      await migration.down(runner);
      expect((await runner.getTable('check_report_requirement'))!.findColumnByName('requirement')!.type).toBe('text');
      expect((await requirements.sealed(['check-whole'])).get('check-whole')).toEqual(small);
    } finally {
      await runner.release();
      await db.destroy();
    }
  });
});
