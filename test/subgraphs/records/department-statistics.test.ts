import { randomUUID } from 'node:crypto';
import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../../lib/calendar';
import { departments } from '../../../lib/catalogue/departments';
import { addMonths } from '../../../lib/catalogue/record-categories';
import { buildCreditRecord } from '../../../subgraphs/records/credit-record.repository';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordEvent, type RecordEventKind } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { CreditRecordObjection, type ObjectionStatus } from '../../../subgraphs/records/entities/credit-record-objection.entity';
import { RestorationApplication, type RestorationStatus } from '../../../subgraphs/records/entities/restoration-application.entity';
import { recordEvent } from '../../../subgraphs/records/record-history';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import { SubjectDirectoryUnavailable } from '../../../subgraphs/shared/subject-directory';
import { testDatabases } from '../../helpers/databases';
import type { TestDatabase } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { creditOffice, identityOf, officerOf } from './records-harness';

/**
 * `departmentHandlingStatistics` (部门信用信息归集和处理统计): the credit office's counts, per
 * department, of the records it supplied and of how it handled objections and restorations.
 *
 * The week under assessment is [M, M+7), M a Monday two months ago or more, so that every time
 * limit of its objections has passed. Its edges are instants: the first of M, the last of M+6
 * (in) and the first of M+7 (out), at district midnights (UTC+8). Everything not meant to count
 * in a window (the records cases are about) entered the platform long before.
 */
const today = todayInDistrict();
const mondayOnOrBefore = (day: string) => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));
const M = mondayOnOrBefore(addDays(today, -60));
const day = (offset: number) => addDays(M, offset);
/** An instant of a district day: `hours` after its midnight (UTC+8). */
const at = (isoDate: string, hours = 0) => new Date(startOfDistrictDay(isoDate).getTime() + hours * 3_600_000);
const lastInstantOf = (isoDate: string) => new Date(startOfDistrictDay(addDays(isoDate, 1)).getTime() - 1);

const QUERY = /* GraphQL */ `
  query Handling($from: Date!, $to: Date!) {
    departmentHandlingStatistics(from: $from, to: $to) {
      department { code }
      intake { created corrected }
      objections { filed accepted rejected decidedLate pending overdue }
      objectionBacklog { atStart atEnd overdueAtEnd }
      restorations { filed approved rejected closed pending }
    }
  }
`;
interface Statistic {
  department: { code: string };
  intake: { created: number; corrected: number };
  objections: { filed: number; accepted: number; rejected: number; decidedLate: number; pending: number; overdue: number };
  objectionBacklog: { atStart: number; atEnd: number; overdueAtEnd: number };
  restorations: { filed: number; approved: number; rejected: number; closed: number; pending: number };
}
type Answer = GraphQLResponse<{ departmentHandlingStatistics: Statistic[] | null }>;

/** A row of the answer, its zero counts left out of the literal. */
function row(
  code: string,
  counts: { intake?: Partial<Statistic['intake']>; objections?: Partial<Statistic['objections']>; objectionBacklog?: Partial<Statistic['objectionBacklog']>; restorations?: Partial<Statistic['restorations']> },
): Statistic {
  return {
    department: { code },
    intake: { created: 0, corrected: 0, ...counts.intake },
    objections: { filed: 0, accepted: 0, rejected: 0, decidedLate: 0, pending: 0, overdue: 0, ...counts.objections },
    objectionBacklog: { atStart: 0, atEnd: 0, overdueAtEnd: 0, ...counts.objectionBacklog },
    restorations: { filed: 0, approved: 0, rejected: 0, closed: 0, pending: 0, ...counts.restorations },
  };
}

const supervisor = (organisation: string, matter?: string): RequestIdentity =>
  identityOf({ id: `supervisor-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' }, matter);
const analyst: Caller = { id: 'analyst-zhao', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'ANALYST' };

/**
 * The records subgraph of a suite, with its own database, and how its tests store cases and read
 * the statistics. Call inside a `describe`.
 */
function useHandlingStatistics(database: TestDatabase, suite: string) {
  /** The instant the lifecycle stamps a filing or a decision made through the API with. */
  let clock = new Date();
  const records = useSubgraph(
    createRecordsSubgraph({
      // Cases filed at the credit office's window name a record, never a subject to look up.
      subjects: {
        lookUp: async () => {
          throw new SubjectDirectoryUnavailable('no subject is looked up here');
        },
      },
      now: () => clock,
    }),
    database,
    suite,
  );
  const subjectId = randomUUID();
  let serial = 0;

  /** A general penalty of `department`, entered at `recordedAt` (long before the windows by default). */
  async function record(department: string, recordedAt = at(day(-150), 10), decisionDate = addDays(M, -200)): Promise<CreditRecord> {
    serial += 1;
    const built = buildCreditRecord(
      {
        subjectId, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', sourceDepartment: department,
        documentNumber: `考核统计〔2026〕${serial}号`, decisionDate, summary: '未按规定公示年度报告，罚款5000元',
      },
      { id: randomUUID(), recordedAt, today },
    );
    await records.db().getRepository(CreditRecord).insert(built);
    return built;
  }

  async function event(target: CreditRecord, kind: RecordEventKind, occurredAt: Date): Promise<void> {
    await records.db().getRepository(CreditRecordEvent).insert(recordEvent(target.id, kind, { userId: 'officer', organisation: target.sourceDepartment }, occurredAt));
  }

  async function objection(target: CreditRecord, submittedAt: Date, decided?: { status: Exclude<ObjectionStatus, 'SUBMITTED'>; at: Date }): Promise<void> {
    await records.db().getRepository(CreditRecordObjection).insert(
      Object.assign(new CreditRecordObjection(), {
        id: randomUUID(), recordId: target.id, subjectId, sourceDepartment: target.sourceDepartment, status: decided?.status ?? 'SUBMITTED', reason: '处罚对象认定有误',
        submittedBy: 'window', submittedByOrganisation: 'CREDIT_OFFICE', submittedAt,
        resolution: decided?.status === 'ACCEPTED' ? 'CORRECTED' : null, decidedBy: decided ? 'officer' : null, decidedByOrganisation: decided ? target.sourceDepartment : null,
        decidedAt: decided?.at ?? null, decisionReason: decided ? '经核查' : null,
      }),
    );
  }

  async function application(target: CreditRecord, submittedAt: Date, status: RestorationStatus = 'SUBMITTED'): Promise<void> {
    const decided = status !== 'SUBMITTED';
    await records.db().getRepository(RestorationApplication).insert(
      Object.assign(new RestorationApplication(), {
        id: randomUUID(), recordId: target.id, subjectId, sourceDepartment: target.sourceDepartment, status, correction: '已缴纳罚款并完成整改', evidence: ['罚款缴纳凭证'],
        commitment: '承诺今后守法经营', submittedBy: 'window', submittedByOrganisation: 'CREDIT_OFFICE', submittedAt,
        decidedBy: decided ? 'officer' : null, decidedByOrganisation: decided ? target.sourceDepartment : null, decidedAt: decided ? addDaysTo(submittedAt, 5) : null, decisionReason: decided ? '经审核' : null,
      }),
    );
  }
  const addDaysTo = (instant: Date, days: number) => new Date(instant.getTime() + days * 86_400_000);

  const statistics = (from: string, to: string, identity: RequestIdentity = creditOffice) => records.queryAs(identity, QUERY, { from, to }) as Promise<Answer>;
  const answered = async (from: string, to: string): Promise<Statistic[]> => {
    const answer = await statistics(from, to);
    expect(answer.errors).toBeUndefined();
    // Counts about departments: nothing disclosed about any subject.
    expect((answer.extensions?.disclosures as unknown[] | undefined) ?? []).toEqual([]);
    return answer.data!.departmentHandlingStatistics!;
  };

  return { records, record, event, objection, application, statistics, answered, setClock: (instant: Date) => (clock = instant) };
}

describe.each(testDatabases)('departmentHandlingStatistics on $label', (database) => {
  const { records, record, event, objection, application, statistics, answered, setClock } = useHandlingStatistics(database, 'deptstats');

  beforeAll(async () => {
    // Records entered: the first instant of M and the last of M+6 in; the last of M-1 and the first of M+7 out.
    const before = await record('MARKET_REGULATION', lastInstantOf(day(-1)));
    const first = await record('MARKET_REGULATION', at(day(0)));
    await record('MARKET_REGULATION', lastInstantOf(day(6)));
    await record('MARKET_REGULATION', at(day(7)));
    const finance = await record('FINANCE', at(day(2), 12));
    // Corrections: the record entered the day before, twice (one record corrected), and the first record;
    // an objection is no correction; finance's correction on M+7 is out.
    await event(before, 'CORRECTED', at(day(3), 9));
    await event(before, 'CORRECTED', at(day(4), 9));
    await event(first, 'CORRECTED', at(day(5), 9));
    await event(first, 'OBJECTED', at(day(5), 10));
    await event(finance, 'CORRECTED', at(day(7)));

    // Objections to market regulation's records. Filed on Monday M, due by M+14: accepted on its last
    // evening (on time), rejected half an hour after it ended (late, though still M+14 in UTC).
    await objection(await record('MARKET_REGULATION'), at(day(0), 10), { status: 'ACCEPTED', at: at(day(14), 23.5) });
    await objection(await record('MARKET_REGULATION'), at(day(0), 10), { status: 'REJECTED', at: at(day(15), 0.5) });
    // Pending since the period's last instant: overdue long since. The day before and the day after: out.
    await objection(await record('MARKET_REGULATION'), lastInstantOf(day(6)));
    await objection(await record('MARKET_REGULATION'), at(day(-1), 23));
    await objection(await record('MARKET_REGULATION'), at(day(7)));
    // Filed on Saturday M+5: ten working days end on Friday M+18, so Saturday M+19 is late.
    await objection(await record('FINANCE'), at(day(5), 10), { status: 'ACCEPTED', at: at(day(19), 10) });

    // Applications about market regulation's records, one of each outcome; a pending one whose record's
    // disclosure ended reads CLOSED; the one filed on M+7 is out.
    for (const status of ['APPROVED', 'REJECTED', 'CLOSED', 'SUBMITTED'] as const) await application(await record('MARKET_REGULATION'), at(day(1), 9), status);
    await application(await record('MARKET_REGULATION', at(day(-150), 10), addMonths(today, -13)), at(day(2), 9));
    await application(await record('MARKET_REGULATION'), at(day(7), 9));
    await application(await record('FINANCE'), at(day(3), 9));

    // Near today, for taxation: pending since 20 days ago (overdue) and since now (not yet).
    await objection(await record('TAXATION'), at(addDays(today, -20), 10));
    await objection(await record('TAXATION'), new Date());
  });

  /** Finance files and decides an objection through the API: on M+1, corrected a day after its limit (M+15). */
  beforeAll(async () => {
    const target = await record('FINANCE');
    setClock(at(day(1), 9));
    const filed = await records.queryAs<{ objectToCreditRecord: { id: string } }>(officerOf('CREDIT_OFFICE'), `mutation($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { id } }`, {
      input: { recordId: target.id, reason: '罚款金额有误' },
    });
    expect(filed.errors).toBeUndefined();
    setClock(at(day(16), 9));
    const decided = await records.queryAs(officerOf('FINANCE'), `mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { id status } }`, {
      input: { id: filed.data!.objectToCreditRecord.id, decision: 'ACCEPT', resolution: 'CORRECTED', correction: { summary: '未按规定公示年度报告，罚款3000元' }, reason: '罚款金额更正' },
    });
    expect(decided.errors).toBeUndefined();
  });

  it('counts each department of the week in catalogue order: records entered and corrected, objections and applications by outcome today, and the objection backlog', async () => {
    expect(await answered(day(0), day(7))).toEqual([
      row('FINANCE', {
        intake: { created: 1 },
        objections: { filed: 2, accepted: 2, decidedLate: 2 },
        // Both filed in the week and decided after it.
        objectionBacklog: { atEnd: 2 },
        restorations: { filed: 1, pending: 1 },
      }),
      row('MARKET_REGULATION', {
        intake: { created: 2, corrected: 2 },
        objections: { filed: 3, accepted: 1, rejected: 1, decidedLate: 1, pending: 1, overdue: 1 },
        // Pending since the evening before the week; and with it the week's three, decided after it or not yet.
        objectionBacklog: { atStart: 1, atEnd: 4 },
        restorations: { filed: 5, approved: 1, rejected: 1, closed: 2, pending: 1 },
      }),
    ]);
  });

  it('counts the last day of the period, and not the day after', async () => {
    expect(await answered(day(6), day(7))).toEqual([
      row('FINANCE', { objectionBacklog: { atStart: 2, atEnd: 2 } }),
      row('MARKET_REGULATION', { intake: { created: 1 }, objections: { filed: 1, pending: 1, overdue: 1 }, objectionBacklog: { atStart: 3, atEnd: 4 } }),
    ]);
    expect(await answered(day(7), day(8))).toEqual([
      row('FINANCE', { intake: { corrected: 1 }, objectionBacklog: { atStart: 2, atEnd: 2 } }),
      row('MARKET_REGULATION', { intake: { created: 1 }, objections: { filed: 1, pending: 1, overdue: 1 }, objectionBacklog: { atStart: 4, atEnd: 5 }, restorations: { filed: 1, pending: 1 } }),
    ]);
  });

  it('counts a correction by the day it was made, and objections filed before the period and decided in it as its backlog', async () => {
    expect(await answered(day(14), day(21))).toEqual([
      row('FINANCE', { intake: { corrected: 1 }, objectionBacklog: { atStart: 2, atEnd: 0 } }),
      // Accepted on M+14's last evening and rejected on M+15: pending when the period began, not at its end.
      // Of the three at its end, those filed on M-1 and M+6 were past their limits (M+11, M+18) by M+21; M+7's (M+21) was not.
      row('MARKET_REGULATION', { objectionBacklog: { atStart: 5, atEnd: 3, overdueAtEnd: 2 } }),
    ]);
  });

  it('tells a pending objection still within its limit from an overdue one, as of today', async () => {
    expect(await answered(addDays(today, -20), addDays(today, 1))).toEqual([
      // A period not yet over: its end's overdue are today's, whenever filed, as creditRecordObjections(overdue: true) lists them.
      row('MARKET_REGULATION', { objectionBacklog: { atStart: 3, atEnd: 3, overdueAtEnd: 3 } }),
      row('TAXATION', { objections: { filed: 2, pending: 2, overdue: 1 }, objectionBacklog: { atEnd: 2, overdueAtEnd: 1 } }),
    ]);
    for (const [department, overdueAtEnd] of [['MARKET_REGULATION', 3], ['TAXATION', 1]] as const) {
      const listed = await records.queryAs<{ creditRecordObjections: { totalCount: number } }>(creditOffice, `query($d: ID) { creditRecordObjections(overdue: true, sourceDepartment: $d) { totalCount } }`, { d: department });
      expect({ department, listed: listed.data?.creditRecordObjections.totalCount }).toEqual({ department, listed: overdueAtEnd });
    }
  });

  it('answers a period with nothing in it with no rows', async () => {
    expect(await answered(day(-50), day(-40))).toEqual([]);
  });

  it('reads in four statements, however many departments the period has, its backlog included', async () => {
    const wide = day(-28);
    const suppliers = departments.filter((d) => d.code !== 'CREDIT_OFFICE');
    for (const { code } of suppliers) {
      const supplied = await record(code, at(wide, 10));
      // Decided two days later: the next day's backlog, and no later period's.
      await objection(supplied, at(wide, 11), { status: 'REJECTED', at: at(addDays(wide, 2), 9) });
      await application(supplied, at(wide, 12));
    }
    const counted = async (from: string, to: string) => {
      let answer: Answer | undefined;
      const selects = await records.sql.selectsDuring(async () => {
        answer = await statistics(from, to);
      });
      expect(answer!.errors).toBeUndefined();
      return { departments: answer!.data!.departmentHandlingStatistics!.length, selects };
    };
    expect(await counted(day(0), day(7))).toEqual({ departments: 2, selects: 4 });
    expect(await counted(wide, addDays(wide, 1))).toEqual({ departments: suppliers.length, selects: 4 });
    expect(await counted(addDays(wide, 1), addDays(wide, 2))).toEqual({ departments: suppliers.length, selects: 4 });
  });

  it('answers the supervising departments under CREDIT_SUPERVISION', async () => {
    const answer = await statistics(day(6), day(7), supervisor('ADMINISTRATIVE_APPROVAL', 'CREDIT_SUPERVISION'));
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.departmentHandlingStatistics!.map((r) => r.department.code)).toEqual(['FINANCE', 'MARKET_REGULATION']);
  });

  it.each([
    ['an analyst, who holds STATISTICS', () => identityOf(analyst, 'STATISTICAL_ANALYSIS')],
    ['a department officer', () => officerOf('MARKET_REGULATION')],
    ['the credit office without x-credit-matter CREDIT_SUPERVISION', () => supervisor('CREDIT_OFFICE')],
  ])('refuses %s with FORBIDDEN: the group only CREDIT_SUPERVISION grants', async (_, identity) => {
    const answer = await statistics(day(0), day(7), identity());
    expect(answer.data?.departmentHandlingStatistics ?? null).toBeNull();
    expect(answer.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', problem: 'GROUP_NOT_GRANTED', group: 'SUPERVISION_STATISTICS' })]);
    expect((answer.extensions?.disclosures as unknown[] | undefined) ?? []).toEqual([]);
  });

  it.each([
    ['an empty period', day(7), day(7)],
    ['a period ending before it starts', day(7), day(0)],
  ])('refuses %s with BAD_USER_INPUT naming `to`', async (_, from, to) => {
    const answer = await statistics(from, to);
    expect(answer.data?.departmentHandlingStatistics ?? null).toBeNull();
    expect(answer.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'to' })]);
  });

  it('refuses a day that is not a calendar date', async () => {
    const answer = await statistics('2026-02-30', day(7));
    expect(answer.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

/**
 * The objection backlog (积压异议) of a period: at its first instant and at its last, the
 * objections filed before and not yet decided, whenever filed. The week is [M, M+7) again; its
 * edges are instants, for filing as for deciding.
 */
describe.each(testDatabases)('departmentHandlingStatistics: the objection backlog on $label', (database) => {
  const { record, objection, answered } = useHandlingStatistics(database, 'deptbacklog');

  beforeAll(async () => {
    const market = () => record('MARKET_REGULATION');
    const filedBefore = at(day(-10), 10);
    // Filed before the week: decided days before it, and on its eve's last instant (in neither);
    // on its first instant, during it (at its start only); on the first instant after it, and not
    // yet (at both). Filed on the eve's last instant, pending: at both.
    await objection(await market(), filedBefore, { status: 'REJECTED', at: at(day(-3)) });
    await objection(await market(), filedBefore, { status: 'REJECTED', at: lastInstantOf(day(-1)) });
    await objection(await market(), filedBefore, { status: 'ACCEPTED', at: at(day(0)) });
    await objection(await market(), filedBefore, { status: 'REJECTED', at: at(day(3), 15) });
    await objection(await market(), filedBefore, { status: 'ACCEPTED', at: at(day(7)) });
    await objection(await market(), filedBefore);
    await objection(await market(), lastInstantOf(day(-1)));
    // Filed in the week: decided in it (filed, not backlog); decided after it, and not yet (at its end).
    await objection(await market(), at(day(0)), { status: 'ACCEPTED', at: at(day(2), 11) });
    await objection(await market(), at(day(3), 9), { status: 'REJECTED', at: at(day(10), 9) });
    await objection(await market(), lastInstantOf(day(6)));
    // Filed after the week: pending, and decided the day filed (in no count of the week).
    await objection(await market(), at(day(7)));
    await objection(await market(), at(day(9), 9), { status: 'ACCEPTED', at: at(day(9), 16) });
    // Finance's only case of the week: filed before it, decided after it.
    await objection(await record('FINANCE'), at(day(-5), 10), { status: 'REJECTED', at: at(day(10), 10) });
  });

  it('counts at the period\'s start those filed before it and not decided before it, and at its end those not decided by then', async () => {
    expect(await answered(day(0), day(7))).toEqual([
      // A department whose only count is its backlog has a row.
      row('FINANCE', { objectionBacklog: { atStart: 1, atEnd: 1 } }),
      row('MARKET_REGULATION', {
        objections: { filed: 3, accepted: 1, rejected: 1, pending: 1, overdue: 1 },
        // Of the five at its end, the two filed on M-10 were past their limit (M+4).
        objectionBacklog: { atStart: 5, atEnd: 5, overdueAtEnd: 2 },
      }),
    ]);
  });

  it('carries one period\'s backlog at its end into the next at its start: the end is the start plus those filed, less those decided', async () => {
    const [week, next] = [await answered(day(0), day(7)), await answered(day(7), day(14))];
    expect(next).toEqual([
      row('FINANCE', { objectionBacklog: { atStart: 1, atEnd: 0 } }),
      // Filed in it: the one pending since its first instant, the one decided the day filed.
      row('MARKET_REGULATION', { objections: { filed: 2, accepted: 1, pending: 1, overdue: 1 }, objectionBacklog: { atStart: 5, atEnd: 4, overdueAtEnd: 2 } }),
    ]);
    for (const code of ['FINANCE', 'MARKET_REGULATION']) {
      const [ending, starting] = [week, next].map((rows) => rows.find((r) => r.department.code === code)!.objectionBacklog);
      expect(starting.atStart).toBe(ending.atEnd);
    }
    // Over the two weeks at once: the same start and end.
    expect((await answered(day(0), day(14))).map((r) => [r.department.code, r.objectionBacklog])).toEqual([
      ['FINANCE', { atStart: 1, atEnd: 0, overdueAtEnd: 0 }],
      ['MARKET_REGULATION', { atStart: 5, atEnd: 4, overdueAtEnd: 2 }],
    ]);
  });

  it('answers a period before any case with no rows, and the week before with the cases filed before and in it', async () => {
    expect(await answered(day(-30), day(-10))).toEqual([]);
    // The week before: at its start the six filed on M-10; at its end, less the two decided in it,
    // with the one filed on its last instant (finance's, filed in it, at its end only).
    expect((await answered(day(-7), day(0))).map((r) => [r.department.code, r.objectionBacklog, r.objections.filed])).toEqual([
      ['FINANCE', { atStart: 0, atEnd: 1, overdueAtEnd: 0 }, 1],
      // At M's first instant, those filed on M-10 were still within their limit (M+4).
      ['MARKET_REGULATION', { atStart: 6, atEnd: 5, overdueAtEnd: 0 }, 1],
    ]);
  });
});

/**
 * Cases their subject (or the organisation that filed them) withdrew (撤回): no decision of the
 * department's, so counted apart (`withdrawn`), never late nor overdue, and in the backlog only
 * until withdrawn. Filed and withdrawn through the API, at the window, with the clock set.
 */
describe.each(testDatabases)('departmentHandlingStatistics: withdrawn cases on $label', (database) => {
  const { records, record, objection, setClock } = useHandlingStatistics(database, 'deptwithdrawn');
  const WITHDRAWN_QUERY = /* GraphQL */ `
    query Handling($from: Date!, $to: Date!) {
      departmentHandlingStatistics(from: $from, to: $to) {
        department { code }
        objections { filed accepted rejected decidedLate withdrawn pending overdue }
        objectionBacklog { atStart atEnd overdueAtEnd }
        restorations { filed approved rejected closed withdrawn pending }
      }
    }
  `;
  const window = officerOf('CREDIT_OFFICE');
  const counted = async (from: string, to: string) => {
    const answer = await records.queryAs<{ departmentHandlingStatistics: Statistic[] }>(creditOffice, WITHDRAWN_QUERY, { from, to });
    expect(answer.errors).toBeUndefined();
    return answer.data!.departmentHandlingStatistics;
  };
  const mutate = async <T>(at: Date, query: string, input: Record<string, unknown>): Promise<T> => {
    setClock(at);
    const result = await records.queryAs<T>(window, query, { input });
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const fileObjection = async (submittedAt: Date) =>
    (await mutate<{ objectToCreditRecord: { id: string } }>(submittedAt, `mutation($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { id } }`, { recordId: (await record('MARKET_REGULATION')).id, reason: '处罚对象认定有误' })).objectToCreditRecord.id;
  const withdrawObjection = (id: string, withdrawnAt: Date) => mutate(withdrawnAt, `mutation($input: WithdrawObjectionInput!) { withdrawObjection(input: $input) { id } }`, { id, reason: '已与认定部门核实一致' });

  beforeAll(async () => {
    // Filed on M, due by M+14, withdrawn on M+20: past its limit, yet never late nor overdue.
    await withdrawObjection(await fileObjection(at(day(0), 10)), at(day(20), 10));
    // Filed and withdrawn in the week.
    await withdrawObjection(await fileObjection(at(day(1), 10)), at(day(3), 10));
    // Beside them, one still pending (overdue) and one rejected late, as before.
    await objection(await record('MARKET_REGULATION'), at(day(2), 10));
    await objection(await record('MARKET_REGULATION'), at(day(2), 10), { status: 'REJECTED', at: at(day(30), 10) });
    // An application filed on M+2 and withdrawn on M+4.
    const applied = await mutate<{ applyForRestoration: { id: string } }>(at(day(2), 9), `mutation($input: ApplyForRestorationInput!) { applyForRestoration(input: $input) { id } }`, {
      recordId: (await record('MARKET_REGULATION')).id, correction: '已缴纳罚款并完成整改', evidence: ['罚款缴纳凭证'], commitment: '承诺今后守法经营',
    });
    await mutate(at(day(4), 9), `mutation($input: WithdrawRestorationApplicationInput!) { withdrawRestorationApplication(input: $input) { id } }`, { id: applied.applyForRestoration.id });
  });

  it('counts withdrawn objections and applications apart: filed = accepted + rejected + withdrawn + pending, none of them late or overdue', async () => {
    expect(await counted(day(0), day(7))).toEqual([
      {
        department: { code: 'MARKET_REGULATION' },
        objections: { filed: 4, accepted: 0, rejected: 1, decidedLate: 1, withdrawn: 2, pending: 1, overdue: 1 },
        // At the week's end: the one withdrawn after it, the pending one and the one rejected after it.
        objectionBacklog: { atStart: 0, atEnd: 3, overdueAtEnd: 0 },
        restorations: { filed: 1, approved: 0, rejected: 0, closed: 0, withdrawn: 1, pending: 0 },
      },
    ]);
  });

  it('keeps a withdrawn objection in the backlog until it was withdrawn, and out of it after', async () => {
    // The two left at M+21 were filed on M+2, past their limit (M+16) by then.
    expect((await counted(day(14), day(21))).map((r) => [r.department.code, r.objectionBacklog])).toEqual([['MARKET_REGULATION', { atStart: 3, atEnd: 2, overdueAtEnd: 2 }]]);
    expect((await counted(day(21), day(28))).map((r) => [r.department.code, r.objectionBacklog])).toEqual([['MARKET_REGULATION', { atStart: 2, atEnd: 2, overdueAtEnd: 2 }]]);
  });
});
