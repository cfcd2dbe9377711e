import { randomUUID } from 'node:crypto';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../../lib/calendar';
import { demoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { CreditCheck } from '../../../subgraphs/records/entities/credit-check.entity';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import type { ReportFindings } from '../../../subgraphs/records/report-findings';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';
import { CountingDirectory, identityOf } from './records-harness';

/**
 * A check is judged as of one day, the day of the instant it is stamped with: the records that
 * count and the report requirement (which the reports subgraph judges as of `checkedAt`) alike.
 * The request here starts on the district's today and the check runs just after the next
 * midnight, as a check sent a few milliseconds before midnight would.
 */
const world = demoWorld({ subjects: 10 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const finance = identityOf({ id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, 'GOVERNMENT_PROCUREMENT');

const RUN = /* GraphQL */ `
  mutation Run($input: RunCreditCheckInput!) {
    runCreditCheck(input: $input) { id checkedAt verdict recordsConsidered { recordId } }
  }
`;

describe.each(testDatabases)('a credit check run across the district midnight on $label', (database) => {
  const requestDay = todayInDistrict();
  const checkDay = addDays(requestDay, 1);
  const ranAt = new Date(startOfDistrictDay(checkDay).getTime() + 10);
  /** The instants the reports subgraph was asked to judge checks as of. */
  const askedAsOf: Date[] = [];
  const reports: ReportFindings = {
    forChecks: async (checks) =>
      checks.map((check) => {
        askedAsOf.push(check.checkedAt);
        return { satisfied: true, goodGrade: false };
      }),
  };
  const entities = useSubgraph(entitiesSubgraph, database, 'checkday_subjects');
  const directory = new CountingDirectory(() => entities.url());
  const records = useSubgraph(createRecordsSubgraph({ subjects: directory, reports, now: () => ranAt }), database, 'checkday');

  async function addPenalty(disclosureEndsAt: string): Promise<string> {
    const id = randomUUID();
    const repository = records.db().getRepository(CreditRecord);
    await repository.insert(
      repository.create({
        id, subjectId: subject.id, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'SERIOUS', taxCreditGrade: null, sourceDepartment: 'MARKET_REGULATION',
        documentNumber: `北戴河市监罚〔2026〕${id.slice(0, 8)}号`, decisionDate: '2026-01-05', disclosureEndsAt, validUntil: null, status: 'ACTIVE',
        summary: '跨日核查样例', recordedAt: new Date('2026-01-06T00:00:00Z'),
      }),
    );
    return id;
  }

  let endedBeforeCheckDay: string;
  let disclosedOnCheckDay: string;
  beforeAll(async () => {
    await seedEntities(entities.db(), world);
    endedBeforeCheckDay = await addPenalty(requestDay);
    disclosedOnCheckDay = await addPenalty(checkDay);
  });

  it('counts the records that count on the day of its checkedAt, the day its report requirement is judged as of', async () => {
    const result = await records.queryAs<{ runCreditCheck: { id: string; checkedAt: string; verdict: string; recordsConsidered: { recordId: string }[] } }>(finance, RUN, {
      input: { subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CASE-1' },
    });
    expect(result.errors).toBeUndefined();
    const check = result.data!.runCreditCheck;
    expect(new Date(check.checkedAt)).toEqual(ranAt);
    expect(askedAsOf).toEqual([ranAt]);
    // The penalty whose disclosure ended on the request's day no longer counts on the check's.
    expect(check.recordsConsidered.map((r) => r.recordId)).toEqual([disclosedOnCheckDay]);
    expect(check.recordsConsidered.map((r) => r.recordId)).not.toContain(endedBeforeCheckDay);
    expect(check.verdict).toBe('NEEDS_STRICT_REVIEW');
    expect((await records.db().getRepository(CreditCheck).findOneByOrFail({ id: check.id })).checkedAt).toEqual(ranAt);
  });
});
