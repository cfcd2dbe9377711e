import { Repository } from 'typeorm';
import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants } from '../../../lib/access/policy';
import { inDistrictTime } from '../../../lib/calendar';
import type { ReportFindings } from '../../../subgraphs/records/report-findings';
import { CreditCheck } from '../../../subgraphs/records/entities/credit-check.entity';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import { demoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';
import { CountingDirectory } from './records-harness';

/**
 * A check's feedback (反馈) is reported once. A second report is refused as every other thing
 * already done is (an objection decided twice, a consent revoked twice): `BAD_USER_INPUT` on the
 * field naming the object, with `problem: TRANSITION_NOT_ALLOWED` and what the object is now
 * (here `reportedAt`, when the feedback was reported), so that a front end reads it again rather
 * than marking the form's input; the message says who reported it and when. Reports racing each
 * other are refused the same way. The same report sent again by the same user (a client retrying
 * after its answer was lost) is answered the check as reported, as a withdrawal retried is.
 */
const world = demoWorld({ subjects: 20 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const colleague: Caller = { ...finance, id: 'officer-finance-colleague' };

function inCase(caseNumber: string, caller = finance): RequestIdentity {
  const purpose = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber };
  const decision = decideGrants(caller, purpose);
  return { caller, purpose, grants: decision.groups, scope: decision.scope, requestId: `feedback-${caseNumber}` };
}

const RUN = /* GraphQL */ `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`;
const FEEDBACK = /* GraphQL */ `mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id feedback { appliedMeasures reportedAt } } }`;
const READ = /* GraphQL */ `query($id: ID!) { creditCheck(id: $id) { feedback { appliedMeasures note reportedAt } } }`;

type Reported = { recordCheckFeedback: { id: string; feedback: { appliedMeasures: string[]; reportedAt: string } } | null };

describe.each(testDatabases)('feedback on a credit check reported twice, on $label', (database) => {
  // Down: a check run then is stored unsealed. `goodGrade`: what the reports subgraph finds.
  const reportsSubgraph = { down: false, goodGrade: false };
  const reports: ReportFindings = {
    forChecks: async (checks) => {
      if (reportsSubgraph.down) throw new Error('the reports subgraph could not be reached');
      return checks.map(() => ({ satisfied: true, goodGrade: reportsSubgraph.goodGrade }));
    },
  };
  const entities = useSubgraph(entitiesSubgraph, database, 'ckfeedback_subjects');
  const records = useSubgraph(createRecordsSubgraph({ subjects: new CountingDirectory(() => entities.url()), reports }), database, 'ckfeedback');

  beforeAll(async () => {
    await seedEntities(entities.db(), world);
  });

  async function checkIn(caseNumber: string): Promise<string> {
    const run = await records.queryAs<{ runCreditCheck: { id: string } }>(inCase(caseNumber), RUN, { input: { subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber } });
    expect(run.errors).toBeUndefined();
    return run.data!.runCreditCheck.id;
  }

  const report = (caseNumber: string, checkId: string, note: string, caller = finance) =>
    records.queryAs<Reported>(inCase(caseNumber, caller), FEEDBACK, { input: { checkId, appliedMeasures: [], note } });

  async function storedFeedback(caseNumber: string, checkId: string) {
    const read = await records.queryAs<{ creditCheck: { feedback: { appliedMeasures: string[]; note: string; reportedAt: string } } }>(inCase(caseNumber), READ, { id: checkId });
    expect(read.errors).toBeUndefined();
    return read.data!.creditCheck.feedback;
  }

  it('refuses a second report with TRANSITION_NOT_ALLOWED and when the first was reported, keeping the first', async () => {
    const checkId = await checkIn('FB-TWICE');
    const first = await report('FB-TWICE', checkId, '本项目不设限制');
    expect(first.errors).toBeUndefined();
    const reportedAt = first.data!.recordCheckFeedback!.feedback.reportedAt;

    const second = await report('FB-TWICE', checkId, '再次反馈');
    expect(second.data).toEqual({ recordCheckFeedback: null });
    expect(second.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'checkId', problem: 'TRANSITION_NOT_ALLOWED', reportedAt }]);
    expect(second.errors?.[0].message).toBe(`feedback for this check was already reported by officer-finance at ${inDistrictTime(new Date(reportedAt))}`);
    expect(await storedFeedback('FB-TWICE', checkId)).toEqual({ appliedMeasures: [], note: '本项目不设限制', reportedAt });
  });

  // An identity provider may name an officer's account by the officer's citizen ID number: the
  // refusal named the token's sub whole, where every message masks a person's number (userInWords).
  it('names an officer whose sub is a citizen ID number by the number masked, in the refusal of a second report', async () => {
    const numbered: Caller = { ...finance, id: '130304199406220815' };
    const checkId = await checkIn('FB-NUMBERED');
    const first = await report('FB-NUMBERED', checkId, '本项目不设限制', numbered);
    expect(first.errors).toBeUndefined();
    const reportedAt = first.data!.recordCheckFeedback!.feedback.reportedAt;
    const second = await report('FB-NUMBERED', checkId, '再次反馈');
    expect(second.errors?.[0].message).toBe(`feedback for this check was already reported by 1303**********0815 at ${inDistrictTime(new Date(reportedAt))}`);
    expect(JSON.stringify(second)).not.toContain('130304199406220815');
  });

  // The report is stored by its UPDATE: a read of the check after it, failing (a connection lost),
  // told the officer NOT_STORED of a report that was stored. What this call wrote is the answer.
  it('answers the report it stored with what it wrote, asking the database nothing after its write', async () => {
    const checkId = await checkIn('FB-WRITTEN');
    const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
    const readBack = jest.spyOn(Repository.prototype, 'findOneByOrFail').mockRejectedValue(lost);
    let reported: Awaited<ReturnType<typeof report>>;
    try {
      reported = await report('FB-WRITTEN', checkId, '本项目不设限制');
    } finally {
      readBack.mockRestore();
    }
    expect(reported.errors).toBeUndefined();
    expect(await storedFeedback('FB-WRITTEN', checkId)).toEqual({ ...reported.data!.recordCheckFeedback!.feedback, note: '本项目不设限制' });
  });

  it('answers the same report sent again by the same officer with the check as reported, and refuses it from a colleague', async () => {
    const checkId = await checkIn('FB-RETRY');
    const first = await report('FB-RETRY', checkId, '本项目不设限制');
    expect(first.errors).toBeUndefined();
    const reportedAt = first.data!.recordCheckFeedback!.feedback.reportedAt;
    const retried = await report('FB-RETRY', checkId, ' 本项目不设限制 ');
    expect(retried.errors).toBeUndefined();
    expect(retried.data).toEqual(first.data);

    const byColleague = await report('FB-RETRY', checkId, '本项目不设限制', colleague);
    expect(byColleague.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'checkId', problem: 'TRANSITION_NOT_ALLOWED', reportedAt }]);
    expect(byColleague.errors?.[0].message).toBe(`feedback for this check was already reported by officer-finance at ${inDistrictTime(new Date(reportedAt))}`);
    expect(await storedFeedback('FB-RETRY', checkId)).toEqual({ appliedMeasures: [], note: '本项目不设限制', reportedAt });
  });

  it('audits what a report tells of the check\'s findings, refused or stored, as a read of them; refused before, it tells nothing', async () => {
    const checkId = await checkIn('FB-FINDINGS');
    const findings = [{ subjectId: subject.id, groups: ['CREDIT_CHECK_LEDGER'] }];
    const uncalled = await records.queryAs<Reported>(inCase('FB-FINDINGS'), FEEDBACK, { input: { checkId, appliedMeasures: ['GREEN_CHANNEL'] } });
    expect(uncalled.errors?.[0].message).toBe('the check did not call for GREEN_CHANNEL; it called for no measure');
    expect(uncalled.extensions?.disclosures).toEqual(findings);
    const otherCase = await records.queryAs<Reported>(inCase('FB-ELSEWHERE'), FEEDBACK, { input: { checkId, appliedMeasures: ['GREEN_CHANNEL'] } });
    expect(otherCase.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(otherCase.extensions?.disclosures ?? []).toEqual([]);
    const stored = await records.queryAs<{ recordCheckFeedback: { id: string } }>(inCase('FB-FINDINGS'), `mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id } }`, { input: { checkId, appliedMeasures: [] } });
    expect(stored.errors).toBeUndefined();
    // Beside the check it answers (the mutation's own group).
    expect(stored.extensions?.disclosures).toEqual([{ subjectId: subject.id, groups: ['CREDIT_CHECK', 'CREDIT_CHECK_LEDGER'] }]);
  });

  it('judges feedback on a check run while the reports subgraph was down against its sealed measures, or stores none', async () => {
    reportsSubgraph.down = true;
    const checkId = await checkIn('FB-UNSEALED');
    const stored = async () => (await records.db().getRepository(CreditCheck).findOneByOrFail({ id: checkId }));
    expect((await stored()).verdict).toBeNull();
    try {
      const whileDown = await report('FB-UNSEALED', checkId, '');
      expect(whileDown.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reports' })]);
      // It told nothing of the findings: no read of them is audited.
      expect(whileDown.extensions?.disclosures ?? []).toEqual([]);
      expect((await stored()).feedbackAt).toBeNull();
    } finally {
      reportsSubgraph.down = false;
    }
    // Sealed now with a good grade's incentive, which the records alone did not call for.
    reportsSubgraph.goodGrade = true;
    try {
      const none = await report('FB-UNSEALED', checkId, '');
      expect(none.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'note' }]);
      expect(await stored()).toMatchObject({ verdict: 'ELIGIBLE_WITH_INCENTIVES', feedbackAt: null });
    } finally {
      reportsSubgraph.goodGrade = false;
    }
  });

  it('answers the same report sent several times at once with the one reported', async () => {
    const checkId = await checkIn('FB-RETRY-RACE');
    const answers = await Promise.all(Array.from({ length: 4 }, () => report('FB-RETRY-RACE', checkId, '同时重发')));
    const stored = await storedFeedback('FB-RETRY-RACE', checkId);
    expect(answers.map((a) => [a.errors, a.data?.recordCheckFeedback?.feedback.reportedAt])).toEqual(Array.from({ length: 4 }, () => [undefined, stored.reportedAt]));
  });

  it('refuses every report but one of several sent at once in the same way, whichever read the check first', async () => {
    const checkId = await checkIn('FB-RACE');
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => report('FB-RACE', checkId, `第${i}次反馈`)));
    const stored = await storedFeedback('FB-RACE', checkId);
    expect(answers.filter((a) => !a.errors).map((a) => a.data!.recordCheckFeedback!.feedback.reportedAt)).toEqual([stored.reportedAt]);
    const refusals = answers.filter((a) => a.errors);
    expect(refusals).toHaveLength(5);
    for (const refused of refusals) {
      expect(refused.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'checkId', problem: 'TRANSITION_NOT_ALLOWED', reportedAt: stored.reportedAt }]);
      expect(refused.errors?.[0].message).toBe(`feedback for this check was already reported by officer-finance at ${inDistrictTime(new Date(stored.reportedAt))}`);
    }
  });
});
