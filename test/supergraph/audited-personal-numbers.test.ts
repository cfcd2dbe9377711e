import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { supervisor, usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * What a request types, its operation's name and its purpose headers, is kept in the audit log
 * and shown to the audit's readers, and a read's matter and case to the subject read: a citizen ID
 * number or a mobile number typed into them (a case named after the person it is about) is kept
 * masked, as the audit shows a person who read (1303**********0019), not whole to every reader.
 */
const world = demoWorld({ subjects: 8 });
const self = demoCallers(world).find((c) => c.caller.subjectId && world.subjects.find((s) => s.id === c.caller.subjectId)?.kind === 'ENTERPRISE')!;
const enterprise = world.subjects.find((s) => s.id === self.caller.subjectId)!;
const finance: As['caller'] = { id: 'officer-personal-numbers', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const namedCase = '徐志强130304197304130019投诉件';
const maskedCase = '徐志强1303**********0019投诉件';
/** A header's text as a client sends it: its UTF-8 bytes (fetch takes a header value as Latin-1). */
const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

interface Entry {
  outcome: string;
  matter: string | null;
  case_number: string | null;
  operation_name: string | null;
}

describe.each(testDatabases)('ID and mobile numbers typed into what the audit keeps on $label', (database) => {
  const platform = usePlatform(database, 'auditednumbers', { seedSubjects: world.subjects.length });
  const entriesOf = (requestId: string): Promise<Entry[]> =>
    platform.databases.audit.query('SELECT outcome, matter, case_number, operation_name FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId]);

  it('keeps them masked in the operation name and case number, shown so to the credit office and to the subject read, and finds the case by its number as typed', async () => {
    const read = await platform.query(`query Check130304196610130063($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id }, {
      caller: finance,
      headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': utf8Bytes(namedCase) },
    });
    expect(read.errors).toBeUndefined();
    const requestId = requestIdOf(read);
    expect(await entriesOf(requestId)).toEqual([{ outcome: 'DISCLOSED', matter: 'GOVERNMENT_PROCUREMENT', case_number: maskedCase, operation_name: 'Check1303**********0063' }]);

    const own = await platform.query<{ viewer: { subject: { disclosures: { edges: { node: { organisation: string; caseNumber: string | null } }[] } } } }>(
      `query { viewer { subject { disclosures(first: 100) { edges { node { organisation caseNumber } } } } } }`,
      {},
      { caller: self.caller, headers: self.headers },
    );
    expect(own.errors).toBeUndefined();
    expect(own.data!.viewer.subject.disclosures.edges.map((e) => e.node)).toContainEqual({ organisation: 'FINANCE', caseNumber: maskedCase });
    expect(JSON.stringify(own.data)).not.toContain('130304197304130019');

    const trail = await platform.query<{ auditEntriesBySubject: { edges: { node: { operationName: string | null; caseNumber: string | null; requestId: string } }[] } }>(
      `query($id: ID!) { auditEntriesBySubject(subjectId: $id, first: 100) { edges { node { operationName caseNumber requestId } } } }`,
      { id: enterprise.id },
      supervisor,
    );
    expect(trail.errors).toBeUndefined();
    expect(trail.data!.auditEntriesBySubject.edges.map((e) => e.node).filter((n) => n.requestId === requestId)).toEqual([{ operationName: 'Check1303**********0063', caseNumber: maskedCase, requestId }]);

    // The credit office looks the case up by the number the department's file holds.
    const byCase = await platform.query<{ auditEntriesByOrganisation: { totalCount: number } }>(
      `query($case: String!) { auditEntriesByOrganisation(organisation: "FINANCE", filter: { caseNumber: $case }) { totalCount } }`,
      { case: namedCase },
      supervisor,
    );
    expect(byCase.errors).toBeUndefined();
    expect(byCase.data!.auditEntriesByOrganisation.totalCount).toBe(1);
  });

  it('keeps them masked in a matter outside the catalogue, and in a malformed request’s readable purpose', async () => {
    const unknown = await platform.query(`query($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id }, { caller: finance, headers: { 'x-credit-matter': '130304197304130019' } });
    const refused = await entriesOf(requestIdOf(unknown));
    expect(refused.length).toBeGreaterThan(0);
    for (const entry of refused) expect(entry).toMatchObject({ outcome: 'DENIED', matter: '1303**********0019' });

    // Refused for its case header, too long: audited under the matter that could be read.
    const malformed = await platform.query(`query($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id }, {
      caller: finance,
      headers: { 'x-credit-matter': 'tel/138/1234/5678', 'x-credit-case': 'x'.repeat(101) },
    });
    expect(await entriesOf(requestIdOf(malformed))).toEqual([expect.objectContaining({ outcome: 'DENIED', matter: 'tel/138****5678', case_number: null })]);
  });
});
