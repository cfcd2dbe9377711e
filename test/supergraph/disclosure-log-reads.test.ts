import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { supervisor, usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * The credit office reading a subject's 查询记录 (`Subject.disclosures`) reads the audit log, as
 * `auditEntriesBySubject` does: each page read is a read of the log, counted with `auditReads:
 * true`, left out with `auditReads: false` and left out of the list itself, so that paging it
 * does not grow it. A request that also read the subject's credit data (its name) is a read of
 * that data, and counts as one.
 */
const world = demoWorld({ subjects: 8 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const procurement: As = {
  caller: { id: 'officer-log-reads', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-LOG-1' },
};
const office: As = { caller: { ...supervisor.caller!, id: 'supervisor-log-reads' }, headers: supervisor.headers };

const PAGE = /* GraphQL */ `
  query DisclosurePage($id: ID!, $after: String) {
    subject(id: $id) { id disclosures(first: 2, after: $after) { totalCount pageInfo { endCursor hasNextPage } edges { node { organisation matter } } } }
  }
`;

interface Page {
  subject: { id: string; disclosures: { totalCount: number; pageInfo: { endCursor: string | null; hasNextPage: boolean }; edges: { node: { actor: string | null; matter: string | null } }[] } };
}

interface Statistic {
  auditStatistics: { organisation: string; matter: string | null; disclosed: number }[];
}

describe.each(testDatabases)("the credit office's reads of a subject's disclosure log on $label", (database) => {
  const platform = usePlatform(database, 'logreads', { seedSubjects: world.subjects.length });
  const since = new Date(Date.now() - 60_000).toISOString();

  /** How many requests of the credit office's supervision since the suite started, with `auditReads` as given. */
  async function officeRequests(auditReads: boolean): Promise<number> {
    const result = await platform.query<Statistic>(
      `query($from: DateTime!, $to: DateTime!, $auditReads: Boolean) { auditStatistics(from: $from, to: $to, organisation: "CREDIT_OFFICE", auditReads: $auditReads) { organisation matter disclosed } }`,
      { from: since, to: new Date(Date.now() + 86_400_000).toISOString(), auditReads },
      office,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.auditStatistics.filter((row) => row.matter === 'CREDIT_SUPERVISION').reduce((sum, row) => sum + row.disclosed, 0);
  }

  it('pages the list with a totalCount that stays put, each page read counted as a read of the log', async () => {
    // Five reads of the subject by a department: three pages of two.
    for (let i = 0; i < 5; i++) expect((await platform.query(`query($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id }, procurement)).errors).toBeUndefined();
    const readsBefore = await officeRequests(true);
    const dataReadsBefore = await officeRequests(false);
    const totals: number[] = [];
    const listed: string[] = [];
    let after: string | null = null;
    do {
      const result: { errors?: unknown; data?: Page | null } = await platform.query<Page>(PAGE, { id: enterprise.id, after }, office);
      expect(result.errors).toBeUndefined();
      const { disclosures } = result.data!.subject;
      totals.push(disclosures.totalCount);
      listed.push(...disclosures.edges.map((e) => `${e.node.actor} ${e.node.matter}`));
      after = disclosures.pageInfo.hasNextPage ? disclosures.pageInfo.endCursor : null;
    } while (after);
    expect(totals).toEqual(totals.map(() => totals[0]));
    expect(listed.length).toBe(totals[0]);
    expect(listed).not.toContain('supervisor-log-reads CREDIT_SUPERVISION');
    // Each page read is one read of the log (the statistics' own reads, of no subject, count in neither).
    expect(await officeRequests(true)).toBe(readsBefore + totals.length);
    expect(await officeRequests(false)).toBe(dataReadsBefore);
  });

  it('records a page read as a read of the disclosure log alone, and one that also read the name as a read of credit data', async () => {
    const groups = async (query: string) => {
      const result = await platform.query(query, { id: enterprise.id }, office);
      const requestId = requestIdOf(result);
      expect(result.errors).toBeUndefined();
      const rows: { field_groups: string }[] = await platform.databases.audit.query('SELECT field_groups FROM audit_entry WHERE request_id = ? AND subject_id = ?', [requestId, enterprise.id]);
      return rows.map((row) => row.field_groups);
    };
    const dataReadsBefore = await officeRequests(false);
    expect(await groups(`query($id: ID!) { subject(id: $id) { id disclosures(first: 1) { edges { node { id } } } } }`)).toEqual(['DISCLOSURE_LOG']);
    expect(await officeRequests(false)).toBe(dataReadsBefore);
    expect(await groups(`query($id: ID!) { subject(id: $id) { name disclosures(first: 1) { edges { node { id } } } } }`)).toEqual(['DISCLOSURE_LOG,SUBJECT_BASICS']);
    expect(await officeRequests(false)).toBe(dataReadsBefore + 1);
    // The credit office reading the trail the other way is a read of the log alike.
    expect(await groups(`query($id: ID!) { auditEntriesBySubject(subjectId: $id, first: 1) { edges { node { id } } } subject(id: $id) { disclosures(first: 1) { edges { node { id } } } } }`)).toEqual(['AUDIT,DISCLOSURE_LOG']);
    expect(await officeRequests(false)).toBe(dataReadsBefore + 1);
  });
});
