import { randomUUID } from 'node:crypto';
import { addDays, todayInDistrict } from '../../../lib/calendar';
import { buildCreditRecord } from '../../../subgraphs/records/credit-record.repository';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordObjection, type ObjectionStatus } from '../../../subgraphs/records/entities/credit-record-objection.entity';
import { objectionDueBy } from '../../../subgraphs/records/lifecycle';
import { recordsSubgraph } from '../../../subgraphs/records/subgraph';
import { insertMany } from '../../../subgraphs/shared/bulk-insert';
import type { RequestIdentity } from '../../../lib/access/identity';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { creditOffice, identityOf, officerOf } from './records-harness';

/**
 * The follow-up of objections past their time limit (逾期未处理), one department at a time:
 * `creditRecordObjections(overdue: true, sourceDepartment:)`, which lists exactly what
 * `departmentHandlingStatistics` counts as that department's `overdue`, for every supervisor that
 * counts it (the credit office and the supervising departments, under CREDIT_SUPERVISION), read
 * from the department's index (IDX_credit_record_objection_department).
 */
const today = todayInDistrict();
const departments = ['MARKET_REGULATION', 'FINANCE', 'TAXATION', 'ECOLOGY_ENVIRONMENT', 'ADMINISTRATIVE_APPROVAL'] as const;
/** Per department: how many pending objections past their limit, to tell the departments apart. */
const overdueCount: Record<(typeof departments)[number], number> = { MARKET_REGULATION: 5, FINANCE: 3, TAXATION: 0, ECOLOGY_ENVIRONMENT: 1, ADMINISTRATIVE_APPROVAL: 2 };
const daysAgo = (days: number, minutes = 0) => new Date(Date.now() - days * 86_400_000 - minutes * 60_000);

const supervisor = (organisation: string): RequestIdentity =>
  identityOf({ id: `supervisor-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' }, 'CREDIT_SUPERVISION');
const supervisors = [
  ['the credit office', creditOffice],
  ['the administrative approval bureau, a supervising department', supervisor('ADMINISTRATIVE_APPROVAL')],
  ['the establishment office, a supervising department', supervisor('ESTABLISHMENT_OFFICE')],
] as const;

const LIST = /* GraphQL */ `
  query($d: ID, $o: Boolean, $s: ObjectionStatus, $first: Int, $after: String) {
    creditRecordObjections(sourceDepartment: $d, overdue: $o, status: $s, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id status overdue sourceDepartment { code } record { id } } }
    }
  }
`;
type Listed = { creditRecordObjections: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; status: string; overdue: boolean; sourceDepartment: { code: string } } }[] } };

interface Seeded {
  id: string;
  recordId: string;
  sourceDepartment: string;
  status: ObjectionStatus;
  submittedAt: Date;
  submittedByOrganisation: string;
}

describe.each(testDatabases)('one department’s objections, overdue ones to follow up, on $label', (database) => {
  const { db, queryAs } = useSubgraph(recordsSubgraph, database, 'objdept');
  const subjectId = randomUUID();
  const seeded: Seeded[] = [];
  let serial = 0;

  beforeAll(async () => {
    const records: CreditRecord[] = [];
    const objections: CreditRecordObjection[] = [];
    const objection = (sourceDepartment: string, status: ObjectionStatus, submittedAt: Date, submittedByOrganisation = 'CREDIT_OFFICE') => {
      serial += 1;
      const record = buildCreditRecord(
        {
          subjectId, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', sourceDepartment,
          documentNumber: `跟进〔2026〕${serial}号`, decisionDate: addDays(today, -60), summary: '未按规定公示年度报告，罚款5000元',
        },
        { id: randomUUID(), recordedAt: daysAgo(50), today },
      );
      const pending = status === 'SUBMITTED';
      // Marked disputed while its objection is pending (异议处理中), as filing one leaves it.
      if (pending) record.status = 'OBJECTED';
      records.push(record);
      const row = Object.assign(new CreditRecordObjection(), {
        id: randomUUID(), recordId: record.id, subjectId, sourceDepartment, status, reason: '处罚对象认定有误',
        submittedBy: `officer-${submittedByOrganisation.toLowerCase()}`, submittedByOrganisation, submittedAt, resolution: status === 'ACCEPTED' ? 'CORRECTED' : null,
        decidedBy: pending ? null : 'officer', decidedByOrganisation: pending ? null : sourceDepartment, decidedAt: pending ? null : new Date(submittedAt.getTime() + 86_400_000), decisionReason: pending ? null : '经核查',
      });
      objections.push(row);
      seeded.push({ id: row.id, recordId: record.id, sourceDepartment, status, submittedAt, submittedByOrganisation });
    };
    departments.forEach((department, d) => {
      // Past the limit (10 working days) by weeks; one filed by the department itself, at its own window.
      for (let n = 0; n < overdueCount[department]; n += 1) objection(department, 'SUBMITTED', daysAgo(25 + n, d), n === 0 ? department : 'CREDIT_OFFICE');
      objection(department, 'SUBMITTED', daysAgo(0, 10 + d));
      objection(department, 'REJECTED', daysAgo(30, d));
      objection(department, 'ACCEPTED', daysAgo(31, d));
      objection(department, 'WITHDRAWN', daysAgo(32, d));
    });
    await insertMany(db().manager, CreditRecord, records);
    await insertMany(db().manager, CreditRecordObjection, objections);
  });

  /** What the list should answer, newest first as it lists (filed, then id, descending). */
  const expected = (filter: { department: string; overdue?: boolean; status?: ObjectionStatus; filedBy?: string }) =>
    seeded
      .filter((o) => o.sourceDepartment === filter.department)
      .filter((o) => filter.status === undefined || o.status === filter.status)
      .filter((o) => filter.filedBy === undefined || o.submittedByOrganisation === filter.filedBy || o.sourceDepartment === filter.filedBy)
      .filter((o) => filter.overdue === undefined || filter.overdue === (o.status === 'SUBMITTED' && objectionDueBy(o.submittedAt) < today))
      .sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((o) => o.id);

  /** Every page, `first` at a time: the ids in order, and the totalCount each page told. */
  async function listAll(identity: RequestIdentity, variables: Record<string, unknown>, first = 2) {
    const ids: string[] = [];
    const totals = new Set<number>();
    let after: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const result: GraphQLResponse<Listed> = await queryAs<Listed>(identity, LIST, { ...variables, first, after });
      expect(result.errors).toBeUndefined();
      const connection: Listed['creditRecordObjections'] = result.data!.creditRecordObjections;
      totals.add(connection.totalCount);
      ids.push(...connection.edges.map((e) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    return { ids, totals: [...totals] };
  }

  it('lists exactly one department’s objections, with overdue and status combined, page by page, and counts them', async () => {
    const combinations: { overdue?: boolean; status?: ObjectionStatus }[] = [{}, { overdue: true }, { overdue: false }, { status: 'SUBMITTED' }, { status: 'SUBMITTED', overdue: true }, { status: 'SUBMITTED', overdue: false }, { status: 'REJECTED' }, { status: 'WITHDRAWN', overdue: false }, { status: 'REJECTED', overdue: true }];
    const answers = [];
    for (const department of departments) {
      for (const combination of combinations) {
        const listed = await listAll(creditOffice, { d: department, o: combination.overdue ?? null, s: combination.status ?? null });
        const ids = expected({ department, ...combination });
        answers.push({ department, ...combination, listed, ids });
      }
    }
    expect(answers.map(({ listed, ...rest }) => ({ ...rest, ids: listed.ids, totals: listed.totals }))).toEqual(answers.map(({ listed: _, ids, ...rest }) => ({ ...rest, ids, totals: [ids.length] })));
    // Each department's overdue ones are told apart from every other department's.
    expect(departments.map((department) => expected({ department, overdue: true }).length)).toEqual(departments.map((department) => overdueCount[department]));
  });

  it('reads a department code in any letter case and width, trimmed, as every code typed is', async () => {
    const ids = expected({ department: 'FINANCE', overdue: true });
    for (const code of ['finance', ' Finance ', 'ＦＩＮＡＮＣＥ', '\u3000ｆｉｎａｎｃｅ']) {
      const listed = await listAll(creditOffice, { d: code, o: true });
      expect({ code, ids: listed.ids }).toEqual({ code, ids });
    }
  });

  it('refuses a department code not in the catalogue, as every department argument is (BAD_USER_INPUT naming sourceDepartment)', async () => {
    // Left blank, it is none (README, Errors): a list whose "all" is "" lists every department's.
    expect(await queryAs<Listed>(creditOffice, LIST, { d: ' ', o: true })).toEqual(await queryAs<Listed>(creditOffice, LIST, { o: true }));
    for (const code of ['NOT_A_DEPARTMENT', 'finance_bureau']) {
      const result = await queryAs<Listed>(creditOffice, LIST, { d: code, o: true });
      expect({ code, data: result.data?.creditRecordObjections ?? null, extensions: result.errors?.[0]?.extensions }).toEqual({
        code,
        data: null,
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'sourceDepartment' }),
      });
    }
    // To a department too, before its scope: the mistake is the caller's, not a request for another department's.
    const officer = await queryAs<Listed>(officerOf('FINANCE'), LIST, { d: 'FINANCE_BUREAU' });
    expect(officer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sourceDepartment' });
  });

  describe.each(supervisors)('%s, which counts every department’s overdue objections under CREDIT_SUPERVISION', (_, identity) => {
    it('lists each department’s overdue objections, exactly those it counts', async () => {
      const counted = await queryAs<{ departmentHandlingStatistics: { department: { code: string }; objections: { overdue: number } }[] }>(
        identity,
        /* GraphQL */ `query($from: Date!, $to: Date!) { departmentHandlingStatistics(from: $from, to: $to) { department { code } objections { overdue } } }`,
        { from: addDays(today, -60), to: addDays(today, 1) },
      );
      expect(counted.errors).toBeUndefined();
      const counts = Object.fromEntries(counted.data!.departmentHandlingStatistics.map((row) => [row.department.code, row.objections.overdue]));
      const listed = [];
      for (const department of departments) {
        const { ids, totals } = await listAll(identity, { d: department, o: true }, 100);
        listed.push({ department, counted: counts[department], listed: totals[0], ids });
      }
      expect(listed).toEqual(departments.map((department) => ({ department, counted: overdueCount[department], listed: overdueCount[department], ids: expected({ department, overdue: true }) })));
    });

    it('reads one it listed by its id, and on its record', async () => {
      const one = seeded.find((o) => o.sourceDepartment === 'FINANCE' && o.status === 'SUBMITTED')!;
      const result = await queryAs<{ creditRecordObjection: { id: string }; creditRecord: { objections: { id: string }[] } }>(
        identity,
        /* GraphQL */ `query($id: ID!, $record: ID!) { creditRecordObjection(id: $id) { id } creditRecord(id: $record) { objections { id } } }`,
        { id: one.id, record: one.recordId },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ creditRecordObjection: { id: one.id }, creditRecord: { objections: [{ id: one.id }] } });
    });
  });

  it('lets a supervising department’s supervisor read the objections to its own department’s records, never decide or withdraw them', async () => {
    const identity = supervisor('ADMINISTRATIVE_APPROVAL');
    const pending = seeded.find((o) => o.sourceDepartment === 'ADMINISTRATIVE_APPROVAL' && o.status === 'SUBMITTED' && o.submittedByOrganisation === 'ADMINISTRATIVE_APPROVAL')!;
    const decided = await queryAs(identity, /* GraphQL */ `mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { id status } }`, { input: { id: pending.id, decision: 'REJECT', reason: '经核查' } });
    expect({ data: decided.data?.decideObjection ?? null, extensions: decided.errors?.[0]?.extensions }).toEqual({ data: null, extensions: expect.objectContaining({ code: 'FORBIDDEN', problem: 'NOT_ENTITLED' }) });
    const withdrawn = await queryAs(identity, /* GraphQL */ `mutation($input: WithdrawObjectionInput!) { withdrawObjection(input: $input) { id status } }`, { input: { id: pending.id } });
    expect({ data: withdrawn.data?.withdrawObjection ?? null, extensions: withdrawn.errors?.[0]?.extensions }).toEqual({ data: null, extensions: expect.objectContaining({ code: 'FORBIDDEN', problem: 'NOT_ENTITLED' }) });
    expect(await db().getRepository(CreditRecordObjection).findOneByOrFail({ id: pending.id })).toMatchObject({ status: 'SUBMITTED', decidedAt: null });
  });

  it('tells an officer it does not show an objection to, who it is shown to: the supervision among them', async () => {
    const one = seeded.find((o) => o.sourceDepartment === 'FINANCE' && o.submittedByOrganisation === 'CREDIT_OFFICE')!;
    const refused = await queryAs(officerOf('MARKET_REGULATION'), /* GraphQL */ `query($id: ID!) { creditRecordObjection(id: $id) { id } }`, { id: one.id });
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringContaining("the organisation that filed it and the credit office's supervisors, and the supervising departments under CREDIT_SUPERVISION"),
      extensions: { code: 'FORBIDDEN', problem: 'NOT_ENTITLED' },
    });
  });

  it('narrows a department’s own list: its own records’ objections, and on another department’s records only those it filed', async () => {
    const finance = await listAll(officerOf('FINANCE'), { d: 'FINANCE' }, 100);
    expect(finance.ids).toEqual(expected({ department: 'FINANCE' }));
    expect((await listAll(officerOf('FINANCE'), { d: 'MARKET_REGULATION' }, 100)).ids).toEqual([]);
    // The credit office's window filed most of them, on every department's records.
    const window = await listAll(officerOf('CREDIT_OFFICE'), { d: 'MARKET_REGULATION', o: true }, 100);
    expect(window.ids).toEqual(expected({ department: 'MARKET_REGULATION', overdue: true, filedBy: 'CREDIT_OFFICE' }));
    expect(window.ids.length).toBe(overdueCount.MARKET_REGULATION - 1);
  });
});

/** The plan of the list's statements over years of decided objections, as the plans of migration 170 are checked (department-statistics-plans.test.ts). */
describe.each(testDatabases)('one department’s overdue objections are read from its index on $label', (database) => {
  const records = useSubgraph(recordsSubgraph, database, 'objdeptplan');
  const subjectId = randomUUID();
  const planned = ['MARKET_REGULATION', 'FINANCE', 'TAXATION', 'ECOLOGY_ENVIRONMENT', 'HEALTH', 'TRANSPORT', 'HOUSING_CONSTRUCTION', 'EDUCATION_SPORTS'];

  beforeAll(async () => {
    const history: CreditRecord[] = [];
    for (let n = 0; n < 2400; n += 1) {
      history.push(
        buildCreditRecord(
          {
            subjectId, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', sourceDepartment: planned[n % planned.length],
            documentNumber: `计划〔${n}〕号`, decisionDate: addDays(today, -3 - (n % 1800)), summary: '未按规定公示年度报告，罚款5000元',
          },
          { id: randomUUID(), recordedAt: daysAgo(1 + (n % 1800)), today },
        ),
      );
    }
    const manager = records.db().manager;
    await insertMany(manager, CreditRecord, history);
    // Years of objections, decided within days; a few pending, some of them past their limit.
    await insertMany(manager, CreditRecordObjection, history.map((r, n) => {
      // Eight in every 400, each department's in turn (n % 8), half of them long past their limit.
      const pending = n % 50 < 8 && Math.floor(n / 50) % 4 < 2;
      const submittedAt = pending ? daysAgo(Math.floor(n / 50) % 4 === 0 ? 40 : 1) : r.recordedAt;
      return Object.assign(new CreditRecordObjection(), {
        id: randomUUID(), recordId: r.id, subjectId, sourceDepartment: r.sourceDepartment, status: pending ? 'SUBMITTED' : n % 3 ? 'REJECTED' : 'ACCEPTED', reason: '处罚对象认定有误',
        submittedBy: 'window', submittedByOrganisation: 'CREDIT_OFFICE', submittedAt, resolution: pending || n % 3 ? null : 'CORRECTED',
        decidedBy: pending ? null : 'officer', decidedByOrganisation: pending ? null : r.sourceDepartment, decidedAt: pending ? null : new Date(submittedAt.getTime() + 5 * 86_400_000), decisionReason: pending ? null : '经核查',
      });
    }));
    if (database.label === 'mysql') await records.db().query('ANALYZE TABLE credit_record, credit_record_objection');
  });

  async function plansOf(sql: string, params: unknown[]): Promise<{ index: string | null; wholeTable: boolean }[]> {
    if (database.label === 'mysql') {
      const steps: { table: string; type: string; key: string | null }[] = await records.db().query(`EXPLAIN ${sql}`, params);
      return steps.filter((s) => s.table === 't').map((s) => ({ index: s.key, wholeTable: s.type === 'ALL' || s.type === 'index' }));
    }
    const steps: { detail: string }[] = await records.db().query(`EXPLAIN QUERY PLAN ${sql}`, params);
    return steps
      .map((s) => s.detail)
      .filter((detail) => /^(SCAN|SEARCH) t\b/.test(detail))
      .map((detail) => ({ index: detail.match(/USING (?:COVERING )?INDEX (\w+)/)?.[1] ?? null, wholeTable: detail.startsWith('SCAN') }));
  }

  it.each([
    ['the credit office', creditOffice],
    ['a supervising department', supervisor('ADMINISTRATIVE_APPROVAL')],
    ['the department itself', officerOf('FINANCE')],
  ])('reads FINANCE’s overdue objections, for %s, from IDX_credit_record_objection_department', async (_, identity) => {
    const db = records.db();
    const sent: [string, unknown[]][] = [];
    const send = db.query.bind(db);
    const spy = jest.spyOn(db, 'query').mockImplementation((sql: string, params?: unknown) => {
      sent.push([sql, (params as unknown[] | undefined) ?? []]);
      return send(sql, params as unknown[] | undefined);
    });
    let answer;
    try {
      answer = await records.queryAs<Listed>(identity, LIST, { d: 'FINANCE', o: true, first: 20 });
    } finally {
      spy.mockRestore();
    }
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.creditRecordObjections.totalCount).toBeGreaterThan(0);
    expect(answer.data!.creditRecordObjections.edges.every((e) => e.node.sourceDepartment.code === 'FINANCE' && e.node.overdue)).toBe(true);
    const statements = sent.filter(([sql]) => /^\s*SELECT/i.test(sql) && /FROM [`"]credit_record_objection[`"] t\b/.test(sql));
    expect(statements.length).toBeGreaterThan(0);
    const read = await Promise.all(statements.map(async ([sql, params]) => ({ sql, plans: await plansOf(sql, params) })));
    expect(read).toEqual(read.map(({ sql, plans }) => ({ sql, plans: plans.map(() => expect.objectContaining({ index: 'IDX_credit_record_objection_department', wholeTable: false })) })));
    expect(read.every(({ plans }) => plans.length > 0)).toBe(true);
  });
});
