import type { Caller } from '../../lib/access/identity';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, supervisor, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * A list read for its count alone names no subject: audited as one read about none (a
 * `DISCLOSED` entry with no subject and the list's group), not as a read of each subject on a page
 * the client never saw. The same list with its rows is audited per subject, as ever: the credit
 * office looks for one case used to read far too many subjects (一案一查), and a department that
 * counted a search's matches must not look like one.
 */
const world = demoWorld({ subjects: 40 });
const finance: Caller = { id: 'officer-count', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const procurement = (caseNumber: string): As => ({
  caller: finance,
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': caseNumber },
});

interface Entry {
  subject_id: string | null;
  outcome: string;
  field_groups: string;
  case_number: string | null;
}

const SEARCH_COUNT = /* GraphQL */ `query HowMany { searchSubjects(name: "北戴河", first: 30) { totalCount } }`;
const SEARCH_LISTED = /* GraphQL */ `query Which { searchSubjects(name: "北戴河", first: 30) { totalCount edges { cursor } } }`;
const SEARCH_PAGE_INFO = /* GraphQL */ `query Where { searchSubjects(name: "北戴河", first: 30) { pageInfo { endCursor } } }`;
const AUDIT_COUNT = /* GraphQL */ `query Audited { auditEntries(first: 50) { totalCount } }`;

describe.each(testDatabases)('lists read for their count alone, on $label', (database) => {
  const platform = usePlatform(database, 'countonly', { seedSubjects: world.subjects.length });
  const entriesOf = async (requestId: string): Promise<Entry[]> =>
    await platform.databases.audit.query('SELECT subject_id, outcome, field_groups, case_number FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId]);

  it('audits a search read for its count as one read about no subject, under the case', async () => {
    const result = await platform.query<{ searchSubjects: { totalCount: number } }>(SEARCH_COUNT, {}, procurement('BDH-CG-2027-COUNT'));
    expect(result.errors).toBeUndefined();
    expect(result.data!.searchSubjects.totalCount).toBeGreaterThan(1);
    expect(await entriesOf(requestIdOf(result))).toEqual([{ subject_id: null, outcome: 'DISCLOSED', field_groups: 'SUBJECT_BASICS', case_number: 'BDH-CG-2027-COUNT' }]);
  });

  it.each([
    ['its edges', SEARCH_LISTED],
    ['its page’s cursors', SEARCH_PAGE_INFO],
  ])('audits a search listing %s as a read of each subject on the page', async (_label, query) => {
    const result = await platform.query<{ searchSubjects: { totalCount?: number } }>(query, {}, procurement('BDH-CG-2027-LIST'));
    expect(result.errors).toBeUndefined();
    const entries = await entriesOf(requestIdOf(result));
    expect(entries.length).toBeGreaterThan(1);
    expect(entries.every((e) => e.subject_id !== null && e.field_groups === 'SUBJECT_BASICS' && e.outcome === 'DISCLOSED')).toBe(true);
    expect(new Set(entries.map((e) => e.subject_id)).size).toBe(entries.length);
  });

  it.each([
    [false, 'as a count alone'],
    [true, 'as a read of each subject on the page'],
  ])('audits a search whose edges are asked only if %s %s', async (show) => {
    const result = await platform.query<{ searchSubjects: { totalCount: number; edges?: unknown[] } }>(
      `query($show: Boolean!) { searchSubjects(name: "北戴河", first: 30) { totalCount edges @include(if: $show) { node { id } } ...on SubjectConnection { pageInfo @skip(if: true) { endCursor } } } }`,
      { show },
      procurement('BDH-CG-2027-INCL'),
    );
    expect(result.errors).toBeUndefined();
    const entries = await entriesOf(requestIdOf(result));
    if (show) {
      expect(entries.length).toBe(result.data!.searchSubjects.edges!.length);
      expect(entries.every((e) => e.subject_id !== null)).toBe(true);
    } else {
      expect(result.data!.searchSubjects.edges).toBeUndefined();
      expect(entries).toEqual([{ subject_id: null, outcome: 'DISCLOSED', field_groups: 'SUBJECT_BASICS', case_number: 'BDH-CG-2027-INCL' }]);
    }
  });

  it('audits a count of checks by what they found as a read of each counted check’s findings, about its subject: the count tells the verdict of a check the caller can name', async () => {
    const subject = world.subjects.find((s) => s.kind !== 'NATURAL_PERSON')!;
    const ran = await platform.query<{ runCreditCheck: { verdict: string } }>(
      `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { verdict } }`,
      { input: { subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2027-ONE' } },
      procurement('BDH-CG-2027-ONE'),
    );
    expect(ran.errors).toBeUndefined();
    const counted = await platform.query<{ creditChecks: { totalCount: number } }>(
      `query($verdict: CheckVerdict) { creditChecks(caseNumber: "BDH-CG-2027-ONE", verdict: $verdict) { totalCount } }`,
      { verdict: ran.data!.runCreditCheck.verdict },
      procurement('BDH-CG-2027-ONE'),
    );
    expect(counted.errors).toBeUndefined();
    expect(counted.data!.creditChecks.totalCount).toBe(1);
    const entries = await entriesOf(requestIdOf(counted));
    expect(entries.map((e) => e.subject_id)).toEqual([subject.id]);
    expect(entries[0].field_groups.split(',')).toContain('CREDIT_CHECK_LEDGER');
    // Counted by the ledger's line alone, the same checks name no subject.
    const plain = await platform.query(`{ creditChecks(caseNumber: "BDH-CG-2027-ONE") { totalCount } }`, {}, procurement('BDH-CG-2027-ONE'));
    expect(await entriesOf(requestIdOf(plain))).toEqual([{ subject_id: null, outcome: 'DISCLOSED', field_groups: 'CREDIT_CHECK_LEDGER', case_number: 'BDH-CG-2027-ONE' }]);
  });

  it('counts no subject for a case whose search was only counted, in the credit office’s case statistics', async () => {
    const result = await platform.query<{ auditCases: { edges: { node: { caseNumber: string; subjects: number } }[] } }>(
      `query($from: DateTime!, $to: DateTime!) { auditCases(from: $from, to: $to, organisation: "FINANCE") { edges { node { caseNumber subjects } } } }`,
      { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
      supervisor,
    );
    expect(result.errors).toBeUndefined();
    const cases = Object.fromEntries(result.data!.auditCases.edges.map((e) => [e.node.caseNumber, e.node.subjects]));
    expect(cases['BDH-CG-2027-COUNT'] ?? 0).toBe(0);
    expect(cases['BDH-CG-2027-LIST']).toBeGreaterThan(1);
  });

  it('audits a count of the audit log as one read about no subject, not as a read of each subject whose entries it counted', async () => {
    const result = await platform.query<{ auditEntries: { totalCount: number } }>(AUDIT_COUNT, {}, supervisor);
    expect(result.errors).toBeUndefined();
    expect(result.data!.auditEntries.totalCount).toBeGreaterThan(1);
    expect(await entriesOf(requestIdOf(result))).toEqual([{ subject_id: null, outcome: 'DISCLOSED', field_groups: 'AUDIT', case_number: null }]);
  });
});
