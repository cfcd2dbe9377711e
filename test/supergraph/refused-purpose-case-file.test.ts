import type { Caller } from '../../lib/access/identity';
import * as catalogue from '../../lib/catalogue/matters';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { supervisor, usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * A purpose the gateway refused is the basis of nothing (README, Errors). A department that loses
 * a matter (the credit office gives it to another department, or withdraws it from the catalogue)
 * keeps its checks run under it in its ledger, whose lines need no purpose; what those checks
 * found (records considered, measures, verdict) is read in the check's own case only, and a case
 * named under a refused matter is no case: each is refused with the refusal's problem, and audited
 * as the attempt it is, under the matter and case the request named.
 */
const world = demoWorld({ subjects: 8 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const procurement = catalogue.findMatter('GOVERNMENT_PROCUREMENT')!;
const financeOfficer: Caller = { id: 'procurement-officer', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };

/** The catalogue as the credit office changed it: `code` as `changed` has it, every other matter as it was. */
function catalogueWith(code: string, changed: catalogue.Matter | undefined): void {
  const findMatter = catalogue.findMatter;
  jest.spyOn(catalogue, 'findMatter').mockImplementation((asked) => (asked === code ? changed : findMatter(asked)));
}

const losses: [string, () => void, string][] = [
  ['given to another department', () => catalogueWith(procurement.code, { ...procurement, users: { ...procurement.users, departments: ['TAXATION'] } }), 'DEPARTMENT_NOT_RESPONSIBLE'],
  ['withdrawn from the catalogue', () => catalogueWith(procurement.code, undefined), 'UNKNOWN_MATTER'],
];

const FINDINGS = /* GraphQL */ `
  query Findings($case: String) {
    creditChecks(first: 5, caseNumber: $case) { edges { node { matter caseNumber subject { id } verdict measures { kind situation } recordsConsidered { category summary } } } }
  }
`;

interface Entry {
  outcome: string;
  subject_id: string | null;
  matter: string | null;
  case_number: string | null;
  field_groups: string;
}

type Node = { matter: string; caseNumber: string; verdict: string | null; measures: unknown[] | null; recordsConsidered: unknown[] | null };

describe.each(testDatabases)('what a check found, asked under a purpose the gateway refused, on $label', (database) => {
  const platform = usePlatform(database, 'refusedcasefile', { seedSubjects: world.subjects.length });
  afterEach(() => jest.restoreAllMocks());

  const entriesOf = async (requestId: string): Promise<Entry[]> =>
    await platform.databases.audit.query('SELECT outcome, subject_id, matter, case_number, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId]);

  /** A check the finance office ran on the enterprise in its procurement case `caseNumber`, while the matter was its. */
  async function checkRun(caseNumber: string): Promise<As> {
    const as: As = { caller: financeOfficer, headers: { 'x-credit-matter': procurement.code, 'x-credit-case': caseNumber } };
    const ran = await platform.query<{ runCreditCheck: { id: string } | null }>(
      `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`,
      { input: { subjectId: enterprise.id, matter: procurement.code, caseNumber } },
      as,
    );
    expect(ran.errors).toBeUndefined();
    return as;
  }

  it.each(losses)('refuses the findings of a matter %s, in the problem of its refusal, and audits the attempt under the case named', async (label, lose, problem) => {
    const caseNumber = `WL-2026-020-${label.split(' ')[0]}`;
    const as = await checkRun(caseNumber);
    const before = await platform.query<{ creditChecks: { edges: { node: Node }[] } }>(FINDINGS, { case: caseNumber }, as);
    expect(before.errors).toBeUndefined();
    expect(before.data!.creditChecks.edges.find((e) => e.node.caseNumber === caseNumber)?.node.verdict).not.toBeNull();

    lose();
    const after = await platform.query<{ creditChecks: { edges: { node: Node | null }[] } | null }>(FINDINGS, { case: caseNumber }, as);
    const requestId = requestIdOf(after);
    const nodes = after.data?.creditChecks?.edges.map((e) => e.node) ?? [];
    for (const node of nodes) expect({ verdict: node?.verdict ?? null, measures: node?.measures ?? null, recordsConsidered: node?.recordsConsidered ?? null }).toEqual({ verdict: null, measures: null, recordsConsidered: null });
    expect(after.errors?.length).toBeGreaterThan(0);
    for (const error of after.errors!) expect({ code: error.extensions?.code, problem: error.extensions?.problem, header: error.extensions?.header }).toEqual({ code: 'FORBIDDEN', problem, header: 'x-credit-matter' });

    const entries = await entriesOf(requestId);
    const disclosed = entries.filter((e) => e.outcome === 'DISCLOSED');
    // The ledger's lines, which need no purpose: under none.
    for (const entry of disclosed) expect({ groups: entry.field_groups, matter: entry.matter, case_number: entry.case_number }).toEqual({ groups: 'CREDIT_CHECK_LEDGER', matter: null, case_number: null });
    const denied = entries.filter((e) => e.outcome === 'DENIED' && e.subject_id === enterprise.id);
    expect(denied.map(({ matter, case_number }) => ({ matter, case_number }))).toEqual([{ matter: procurement.code, case_number: caseNumber }]);
    expect(denied[0].field_groups.split(',')).toContain('CREDIT_CHECK_LEDGER');
  });

  it('refuses filtering the ledger by what checks found in a case named under a refused matter', async () => {
    const as = await checkRun('WL-2026-020-filter');
    catalogueWith(procurement.code, undefined);
    const result = await platform.query<{ creditChecks: unknown }>(`query { creditChecks(first: 5, verdict: ELIGIBLE) { edges { node { caseNumber } } } }`, {}, as);
    expect(result.data?.creditChecks ?? null).toBeNull();
    expect(result.errors?.map((e) => ({ code: e.extensions?.code, problem: e.extensions?.problem }))).toEqual([{ code: 'FORBIDDEN', problem: 'UNKNOWN_MATTER' }]);
  });

  it('refuses feedback on a check in a case named under a refused matter', async () => {
    const as = await checkRun('WL-2026-020-feedback');
    const listed = await platform.query<{ creditChecks: { edges: { node: { id: string } }[] } }>(`query { creditChecks(first: 1, caseNumber: "WL-2026-020-feedback") { edges { node { id } } } }`, {}, as);
    const checkId = listed.data!.creditChecks.edges[0].node.id;
    catalogueWith(procurement.code, { ...procurement, users: { ...procurement.users, departments: ['TAXATION'] } });
    const result = await platform.query(`mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id } }`, { input: { checkId, appliedMeasures: [] } }, as);
    expect(result.errors?.map((e) => ({ code: e.extensions?.code, problem: e.extensions?.problem }))).toEqual([{ code: 'FORBIDDEN', problem: 'DEPARTMENT_NOT_RESPONSIBLE' }]);
    const [row] = await platform.databases.records.query('SELECT feedback_at FROM credit_check WHERE id = ?', [checkId]);
    expect(row.feedback_at).toBeNull();
  });

  it('reads no department’s findings under a supervision the catalogue no longer holds', async () => {
    await checkRun('WL-2026-020-supervised');
    catalogueWith('CREDIT_SUPERVISION', undefined);
    const result = await platform.query<{ creditChecks: { edges: { node: Node | null }[] } | null }>(FINDINGS, { case: 'WL-2026-020-supervised' }, supervisor);
    for (const node of result.data?.creditChecks?.edges.map((e) => e.node) ?? []) expect(node?.verdict ?? null).toBeNull();
    expect(new Set(result.errors?.map((e) => e.extensions?.problem))).toEqual(new Set(['UNKNOWN_MATTER']));
  });

  // The gateway cuts them itself, as fields the refused purpose would have granted; the subgraphs
  // refuse them alike to a gateway that signed no refusal (test/subgraphs/records/refused-supervision.test.ts).
  it('refuses the supervision’s own readers under a supervision the catalogue no longer holds, with its refusal, audited DENIED', async () => {
    catalogueWith('CREDIT_SUPERVISION', undefined);
    const result = await platform.query(
      `query { departmentHandlingStatistics(from: "2026-01-01", to: "2026-01-02") { department { code } } creditRecordObjections(first: 1) { edges { node { id } } } searchSubjects(name: "张三", kind: NATURAL_PERSON) { totalCount } }`,
      {},
      { caller: { ...supervisor.caller!, organisation: 'ADMINISTRATIVE_APPROVAL' }, headers: supervisor.headers },
    );
    expect(result.data).toEqual({ departmentHandlingStatistics: null, creditRecordObjections: null, searchSubjects: null });
    expect(result.errors?.map((e) => ({ code: e.extensions?.code, problem: e.extensions?.problem, header: e.extensions?.header }))).toEqual(Array(3).fill({ code: 'FORBIDDEN', problem: 'UNKNOWN_MATTER', header: 'x-credit-matter' }));
    expect(new Set((await entriesOf(requestIdOf(result))).map((e) => e.outcome))).toEqual(new Set(['DENIED']));
  });
});
