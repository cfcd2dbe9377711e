import { randomUUID } from 'node:crypto';
import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants, minimumSubjectsPerStatistic } from '../../../lib/access/policy';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../../lib/calendar';
import { addMonths } from '../../../lib/catalogue/record-categories';
import { demoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import type { ReportFindings } from '../../../subgraphs/records/report-findings';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';
import { CountingDirectory } from './records-harness';

/**
 * The credit office's statistics of credit checks tell, per department and matter, which
 * punishments and incentives the checks called for: findings. Over one district day with one
 * check they say whether that subject is on a dishonesty list, so such a row is audited as a read
 * of its checks' findings; a row over `minimumSubjectsPerStatistic` subjects or more is an
 * aggregate, audited about no subject.
 *
 * Day 1: FINANCE checks one enterprise on a dishonesty list (GOVERNMENT_PROCUREMENT) and one
 * natural person with a general penalty (STATE_ASSET_TRANSFER). Day 2: FINANCE checks five
 * enterprises, the listed one among them, in GOVERNMENT_PROCUREMENT, one of them twice.
 */
const world = demoWorld({ subjects: 20 });
const enterprises = world.subjects.filter((s) => s.kind === 'ENTERPRISE');
const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
const [listed, ...others] = enterprises;

function identity(caller: Caller, purpose: { matter: string; caseNumber?: string } | null): RequestIdentity {
  const named = purpose ? { matter: purpose.matter, caseNumber: purpose.caseNumber ?? null } : null;
  const decision = decideGrants(caller, named as never);
  return { caller, purpose: named as never, grants: decision.groups, scope: decision.scope, requestId: `ckdays-${caller.id}` };
}
const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const supervisorCaller: Caller = { id: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' };
const creditOffice = identity(supervisorCaller, { matter: 'CREDIT_SUPERVISION' });

const STATISTICS = /* GraphQL */ `
  query Statistics($from: DateTime!, $to: DateTime!) {
    creditCheckStatistics(from: $from, to: $to) {
      department { code } matter checks withFeedback
      punishment { calledFor } incentive { calledFor }
    }
  }
`;
type Row = { department: { code: string }; matter: string; checks: number; withFeedback: number; punishment: { calledFor: number }; incentive: { calledFor: number } };
type Disclosure = { subjectId: string; groups: string[] };

describe.each(testDatabases)('the credit check statistics of one district day on $label', (database) => {
  const today = todayInDistrict();
  const day1 = addDays(today, -3);
  const day2 = addDays(today, -2);
  /** The instant the next check is stamped with. */
  let clock = new Date();
  const reports: ReportFindings = { forChecks: async (checks) => checks.map(() => ({ satisfied: true, goodGrade: false })) };
  const entities = useSubgraph(entitiesSubgraph, database, 'ckdays_subjects');
  const directory = new CountingDirectory(() => entities.url());
  const records = useSubgraph(createRecordsSubgraph({ subjects: directory, reports, now: () => clock }), database, 'ckdays');

  async function addRecord(subjectId: string, fields: Partial<CreditRecord>): Promise<void> {
    const id = randomUUID();
    const repository = records.db().getRepository(CreditRecord);
    await repository.insert(
      repository.create({
        id, subjectId, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, sourceDepartment: 'MARKET_REGULATION',
        documentNumber: `北戴河市监罚〔2026〕${id.slice(0, 8)}号`, decisionDate: addMonths(today, -2), disclosureEndsAt: addMonths(today, 24), validUntil: null, status: 'ACTIVE',
        summary: '按日统计样例', recordedAt: new Date(), ...fields,
      }),
    );
  }

  let cases = 0;
  async function run(subjectId: string, matter: string, at: string, hour: number): Promise<void> {
    clock = new Date(startOfDistrictDay(at).getTime() + hour * 3_600_000 + 1234);
    const caseNumber = `DAY-${++cases}`;
    const result = await records.queryAs(identity(finance, { matter, caseNumber }), `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`, {
      input: { subjectId, matter, caseNumber },
    });
    expect(result.errors).toBeUndefined();
  }

  const days = (from: string, to: string) => ({ from: `${from}T00:00:00+08:00`, to: `${to}T00:00:00+08:00` });
  const disclosures = (answer: { extensions?: Record<string, unknown> }) =>
    ((answer.extensions?.disclosures ?? []) as Disclosure[]).map((d) => ({ subjectId: d.subjectId, groups: [...d.groups].sort() })).sort((a, b) => (a.subjectId < b.subjectId ? -1 : 1));

  beforeAll(async () => {
    await seedEntities(entities.db(), world);
    await addRecord(listed.id, { category: 'SERIOUS_DISHONESTY_LIST', severity: null });
    await addRecord(person.id, {});
    await run(listed.id, 'GOVERNMENT_PROCUREMENT', day1, 10);
    await run(person.id, 'STATE_ASSET_TRANSFER', day1, 11);
    for (const [i, subject] of [listed, ...others.slice(0, minimumSubjectsPerStatistic - 1)].entries()) await run(subject.id, 'GOVERNMENT_PROCUREMENT', day2, 9 + i);
    await run(others[0].id, 'GOVERNMENT_PROCUREMENT', day2, 15);
  });

  it('answers a day with one check, and audits it as a read of that check’s findings: the subject, with the groups of the records it considered', async () => {
    let answer: Awaited<ReturnType<typeof records.queryAs<{ creditCheckStatistics: Row[] }>>> | undefined;
    const selects = await records.sql.selectsDuring(async () => {
      answer = await records.queryAs<{ creditCheckStatistics: Row[] }>(creditOffice, STATISTICS, days(day1, day2));
    });
    expect(answer!.errors).toBeUndefined();
    expect(answer!.data!.creditCheckStatistics).toEqual([
      { department: { code: 'FINANCE' }, matter: 'GOVERNMENT_PROCUREMENT', checks: 1, withFeedback: 0, punishment: { calledFor: 1 }, incentive: { calledFor: 0 } },
      { department: { code: 'FINANCE' }, matter: 'STATE_ASSET_TRANSFER', checks: 1, withFeedback: 0, punishment: { calledFor: 1 }, incentive: { calledFor: 0 } },
    ]);
    // The natural person's general penalty (REFERENCE_NOTED) and the enterprise's listing, each in its own trail.
    expect(disclosures(answer!)).toEqual(
      [
        { subjectId: listed.id, groups: ['CREDIT_CHECK_LEDGER', 'DISHONESTY_LISTS'] },
        { subjectId: person.id, groups: ['CREDIT_CHECK_LEDGER', 'PUBLIC_RECORDS'] },
      ].sort((a, b) => (a.subjectId < b.subjectId ? -1 : 1)),
    );
    // The statistics, and the small rows' checks: two statements.
    expect(selects).toBe(2);
  });

  it(`audits no subject for a row over ${minimumSubjectsPerStatistic} subjects or more: an aggregate, in one statement`, async () => {
    let answer: Awaited<ReturnType<typeof records.queryAs<{ creditCheckStatistics: Row[] }>>> | undefined;
    const selects = await records.sql.selectsDuring(async () => {
      answer = await records.queryAs<{ creditCheckStatistics: Row[] }>(creditOffice, STATISTICS, days(day2, addDays(day2, 1)));
    });
    expect(answer!.errors).toBeUndefined();
    expect(answer!.data!.creditCheckStatistics).toEqual([
      { department: { code: 'FINANCE' }, matter: 'GOVERNMENT_PROCUREMENT', checks: minimumSubjectsPerStatistic + 1, withFeedback: 0, punishment: { calledFor: 1 }, incentive: { calledFor: 0 } },
    ]);
    expect(disclosures(answer!)).toEqual([]);
    expect(selects).toBe(1);
  });

  it('decides row by row: over both days the procurement row is an aggregate, the person’s row still audited', async () => {
    const answer = await records.queryAs<{ creditCheckStatistics: Row[] }>(creditOffice, STATISTICS, days(day1, addDays(day2, 1)));
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.creditCheckStatistics.map((r) => [r.matter, r.checks])).toEqual([
      ['GOVERNMENT_PROCUREMENT', minimumSubjectsPerStatistic + 2],
      ['STATE_ASSET_TRANSFER', 1],
    ]);
    expect(disclosures(answer)).toEqual([{ subjectId: person.id, groups: ['CREDIT_CHECK_LEDGER', 'PUBLIC_RECORDS'] }]);
  });

  it('refuses the day without x-credit-matter CREDIT_SUPERVISION, and a window cut inside it', async () => {
    const unstated = await records.queryAs(identity(supervisorCaller, null), STATISTICS, days(day1, day2));
    expect(unstated.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', problem: 'GROUP_NOT_GRANTED', group: 'SUPERVISION_STATISTICS' })]);
    expect(disclosures(unstated)).toEqual([]);
    const checkedAt = new Date(startOfDistrictDay(day1).getTime() + 10 * 3_600_000 + 1234);
    const cut = await records.queryAs(creditOffice, STATISTICS, { from: checkedAt.toISOString(), to: new Date(checkedAt.getTime() + 1).toISOString() });
    expect(cut.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'from' })]);
    expect(cut.errors?.[0].message).toContain(`the nearest is ${day1}T00:00:00+08:00`);
    expect(disclosures(cut)).toEqual([]);
  });
});
