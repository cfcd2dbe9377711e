import { randomUUID } from 'node:crypto';
import type { Caller } from '../../lib/access/identity';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * A department reads and reports on its own checks only. Another department asking for one is
 * told nothing of it (not even which department ran it), and the refusal is audited in the trail
 * of the subject the check is about, as every denied attempt that reached a subject is.
 */
const world = demoWorld({ subjects: 20 });
const [procured, taxed] = world.subjects.filter((s) => s.kind === 'ENTERPRISE');

const officer = (organisation: string): Caller => ({ id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' });
const purpose = (matter: string, caseNumber: string) => ({ 'x-credit-matter': matter, 'x-credit-case': caseNumber });
const finance: As = { caller: officer('FINANCE'), headers: purpose('GOVERNMENT_PROCUREMENT', 'REF-CG-1') };
const taxation: As = { caller: officer('TAXATION'), headers: purpose('TAX_INCENTIVES', 'REF-SS-1') };
const marketRegulation: As = { caller: officer('MARKET_REGULATION') };

const READ = `query($id: ID!) { creditCheck(id: $id) { id matter caseNumber department { code } } }`;
const FEEDBACK = `mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id } }`;

describe.each(testDatabases)("another department's credit check on $label", (database) => {
  const platform = usePlatform(database, 'checkrefusals', { seedSubjects: world.subjects.length });
  let financeCheck: string;
  let taxationCheck: string;

  async function run(as: As, subjectId: string): Promise<string> {
    const input = { subjectId, matter: as.headers!['x-credit-matter'], caseNumber: as.headers!['x-credit-case'] };
    const result = await platform.query<{ runCreditCheck: { id: string } }>(`mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`, { input }, as);
    expect(result.errors).toBeUndefined();
    return result.data!.runCreditCheck.id;
  }

  /** Sends the request, and returns the answer and the audit entries it caused. */
  async function audited(as: As, query: string, variables: Record<string, unknown>) {
    const answer = await platform.query(query, variables, as);
    const requestId = requestIdOf(answer);
    const rows = (await platform.databases.audit.query('SELECT outcome, subject_id FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId])) as { outcome: string; subject_id: string | null }[];
    return { answer, audit: rows.map((r) => ({ outcome: r.outcome, subject: r.subject_id })) };
  }

  /** What the caller learnt: the data and the errors as sent, nothing of the subject or the department that ran the check. */
  function expectToldNothing(answer: { data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }, subjectId: string) {
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const sent = JSON.stringify(answer);
    for (const told of ['FINANCE', '财政', 'GOVERNMENT_PROCUREMENT', 'REF-CG-1', subjectId, 'auditedRefusal']) expect(sent).not.toContain(told);
  }

  beforeAll(async () => {
    financeCheck = await run(finance, procured.id);
    taxationCheck = await run(taxation, taxed.id);
  });

  it('refuses to read it without naming the department that ran it, and audits the refusal against its subject', async () => {
    const { answer, audit } = await audited(taxation, READ, { id: financeCheck });
    expect(answer.data).toEqual({ creditCheck: null });
    expectToldNothing(answer, procured.id);
    expect(answer.errors?.[0].message).toBe('this check was run by another department: only that department reads it or reports its feedback');
    expect(audit).toEqual([{ outcome: 'DENIED', subject: procured.id }]);
  });

  it('refuses feedback on it without naming the department that ran it, audits the refusal against its subject, and stores nothing', async () => {
    const { answer, audit } = await audited(taxation, FEEDBACK, { input: { checkId: financeCheck, appliedMeasures: [], note: '不适用' } });
    expectToldNothing(answer, procured.id);
    expect(audit).toEqual([{ outcome: 'DENIED', subject: procured.id }]);
    const [row] = (await platform.databases.records.query('SELECT feedback_at FROM credit_check WHERE id = ?', [financeCheck])) as { feedback_at: unknown }[];
    expect(row.feedback_at).toBeNull();
  });

  it("answers alike for every other department's check, whoever ran it and whomever it checked", async () => {
    const answers = [];
    for (const [id, subject] of [[financeCheck, procured], [taxationCheck, taxed]] as const) {
      const { answer, audit } = await audited(marketRegulation, READ, { id });
      expectToldNothing(answer, subject.id);
      expect(JSON.stringify(answer)).not.toContain('TAXATION');
      expect(audit).toEqual([{ outcome: 'DENIED', subject: subject.id }]);
      answers.push(answer);
    }
    expect(answers[1]).toEqual(answers[0]);
    // An id no check has answers null without an error, as it did before: a refusal does tell the
    // caller that a check with this id exists, and nothing more.
    const unknown = await audited(marketRegulation, READ, { id: randomUUID() });
    expect(unknown.answer.data).toEqual({ creditCheck: null });
    expect(unknown.answer.errors).toBeUndefined();
    expect(unknown.audit).toEqual([]);
  });

  it('still shows the department its own check', async () => {
    const own = await platform.query<{ creditCheck: { id: string; department: { code: string } } }>(READ, { id: financeCheck }, finance);
    expect(own.errors).toBeUndefined();
    expect(own.data?.creditCheck).toMatchObject({ id: financeCheck, department: { code: 'FINANCE' } });
  });
});
