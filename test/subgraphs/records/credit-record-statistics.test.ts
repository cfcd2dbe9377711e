import { recordFromDraft } from '../../../subgraphs/records/credit-record.repository';
import type { CreditRecordDraft } from '../../../subgraphs/records/credit-record.validation';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { testDatabases } from '../../helpers/databases';
import { usePlatform, supervisor as platformSupervisor, type As } from '../../helpers/platform';
import { creditOffice, identityOf, officerOf, useRecordsWithSubjects } from './records-harness';
import { requestIdOf } from '../../helpers/graphql';

/**
 * `creditRecordStatistics` (信用记录统计): counts against hand-made records of 1999 (the demo
 * world has none that year), withdrawn records left out, small cells folded, analysts counting
 * organisations only, refusals, bad windows, and one SQL statement per call.
 */

const STATISTICS = /* GraphQL */ `
  query ($from: Date!, $to: Date!, $sourceDepartment: ID, $subjectKind: SubjectKindGroup) {
    creditRecordStatistics(from: $from, to: $to, sourceDepartment: $sourceDepartment, subjectKind: $subjectKind) {
      from to subjectKinds minimumSubjects
      rows { sourceDepartment { code } subjectKind category polarity severity folded suppressed records subjects }
    }
  }
`;

interface Row {
  sourceDepartment: { code: string };
  subjectKind: string;
  category: string | null;
  polarity: string | null;
  severity: string | null;
  folded: boolean;
  suppressed: boolean;
  records: number | null;
  subjects: number | null;
}
interface Answer {
  creditRecordStatistics: { from: string; to: string; subjectKinds: string[]; minimumSubjects: number | null; rows: Row[] } | null;
}

const analystIdentity = identityOf({ id: 'analyst-li', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' }, 'STATISTICAL_ANALYSIS');
const year1999 = { from: '1999-01-01', to: '2000-01-01' };

const cell = (department: string, subjectKind: string, category: string, polarity: string, severity: string | null, records: number, subjects: number): Row => ({
  sourceDepartment: { code: department },
  subjectKind,
  category,
  polarity,
  severity,
  folded: false,
  suppressed: false,
  records,
  subjects,
});
const fold = (department: string, subjectKind: string, counts: { records: number; subjects: number } | null): Row => ({
  sourceDepartment: { code: department },
  subjectKind,
  category: null,
  polarity: null,
  severity: null,
  folded: true,
  suppressed: counts === null,
  records: counts?.records ?? null,
  subjects: counts?.subjects ?? null,
});

/** What an analyst sees of the fixtures: organisations only. */
const organisationRows: Row[] = [
  // 6 subjects; O1's restored and O2's objected records count, O7's withdrawn one does not.
  cell('MARKET_REGULATION', 'ORGANISATION', 'ADMINISTRATIVE_PENALTY', 'NEGATIVE', 'GENERAL', 8, 6),
  // Serious penalties (2 subjects) and licences (3) are each under 5: folded, 5 subjects together.
  fold('MARKET_REGULATION', 'ORGANISATION', { records: 5, subjects: 5 }),
  // Two tax grades: folded and still under 5, so hidden.
  fold('TAXATION', 'ORGANISATION', null),
];
const personRows: Record<string, Row[]> = {
  MARKET_REGULATION: [cell('MARKET_REGULATION', 'NATURAL_PERSON', 'ADMINISTRATIVE_PENALTY', 'NEGATIVE', 'GENERAL', 5, 5)],
  HEALTH: [fold('HEALTH', 'NATURAL_PERSON', null)],
};
/** What the credit office sees without CREDIT_SUPERVISION: persons too, in rows of their own, small cells folded as for analysts. */
const allRows: Row[] = [...organisationRows.slice(0, 2), ...personRows.MARKET_REGULATION, organisationRows[2], ...personRows.HEALTH];
/**
 * What the credit office sees under CREDIT_SUPERVISION, which reads each of these records one by
 * one: every cell exactly, the small ones too (licences 3, serious penalties 2, tax grades 2, one person).
 */
const exactRows: Row[] = [
  cell('MARKET_REGULATION', 'ORGANISATION', 'ADMINISTRATIVE_LICENSING', 'NEUTRAL', null, 3, 3),
  cell('MARKET_REGULATION', 'ORGANISATION', 'ADMINISTRATIVE_PENALTY', 'NEGATIVE', 'GENERAL', 8, 6),
  cell('MARKET_REGULATION', 'ORGANISATION', 'ADMINISTRATIVE_PENALTY', 'NEGATIVE', 'SERIOUS', 2, 2),
  ...personRows.MARKET_REGULATION,
  cell('TAXATION', 'ORGANISATION', 'TAX_CREDIT_GRADE', 'POSITIVE', null, 2, 2),
  cell('HEALTH', 'NATURAL_PERSON', 'CONTRACT_PERFORMANCE', 'NEGATIVE', 'MINOR', 1, 1),
];
const creditOfficeUnstated = identityOf(creditOffice.caller!);

describe.each(testDatabases)('creditRecordStatistics on $label', (database) => {
  const { world, records, directory } = useRecordsWithSubjects(database, 'rst_stats', 40);
  const orgs = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON');
  const persons = world.subjects.filter((s) => s.kind === 'NATURAL_PERSON');
  let serial = 0;
  const record = (subjectId: string, draft: Partial<CreditRecordDraft> & Pick<CreditRecordDraft, 'category' | 'polarity' | 'sourceDepartment'>, decisionDate = '1999-06-01'): CreditRecord =>
    recordFromDraft(
      { subjectId, summary: '统计测试', documentNumber: `统计〔1999〕${++serial}号`, decisionDate, ...draft } as CreditRecordDraft,
      { id: `5a000000-0000-4000-8000-${String(serial).padStart(12, '0')}`, recordedAt: new Date('2026-01-01T00:00:00Z') },
    );
  const penalty = { category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', sourceDepartment: 'MARKET_REGULATION' } as const;

  beforeAll(async () => {
    const [o1, o2, o3, o4, o5, o6, o7, o8] = orgs.map((s) => s.id);
    const rows = [
      ...[o1, o2, o3, o4, o5].map((id) => record(id, penalty)),
      record(o6, penalty, '1999-01-01'), // the first day counts
      record(o1, { ...penalty, status: 'RESTORED' }),
      record(o2, { ...penalty, status: 'OBJECTED' }),
      record(o7, { ...penalty, status: 'WITHDRAWN' }), // withdrawn on an objection: not counted
      record(o8, penalty, '2000-01-01'), // `to` is exclusive
      record(o8, penalty, '1998-12-31'),
      record(o1, { ...penalty, severity: 'SERIOUS' }),
      record(o2, { ...penalty, severity: 'SERIOUS' }),
      ...[o3, o4, o5].map((id) => record(id, { category: 'ADMINISTRATIVE_LICENSING', polarity: 'NEUTRAL', sourceDepartment: 'MARKET_REGULATION' })),
      ...[o1, o2].map((id) => record(id, { category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', taxCreditGrade: 'A', sourceDepartment: 'TAXATION' })),
      ...persons.slice(0, 5).map((p) => record(p.id, penalty)),
      record(persons[0].id, { category: 'CONTRACT_PERFORMANCE', polarity: 'NEGATIVE', severity: 'MINOR', sourceDepartment: 'HEALTH' }),
    ];
    await records.db().getRepository(CreditRecord).insert(rows);
  });

  const ask = async (identity: typeof analystIdentity, variables: Record<string, unknown> = year1999) => records.queryAs<Answer>(identity, STATISTICS, variables);
  const rowsOf = async (identity: typeof analystIdentity, variables: Record<string, unknown> = year1999) => {
    const result = await ask(identity, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.creditRecordStatistics!;
  };

  it('counts an analyst only organisation subjects, with small cells folded and withdrawn records left out', async () => {
    const answer = await rowsOf(analystIdentity);
    expect(answer).toMatchObject({ from: '1999-01-01', to: '2000-01-01', subjectKinds: ['ORGANISATION'], minimumSubjects: 5 });
    expect(answer.rows).toEqual(organisationRows);
  });

  it('counts an analyst organisations only without the purpose header too', async () => {
    const bare = identityOf({ id: 'analyst-li', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' });
    expect((await rowsOf(bare)).rows).toEqual(organisationRows);
  });

  it('gives the credit office under CREDIT_SUPERVISION every cell exactly, natural persons in rows of their own', async () => {
    const answer = await rowsOf(creditOffice);
    expect(answer).toMatchObject({ subjectKinds: ['ORGANISATION', 'NATURAL_PERSON'], minimumSubjects: null });
    expect(answer.rows).toEqual(exactRows);
    expect((await rowsOf(creditOffice, { ...year1999, subjectKind: 'NATURAL_PERSON' })).rows).toEqual(exactRows.filter((r) => r.subjectKind === 'NATURAL_PERSON'));
    expect((await rowsOf(creditOffice, { ...year1999, subjectKind: 'ORGANISATION' })).rows).toEqual(exactRows.filter((r) => r.subjectKind === 'ORGANISATION'));
  });

  it.each([['ADMINISTRATIVE_APPROVAL'], ['ESTABLISHMENT_OFFICE']])('gives the supervising department %s under CREDIT_SUPERVISION every cell exactly', async (organisation) => {
    const supervising = identityOf({ id: `supervisor-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' }, 'CREDIT_SUPERVISION');
    expect(await rowsOf(supervising)).toMatchObject({ minimumSubjects: null, rows: exactRows });
  });

  it('folds small cells for the credit office without CREDIT_SUPERVISION, which reads no record one by one', async () => {
    const answer = await rowsOf(creditOfficeUnstated);
    expect(answer).toMatchObject({ subjectKinds: ['ORGANISATION', 'NATURAL_PERSON'], minimumSubjects: 5 });
    expect(answer.rows).toEqual(allRows);
    expect((await rowsOf(creditOfficeUnstated, { ...year1999, subjectKind: 'NATURAL_PERSON' })).rows).toEqual([...personRows.MARKET_REGULATION, ...personRows.HEALTH]);
    expect((await rowsOf(creditOfficeUnstated, { ...year1999, subjectKind: 'ORGANISATION' })).rows).toEqual(organisationRows);
  });

  it.each([['MARKET_REGULATION'], ['TAXATION'], ['HEALTH'], ['FINANCE']])('answers the %s filter with the same rows as the unfiltered answer', async (department) => {
    let shown = 0;
    for (const identity of [analystIdentity, creditOfficeUnstated, creditOffice]) {
      const unfiltered = (await rowsOf(identity)).rows.filter((r) => r.sourceDepartment.code === department);
      expect((await rowsOf(identity, { ...year1999, sourceDepartment: department })).rows).toEqual(unfiltered);
      shown += unfiltered.length;
    }
    // FINANCE has no record in the period (yet): its filter is the empty answer, as its share of the whole.
    expect(shown > 0).toBe(department !== 'FINANCE');
    // A department whose one small cell is hidden stays hidden when asked for alone.
    const taxation = (await rowsOf(analystIdentity, { ...year1999, sourceDepartment: 'TAXATION' })).rows;
    expect(taxation).toEqual([fold('TAXATION', 'ORGANISATION', null)]);
  });

  it('reads the department code in any letter case and width, trimmed, as every code typed is', async () => {
    const taxation = (await rowsOf(creditOffice, { ...year1999, sourceDepartment: 'TAXATION' })).rows;
    expect(taxation.length).toBeGreaterThan(0);
    for (const code of ['taxation', ' Taxation ', 'ＴＡＸＡＴＩＯＮ', '\u3000ｔａｘａｔｉｏｎ']) {
      expect({ code, rows: (await rowsOf(creditOffice, { ...year1999, sourceDepartment: code })).rows }).toEqual({ code, rows: taxation });
    }
  });

  it('refuses an analyst natural persons', async () => {
    const result = await ask(analystIdentity, { ...year1999, subjectKind: 'NATURAL_PERSON' });
    expect(result.data?.creditRecordStatistics).toBeNull();
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0].message).toMatch(/organisation/);
  });

  it('refuses a department officer, who holds no STATISTICS', async () => {
    const result = await ask(officerOf('MARKET_REGULATION'));
    expect(result.data?.creditRecordStatistics).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'STATISTICS' });
  });

  it.each([
    ['an empty window', { from: '1999-01-01', to: '1999-01-01' }, 'to'],
    ['a reversed window', { from: '1999-06-01', to: '1999-01-01' }, 'to'],
    ['an unknown department', { ...year1999, sourceDepartment: 'NO_SUCH_BUREAU' }, 'sourceDepartment'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_, variables, field) => {
    const result = await ask(analystIdentity, variables);
    expect(result.data?.creditRecordStatistics ?? null).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a date that is not a calendar date', async () => {
    const result = await ask(analystIdentity, { from: '1999-02-30', to: '2000-01-01' });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reads the records a month a statement, and looks kinds up once per 1,000 subjects, however many records there are', async () => {
    directory.calls = [];
    // The first and last decisions of 1999 (January 1st, June 1st), then January to June.
    expect(await records.sql.selectsDuring(() => rowsOf(analystIdentity))).toBe(1 + 6);
    expect(directory.calls).toEqual([{ ids: 6 + 5, codes: 0 }]);
    // Many more records, of every subject: still one statement and one lookup.
    const more = world.subjects.flatMap((s) => Array.from({ length: 5 }, () => record(s.id, { category: 'CREDIT_COMMITMENT', polarity: 'NEUTRAL', sourceDepartment: 'FINANCE' }, '1999-09-09')));
    await records.db().getRepository(CreditRecord).insert(more);
    directory.calls = [];
    let answer: Awaited<ReturnType<typeof rowsOf>> | undefined;
    // Five times as many records, three more months (to September 9th): three more statements.
    expect(await records.sql.selectsDuring(async () => (answer = await rowsOf(creditOffice)))).toBe(1 + 9);
    expect(directory.calls).toEqual([{ ids: world.subjects.length, codes: 0 }]);
    expect(answer!.rows).toContainEqual(cell('FINANCE', 'ORGANISATION', 'CREDIT_COMMITMENT', 'NEUTRAL', null, 5 * orgs.length, orgs.length));
    expect(answer!.rows).toContainEqual(cell('FINANCE', 'NATURAL_PERSON', 'CREDIT_COMMITMENT', 'NEUTRAL', null, 5 * persons.length, persons.length));
  });

  it('counts a subject once in a cell whose records it has in several months of the period', async () => {
    const subject = orgs[9].id;
    const licence = { category: 'ADMINISTRATIVE_LICENSING', polarity: 'NEUTRAL', sourceDepartment: 'ECOLOGY_ENVIRONMENT' } as const;
    await records.db().getRepository(CreditRecord).insert(['1999-02-03', '1999-02-20', '1999-07-07', '1999-11-30'].map((date) => record(subject, licence, date)));
    const answer = await rowsOf(creditOffice);
    expect(answer.rows.filter((r) => r.sourceDepartment.code === 'ECOLOGY_ENVIRONMENT')).toEqual([cell('ECOLOGY_ENVIRONMENT', 'ORGANISATION', 'ADMINISTRATIVE_LICENSING', 'NEUTRAL', null, 4, 1)]);
  });

  it('answers an empty period with no rows and no lookup', async () => {
    directory.calls = [];
    expect((await rowsOf(analystIdentity, { from: '1980-01-01', to: '1980-02-01' })).rows).toEqual([]);
    expect(directory.calls).toEqual([]);
  });
});

describe.each(testDatabases)('creditRecordStatistics through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'rst_statsgw', { seedSubjects: 40 });
  const analyst: As = {
    caller: { id: 'analyst', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' },
    headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' },
  };
  const officer: As = { caller: { id: 'officer-market', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };

  async function withEntries(as: As, variables: Record<string, unknown>) {
    const result = await platform.query<Answer>(STATISTICS, variables, as);
    const requestId = requestIdOf(result);
    const entries: { outcome: string; subject_id: string | null; field_groups: string }[] = await platform.databases.audit.query(
      'SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    return { result, entries };
  }

  it('answers analysts and the credit office, and writes nothing into any subject trail', async () => {
    const window = { from: '2000-01-01', to: '2100-01-01' };
    for (const as of [analyst, platformSupervisor]) {
      const { result, entries } = await withEntries(as, window);
      expect(result.errors).toBeUndefined();
      expect(result.data?.creditRecordStatistics?.rows.length).toBeGreaterThan(0);
      expect(entries.filter((e) => e.subject_id !== null)).toEqual([]);
      expect(JSON.stringify(result.data)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
    const analystRows = (await withEntries(analyst, window)).result.data!.creditRecordStatistics!;
    expect(analystRows.subjectKinds).toEqual(['ORGANISATION']);
    expect(new Set(analystRows.rows.map((r) => r.subjectKind))).toEqual(new Set(['ORGANISATION']));
    // Every shown row concerns at least 5 subjects.
    for (const row of analystRows.rows) expect(row.suppressed ? row.subjects : row.subjects! >= 5).toBe(row.suppressed ? null : true);
  });

  it('gives the credit office under CREDIT_SUPERVISION every cell exactly, so that its rows add up to the records decided', async () => {
    const window = { from: '2000-01-01', to: '2100-01-01' };
    const { result, entries } = await withEntries(platformSupervisor, window);
    expect(result.errors).toBeUndefined();
    const answer = result.data!.creditRecordStatistics!;
    expect(answer.minimumSubjects).toBeNull();
    expect(answer.rows.filter((r) => r.folded || r.suppressed || r.category === null || r.records === null)).toEqual([]);
    // The demo world's small cells are shown, not folded.
    expect(answer.rows.some((r) => r.subjects! < 5)).toBe(true);
    const [{ decided }]: { decided: number | string }[] = await platform.databases.records.query(
      "SELECT COUNT(*) AS decided FROM credit_record WHERE status <> 'WITHDRAWN' AND decision_date >= ? AND decision_date < ?",
      [window.from, window.to],
    );
    expect(answer.rows.reduce((sum, r) => sum + r.records!, 0)).toBe(Number(decided));
    expect(entries.filter((e) => e.subject_id !== null)).toEqual([]);
  });

  it('folds small cells for the credit office without CREDIT_SUPERVISION, as for analysts', async () => {
    const { result } = await withEntries({ caller: platformSupervisor.caller }, { from: '2000-01-01', to: '2100-01-01' });
    expect(result.errors).toBeUndefined();
    const answer = result.data!.creditRecordStatistics!;
    expect(answer.minimumSubjects).toBe(5);
    expect(answer.rows.some((r) => r.folded)).toBe(true);
    for (const row of answer.rows) expect(row.suppressed ? row.subjects : row.subjects! >= 5).toBe(row.suppressed ? null : true);
  });

  it('refuses a department officer with FORBIDDEN, audited about no subject', async () => {
    const { result, entries } = await withEntries(officer, { from: '2000-01-01', to: '2100-01-01' });
    expect(result.data?.creditRecordStatistics).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'STATISTICS', field: 'Query.creditRecordStatistics' });
    expect(entries).toEqual([{ outcome: 'DENIED', subject_id: null, field_groups: 'STATISTICS' }]);
  });

  it('refuses a bad window with BAD_USER_INPUT naming `to`', async () => {
    const { result } = await withEntries(analyst, { from: '2026-03-01', to: '2026-02-01' });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('sends the records database a statement for the bounds of the century asked, then one a month of its records only', async () => {
    const [{ first, last }]: { first: string; last: string }[] = await platform.databases.records.query(
      "SELECT MIN(decision_date) AS first, MAX(decision_date) AS last FROM credit_record WHERE status <> 'WITHDRAWN' AND decision_date >= '2000-01-01'",
    );
    const months = (Number(last.slice(0, 4)) - Number(first.slice(0, 4))) * 12 + Number(last.slice(5, 7)) - Number(first.slice(5, 7)) + 1;
    expect(months).toBeLessThan(12 * 100);
    expect(await platform.sql.records.selectsDuring(() => platform.query(STATISTICS, { from: '2000-01-01', to: '2100-01-01' }, analyst))).toBe(1 + months);
  });
});
