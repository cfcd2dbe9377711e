import type { Caller } from '../../lib/access/identity';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * Every statistic answered is audited (DISCLOSED, no subject, its field group, what was counted
 * over which period), so that the credit office sees each window an analyst asked: overlapping
 * windows, subtracted, count a small cell (the accepted risk of the analysts' statistics). No
 * subject's trail holds such an entry, and a request's statistics ride in the one audit write it
 * makes anyway: a request reading none costs none.
 */
const world = demoWorld({ subjects: 8 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;

const department = (organisation: string, role: Caller['role'], id: string): Caller => ({ id, organisation, organisationKind: 'DEPARTMENT', role });
const analyst: As = { caller: department('DEVELOPMENT_REFORM', 'ANALYST', 'analyst-zhao') };
const creditOffice: As = { caller: department('CREDIT_OFFICE', 'CREDIT_OFFICE_SUPERVISOR', 'supervisor-sun'), headers: { 'x-credit-matter': 'CREDIT_SUPERVISION' } };

interface Stored {
  outcome: string;
  subject_id: string | null;
  field_groups: string;
  matter: string | null;
  actor: string;
  organisation: string;
  operation_name: string | null;
  occurred_at: unknown;
}

const WINDOWS = /* GraphQL */ `
  query Windows {
    wide: auditStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-11-04T00:00:00+08:00") { organisation disclosed }
    narrow: auditStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-11-03T00:00:00+08:00") { organisation disclosed }
    creditRecordStatistics(from: "2025-01-01", to: "2026-01-01", subjectKind: ORGANISATION) { from }
  }
`;

describe.each(testDatabases)('statistics in the audit log on $label', (database) => {
  const platform = usePlatform(database, 'statsaudit', { seedSubjects: world.subjects.length });

  async function ask(as: As, query: string, variables: Record<string, unknown> = {}) {
    const result = await platform.query<Record<string, unknown>>(query, variables, as);
    const requestId = requestIdOf(result);
    const entries: Stored[] = await platform.databases.audit.query(
      'SELECT outcome, subject_id, field_groups, matter, actor, organisation, operation_name, occurred_at FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    return { result, entries };
  }

  it("audits each of an analyst's statistics answered: no subject, its group, the window asked", async () => {
    const { result, entries } = await ask(analyst, WINDOWS);
    expect(result.errors).toBeUndefined();
    const statistic = { outcome: 'DISCLOSED', subject_id: null, field_groups: 'STATISTICS', matter: null, actor: 'analyst-zhao', organisation: 'DEVELOPMENT_REFORM' };
    expect(entries.map(({ occurred_at: _, ...entry }) => entry)).toEqual([
      { ...statistic, operation_name: 'auditStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-11-04T00:00:00+08:00") in Windows' },
      { ...statistic, operation_name: 'auditStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-11-03T00:00:00+08:00") in Windows' },
      { ...statistic, operation_name: 'creditRecordStatistics(from: "2025-01-01", to: "2026-01-01", subjectKind: "ORGANISATION") in Windows' },
    ]);
  });

  it("audits the credit office's assessment in the one write of a request that also read a subject", async () => {
    const before = { ...platform.gateway.audit!.written };
    const { result, entries } = await ask(
      creditOffice,
      /* GraphQL */ `query Assessment($id: ID!) {
        subject(id: $id) { name }
        departmentHandlingStatistics(from: "2026-11-01", to: "2026-12-01") { department { code } }
        creditCheckStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-12-01T00:00:00+08:00") { checks }
      }`,
      { id: enterprise.id },
    );
    expect(result.errors).toBeUndefined();
    const assessment = { outcome: 'DISCLOSED', subject_id: null, field_groups: 'SUPERVISION_STATISTICS', matter: 'CREDIT_SUPERVISION', actor: 'supervisor-sun', organisation: 'CREDIT_OFFICE' };
    expect(entries.map(({ occurred_at: _, ...entry }) => entry)).toEqual([
      expect.objectContaining({ outcome: 'DISCLOSED', subject_id: enterprise.id, operation_name: 'Assessment' }),
      { ...assessment, operation_name: 'departmentHandlingStatistics(from: "2026-11-01", to: "2026-12-01") in Assessment' },
      { ...assessment, operation_name: 'creditCheckStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-12-01T00:00:00+08:00") in Assessment' },
    ]);
    // One request, one instant, one write.
    expect(new Set(entries.map((e) => String(e.occurred_at))).size).toBe(1);
    expect(platform.gateway.audit!.written.batches - before.batches).toBe(1);
    expect(platform.gateway.audit!.written.entries - before.entries).toBe(3);
  });

  it('writes nothing for a request that read no statistic and no subject', async () => {
    const before = { ...platform.gateway.audit!.written };
    const { result, entries } = await ask(analyst, '{ matters { code } }');
    expect(result.errors).toBeUndefined();
    expect(entries).toEqual([]);
    expect(platform.gateway.audit!.written).toEqual(before);
  });

  it('audits a statistic refused as DENIED only, and one left out by @skip not at all', async () => {
    const refused = await ask(analyst, '{ creditRecordStatistics(from: "2025-01-01", to: "2026-01-01", subjectKind: NATURAL_PERSON) { from } }');
    expect(refused.result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(refused.entries.map((e) => [e.outcome, e.subject_id, e.field_groups])).toEqual([['DENIED', null, 'STATISTICS']]);
    const skipped = await ask(analyst, 'query Skipped($no: Boolean!) { matters { code } creditRecordStatistics(from: "2025-01-01", to: "2026-01-01", subjectKind: ORGANISATION) @skip(if: $no) { from } }', { no: true });
    expect(skipped.result.errors).toBeUndefined();
    expect(skipped.entries).toEqual([]);
  });

  it("lets the credit office list the statistics read, and keeps them out of every subject's trail", async () => {
    const LIST = /* GraphQL */ `
      query Statistics($filter: AuditEntryFilter) {
        auditEntries(filter: $filter, first: 100) { totalCount edges { node { organisation actor fieldGroups operationName outcome subject { id } } } }
      }
    `;
    const listed = await platform.query<{ auditEntries: { totalCount: number; edges: { node: Record<string, unknown> }[] } }>(LIST, { filter: { hasSubject: false, outcome: 'DISCLOSED' } }, creditOffice);
    expect(listed.errors).toBeUndefined();
    const operations = listed.data!.auditEntries.edges.map((e) => e.node.operationName);
    expect(operations).toEqual(
      expect.arrayContaining([
        'auditStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-11-04T00:00:00+08:00") in Windows',
        'auditStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-11-03T00:00:00+08:00") in Windows',
        'creditCheckStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-12-01T00:00:00+08:00") in Assessment',
      ]),
    );
    expect(listed.data!.auditEntries.edges.every((e) => e.node.subject === null && e.node.outcome === 'DISCLOSED')).toBe(true);
    // An analyst's are found by its department too.
    const byAnalyst = await platform.query<{ auditEntriesByOrganisation: { edges: { node: { fieldGroups: string[] } }[] } }>(
      `{ auditEntriesByOrganisation(organisation: "DEVELOPMENT_REFORM", filter: { hasSubject: false, outcome: DISCLOSED }) { edges { node { fieldGroups } } } }`,
      {},
      creditOffice,
    );
    expect(byAnalyst.data!.auditEntriesByOrganisation.edges.map((e) => e.node.fieldGroups)).toEqual(Array(3).fill(['STATISTICS']));
    // The subject read beside the assessment has its read in its trail, and nothing of the statistics.
    const trail = await platform.query<{ auditEntriesBySubject: { edges: { node: { fieldGroups: string[] } }[] } }>(
      'query($id: ID!) { auditEntriesBySubject(subjectId: $id, filter: { auditReads: false }) { edges { node { fieldGroups } } } }',
      { id: enterprise.id },
      creditOffice,
    );
    const groups = trail.data!.auditEntriesBySubject.edges.flatMap((e) => e.node.fieldGroups);
    expect(groups).not.toContain('STATISTICS');
    expect(groups).not.toContain('SUPERVISION_STATISTICS');
  });

  it('keeps the statistic and its window whole under an operation named at length: the name is what is cut', async () => {
    const name = `Q${'a'.repeat(194)}`;
    const { result, entries } = await ask(analyst, `query ${name} { creditRecordStatistics(from: "2025-01-01", to: "2026-01-01", subjectKind: ORGANISATION) { from } }`);
    expect(result.errors).toBeUndefined();
    const asked = 'creditRecordStatistics(from: "2025-01-01", to: "2026-01-01", subjectKind: "ORGANISATION") in ';
    expect(entries.map((e) => e.operation_name)).toEqual([`${asked}${name}`.slice(0, 200)]);
  });

  it("counts no statistic read in auditStatistics or auditCases, which count the requests about subjects; a refused one still as refused", async () => {
    const USAGE = /* GraphQL */ `
      query Usage($from: DateTime!, $to: DateTime!) {
        auditStatistics(from: $from, to: $to) { organisation matter disclosed denied subjects }
        auditCases(from: $from, to: $to, first: 100) { edges { node { organisation caseNumber disclosed denied subjects } } }
      }
    `;
    type Usage = { auditStatistics: { organisation: string; matter: string | null; disclosed: number; denied: number; subjects: number }[]; auditCases: { edges: unknown[] } };
    const period = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };
    // Each call is itself a statistic read of the credit office's, audited as one.
    const usage = async () => {
      const { result } = await ask(creditOffice, USAGE, period);
      expect(result.errors).toBeUndefined();
      return result.data as unknown as Usage;
    };
    const before = await usage();
    // An analyst's windows, and a statistic read naming a case: no subject read, nothing counted.
    expect((await ask(analyst, WINDOWS)).result.errors).toBeUndefined();
    const inCase: As = { caller: creditOffice.caller, headers: { ...creditOffice.headers, 'x-credit-case': 'BDH-JG-2026-0042' } };
    expect((await ask(inCase, '{ creditCheckStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-12-01T00:00:00+08:00") { checks } }')).result.errors).toBeUndefined();
    expect(await usage()).toEqual(before);
    // A refused statistic names no subject and is still a refused request of the analyst's department.
    const counted = (rows: Usage, organisation: string) =>
      rows.auditStatistics.filter((row) => row.organisation === organisation).reduce((sum, row) => ({ disclosed: sum.disclosed + row.disclosed, denied: sum.denied + row.denied }), { disclosed: 0, denied: 0 });
    await ask(analyst, '{ creditRecordStatistics(from: "2025-01-01", to: "2026-01-01", subjectKind: NATURAL_PERSON) { from } }');
    const refused = await usage();
    expect(counted(refused, 'DEVELOPMENT_REFORM')).toEqual({ ...counted(before, 'DEVELOPMENT_REFORM'), denied: counted(before, 'DEVELOPMENT_REFORM').denied + 1 });
    // A subject read under the credit office's supervision is a disclosed request, as ever.
    expect((await ask(creditOffice, 'query($id: ID!) { subject(id: $id) { name } }', { id: enterprise.id })).result.errors).toBeUndefined();
    expect(counted(await usage(), 'CREDIT_OFFICE')).toEqual({ ...counted(refused, 'CREDIT_OFFICE'), disclosed: counted(refused, 'CREDIT_OFFICE').disclosed + 1 });
  });
});
