import { addDays, todayInDistrict } from '../../../lib/calendar';
import { CheckRequirementRepository, type CheckRef, type ReportRequirementSnapshot } from '../../../subgraphs/reports/check-requirement';
import { CheckReportRequirement } from '../../../subgraphs/reports/entities/check-report-requirement.entity';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { createReportsSubgraph } from '../../../subgraphs/reports/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph, type TestSubgraph } from '../../helpers/subgraph';
import { financeOfficer, identityOf } from '../providers/callers';
import { checkOf as checkMadeNow, registeredReport } from './check-fixtures';

/**
 * The checks a request reads for the first time are judged and sealed together (judgeReports,
 * CheckRequirementRepository.sealAll), and each as it was judged alone: a check another request
 * sealed meanwhile keeps that first judgement, as does one whose seal lost a deadlock, two requests
 * judging the same checks at once seal each once, and a peer that cannot answer fails only the
 * checks that needed it.
 */
const purpose = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0261' };
const officer = identityOf(financeOfficer, purpose);
const today = todayInDistrict();

const registration = (subjectId: string, overrides: Partial<CreditReport> = {}) => registeredReport(subjectId, `${subjectId}-report`, `XYHB-${subjectId}`, overrides);

const checkOf = (id: string, subjectId: string): CheckRef => checkMadeNow(id, subjectId, purpose.matter);

const judgement = (reliedOn: string | null): ReportRequirementSnapshot => ({ required: true, satisfied: reliedOn !== null, goodGrade: false, reliedOn, considered: [] });

interface Judged {
  _entities: ({ reportRequirement: { satisfied: boolean; considered: { reportNumber: string; reasons: string[] }[] } | null; reportSatisfied: boolean | null } | null)[];
}

const readRequirements = (reports: TestSubgraph, checks: CheckRef[]) =>
  reports.queryAs<Judged>(
    officer,
    /* GraphQL */ `
      query ($r: [_Any!]!) {
        _entities(representations: $r) {
          ... on CreditCheck { reportRequirement { satisfied considered { reportNumber reasons } } reportSatisfied }
        }
      }
    `,
    { r: checks.map((check) => ({ __typename: 'CreditCheck', ...check, caseNumber: purpose.caseNumber })) },
  );

/**
 * Another request's seal of `check`, begun and not yet committed, on a connection of its own: a
 * seal of the same check waits on it, holding the rows it inserted before. On MySQL only (SQLite
 * has no row locks).
 */
async function sealUnderWay(reports: TestSubgraph, check: CheckRef, requirement: ReportRequirementSnapshot) {
  const runner = reports.db().createQueryRunner();
  await runner.startTransaction();
  await runner.manager.insert(CheckReportRequirement, { checkId: check.id, subjectId: check.subjectId, matter: check.matter, judgedAsOf: new Date(check.checkedAt), requirement, sealedAt: new Date() });
  const end = (how: 'commitTransaction' | 'rollbackTransaction') => runner[how]().finally(() => runner.release());
  return { commit: () => end('commitTransaction'), rollBack: () => end('rollbackTransaction') };
}

/**
 * Resolves once `count` seals wait on a lock (the seal under way's, or one another seal holds).
 * InnoDB refreshes the transactions it lists only once they have not been read for 0.1 s: asked
 * more often, it answers the same list for ever.
 */
async function sealsWaiting(reports: TestSubgraph, count: number): Promise<void> {
  for (let waited = 0; ; waited += 150) {
    const [{ waiting }] = (await reports
      .db()
      .query(
        "SELECT COUNT(*) AS waiting FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.DB = DATABASE() AND t.trx_state = 'LOCK WAIT' AND t.trx_query LIKE 'INSERT INTO `check_report_requirement`%'",
      )) as { waiting: string | number }[];
    if (Number(waiting) >= count) return;
    if (waited > 5_000) throw new Error(`expected ${count} seals waiting on a lock, ${waiting} after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** The deadlocks among the statements `reports` sent while `action` ran (the driver's errors, as each was logged). */
async function deadlocksDuring<T>(reports: TestSubgraph, action: () => Promise<T>): Promise<{ result: T; deadlocks: number }> {
  const before = reports.sql.failures.length;
  const result = await action();
  return { result, deadlocks: reports.sql.failures.slice(before).filter((error) => typeof error !== 'string' && 'code' in error && error.code === 'ER_LOCK_DEADLOCK').length };
}

const sealedRows = async (reports: TestSubgraph, checkIds: string[]) =>
  ((await reports.db().query(`SELECT check_id FROM check_report_requirement WHERE check_id IN (${checkIds.map(() => '?').join(', ')})`, checkIds)) as { check_id: string }[]).map((row) => row.check_id).sort();

describe.each(testDatabases)("checks' report requirements judged together on $label", (database) => {
  // No peer answers: the providers subgraph cannot be reached.
  const reports = useSubgraph(createReportsSubgraph({ url: () => 'http://127.0.0.1:9/graphql', timeoutMs: 1_000 }), database, 'reqbatch_reports');

  it('seals checks together, a check sealed meanwhile keeping its first judgement', async () => {
    const requirements = new CheckRequirementRepository(reports.db());
    const [a, b, c] = ['sealall-a', 'sealall-b', 'sealall-c'].map((id) => checkOf(id, 'subject-sealall'));
    await requirements.seal(b, judgement('first'));

    const stored = await requirements.sealAll([
      { check: c, requirement: judgement('c') },
      { check: b, requirement: judgement('second') },
      { check: a, requirement: judgement('a') },
    ]);
    expect(stored).toEqual([judgement('c'), judgement('first'), judgement('a')]);
    expect(await sealedRows(reports, [a.id, b.id, c.id])).toEqual([a.id, b.id, c.id]);
    const sealed = await requirements.sealed([a.id, b.id, c.id]);
    expect([a, b, c].map((check) => sealed.get(check.id))).toEqual([judgement('a'), judgement('first'), judgement('c')]);
  });

  // Whatever order each request's INSERT takes its locks in: a deadlock between them is sent again
  // and answers alike. Whether the key order spares one is told where the two are made to meet (below).
  it('answers two requests judging the same checks at once alike, each check sealed once', async () => {
    const subjects = ['subject-race-1', 'subject-race-2', 'subject-race-3', 'subject-race-4'];
    await reports
      .db()
      .getRepository(CreditReport)
      .insert(subjects.map((s, i) => registration(s, { grade: i % 2 ? 'A' : 'AA', validUntil: i === 3 ? addDays(today, -1) : addDays(today, 300) })));
    const checks = subjects.map((s, i) => checkOf(`check-race-${i}`, s));

    const [forward, backward] = await Promise.all([readRequirements(reports, checks), readRequirements(reports, [...checks].reverse())]);
    expect(forward.errors).toBeUndefined();
    expect(backward.errors).toBeUndefined();
    expect([...backward.data!._entities].reverse()).toEqual(forward.data!._entities);
    expect(forward.data!._entities.map((e) => [e!.reportSatisfied, e!.reportRequirement!.considered])).toEqual(
      subjects.map((s, i) => [i !== 3, [{ reportNumber: `XYHB-${s}`, reasons: i === 3 ? ['EXPIRED'] : [] }]]),
    );
    expect(await sealedRows(reports, checks.map((c) => c.id))).toEqual(checks.map((c) => c.id).sort());
  });

  // The rows go in key order (sealAll): a request sealing checks the other holds waits behind it.
  // Another seal under way holds the middle one, so that each request has taken its first row
  // before the other goes on; sealed in the orders given, each would hold what the other needs.
  (database.label === 'mysql' ? it : it.skip)('seals the same checks given in opposite orders without a deadlock, the second request waiting for the first', async () => {
    const requirements = new CheckRequirementRepository(reports.db());
    const [a, m, b] = ['order-1', 'order-2', 'order-3'].map((id) => checkOf(id, 'subject-order'));
    const other = await sealUnderWay(reports, m, judgement('other'));
    const { result, deadlocks } = await deadlocksDuring(reports, async () => {
      const forward = requirements.sealAll([a, m, b].map((check) => ({ check, requirement: judgement(`forward ${check.id}`) })));
      await sealsWaiting(reports, 1);
      const backward = requirements.sealAll([b, m, a].map((check) => ({ check, requirement: judgement(`backward ${check.id}`) })));
      await sealsWaiting(reports, 2);
      // Rolled back, not committed: a clash on it would end either request's INSERT, and its locks, whatever their order.
      await other.rollBack();
      return await Promise.all([forward, backward]);
    });
    expect(deadlocks).toBe(0);
    const [forward, backward] = result;
    expect(forward).toEqual([a, m, b].map((check) => judgement(`forward ${check.id}`)));
    expect([...backward].reverse()).toEqual(forward);
  });

  // An INSERT of several checks that waits, holding the first, and fails on the next (sealed by
  // another request) gives its lock up to the requests waiting on the first; InnoDB lets both go
  // and, as each goes on to insert, ends one as a deadlock. That one is sealed again, and answers
  // the seal stored, as for a clash.
  (database.label === 'mysql' ? it : it.skip)('answers a check whose seal lost a deadlock to another request with the seal stored', async () => {
    const requirements = new CheckRequirementRepository(reports.db());
    const [held, clashing] = ['deadlock-1-held', 'deadlock-2-clashing'].map((id) => checkOf(id, 'subject-deadlock'));
    const other = await sealUnderWay(reports, clashing, judgement('other'));
    const { result, deadlocks } = await deadlocksDuring(reports, async () => {
      const both = requirements.sealAll([held, clashing].map((check) => ({ check, requirement: judgement(`both ${check.id}`) })));
      await sealsWaiting(reports, 1);
      const alone = [readRequirements(reports, [held]), readRequirements(reports, [held])];
      await sealsWaiting(reports, 3);
      await other.commit();
      return await Promise.all([both, ...alone]);
    });
    expect(deadlocks).toBeGreaterThan(0);
    const [both, ...alone] = result;
    const stored = (await requirements.sealed([held.id, clashing.id])).get(held.id) as ReportRequirementSnapshot;
    expect(both).toEqual([stored, judgement('other')]);
    for (const answer of alone) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data!._entities).toEqual([{ reportRequirement: { satisfied: stored.satisfied, considered: [] }, reportSatisfied: stored.satisfied }]);
    }
  });

  it('fails only the checks whose reports needed the providers subgraph when it cannot answer, and seals the others', async () => {
    await reports
      .db()
      .getRepository(CreditReport)
      .insert([
        registration('subject-third-party', { source: 'THIRD_PARTY_PROVIDER', issuerName: '北戴河信用评估有限公司', issuerProviderId: 'provider-unanswered' }),
        registration('subject-local'),
      ]);
    const checks = [checkOf('check-third-party', 'subject-third-party'), checkOf('check-local', 'subject-local')];

    // The subgraph warns of the peer it could not ask (subgraphs/shared/subgraph.ts).
    const warned = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const result = await readRequirements(reports, checks).finally(() => warned.mockRestore());
    expect(result.data!._entities).toEqual([
      { reportRequirement: null, reportSatisfied: null },
      { reportRequirement: { satisfied: true, considered: [{ reportNumber: 'XYHB-subject-local', reasons: [] }] }, reportSatisfied: true },
    ]);
    expect(new Set(result.errors?.map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.serviceName].join(' ')))).toEqual(
      new Set(['_entities.0.reportRequirement SUBGRAPH_UNAVAILABLE providers', '_entities.0.reportSatisfied SUBGRAPH_UNAVAILABLE providers']),
    );
    // Not sealed: the next reader judges it again.
    expect(await sealedRows(reports, checks.map((c) => c.id))).toEqual(['check-local']);
  });
});
