import { citizenIdNumber } from '../../lib/identifiers/citizen-id-number';
import { fieldGroupNames } from '../../lib/access/field-groups';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { consentedBank as bank, usePlatform, supervisor, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * Refused reads are audited against the subject they named or reached, so that the credit office
 * finds them in the subject's trail and counts them, with the field groups that were refused.
 */
const world = demoWorld({ subjects: 40 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
const consented = world.subjects[0];
const other = world.subjects.find((s) => s.id !== consented.id && s.kind !== 'NATURAL_PERSON')!;
const organisations = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON');

const analyst: As = {
  caller: { id: 'analyst', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' },
  headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' },
};
const finance: As = {
  caller: { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0117' },
};
const personnel: As = {
  caller: { id: 'officer-organisation', organisation: 'ORGANISATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'PERSONNEL_REVIEW', 'x-credit-case': 'BDH-RS-2026-0009' },
};
const registryAdmin: As = { caller: { id: 'registrar', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'REGISTRY_ADMIN' } };

interface Row {
  outcome: string;
  subject: string | null;
  groups: string[];
}

describe.each(testDatabases)('refused reads in the audit log on $label', (database) => {
  const platform = usePlatform(database, 'refusals', { seedSubjects: world.subjects.length });

  /** Sends the query and returns the audit entries its request caused. */
  async function audited(as: As, query: string, variables: Record<string, unknown> = {}): Promise<{ denied: Row[]; disclosed: Row[] }> {
    const result = await platform.query(query, variables, as);
    const requestId = requestIdOf(result);
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(expect.arrayContaining(['FORBIDDEN']));
    // What the gateway asked for beside the client's fields, to know the subjects, is not in the answer.
    expect(JSON.stringify(result)).not.toContain('__guarded');
    // Nor the id of a subject a subgraph refused, which is for the audit entry only.
    expect(JSON.stringify(result)).not.toContain('auditedRefusal');
    const rows: { outcome: string; subject_id: string | null; field_groups: string }[] = await platform.databases.audit.query(
      'SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    const entries = rows.map((r) => ({ outcome: r.outcome, subject: r.subject_id, groups: r.field_groups === '' ? [] : r.field_groups.split(',') }));
    for (const entry of entries) expect(fieldGroupNames).toEqual(expect.arrayContaining(entry.groups));
    return { denied: entries.filter((e) => e.outcome === 'DENIED'), disclosed: entries.filter((e) => e.outcome === 'DISCLOSED') };
  }

  it.each([
    ['a literal id', `{ subject(id: "${enterprise.id}") { creditReports { totalCount } } }`, {}],
    ['a variable', `query($id: ID!) { subject(id: $id) { creditReports { totalCount } } }`, { id: enterprise.id }],
    ['a variable, the refused field in a fragment', `query($id: ID!) { subject(id: $id) { ...Reports } } fragment Reports on Subject { creditReports { totalCount } }`, { id: enterprise.id }],
    ['its code, the subject reached', `query($code: String!) { subjectByCode(code: $code) { name creditReports { totalCount } } }`, { code: enterprise.identifier }],
  ])('audits a field refused by the grants against its subject, named by %s', async (_label, query, variables) => {
    const { denied } = await audited(analyst, query, variables);
    expect(denied).toEqual([{ outcome: 'DENIED', subject: enterprise.id, groups: ['REPORTS'] }]);
  });

  it('audits a field refused in a list against each subject the list reached', async () => {
    const { denied, disclosed } = await audited(analyst, `{ searchSubjects(name: "北戴河区", first: 50) { edges { node { name creditReports { totalCount } } } } }`);
    expect(disclosed.map((e) => e.subject).sort()).toEqual(organisations.map((s) => s.id).sort());
    expect(denied.map((e) => e.subject).sort()).toEqual(organisations.map((s) => s.id).sort());
    for (const entry of denied) expect(entry.groups).toEqual(['REPORTS']);
  });

  it.each([
    ['a purpose for organisations reading a natural person', finance, person.id],
    ['a bank reading a subject outside its consent', bank, other.id],
  ])('audits a subject a subgraph refused (%s) against that subject, with the groups asked for', async (_label, as, subjectId) => {
    const { denied, disclosed } = await audited(as, `query($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } }`, { id: subjectId });
    expect(disclosed).toEqual([]);
    expect(denied).toEqual([{ outcome: 'DENIED', subject: subjectId, groups: ['PUBLIC_RECORDS', 'SUBJECT_BASICS'] }]);
  });

  it('audits a mutation refused by the grants against the subject of its input', async () => {
    const { denied } = await audited(analyst, `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { verdict } }`, {
      input: { subjectId: enterprise.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'X-1' },
    });
    expect(denied).toEqual([{ outcome: 'DENIED', subject: enterprise.id, groups: ['CREDIT_CHECK'] }]);
  });

  it('names no subject where none is known, and never takes the id of something else for one', async () => {
    const [record] = await platform.databases.records.query('SELECT id FROM credit_record WHERE subject_id = ? LIMIT 1', [enterprise.id]);
    const byRecord = await audited(registryAdmin, `query($id: ID!) { creditRecord(id: $id) { summary } }`, { id: record.id });
    expect(byRecord.denied).toEqual([{ outcome: 'DENIED', subject: null, groups: ['PUBLIC_RECORDS'] }]);
    // A code no subject has: refused to a consent-scoped caller as another subject would be, about nobody.
    const unknown = await audited(bank, `query($code: String!) { subjectByCode(code: $code) { name } }`, { code: '91130304MA0TEXT12Y' });
    expect(unknown.denied).toEqual([{ outcome: 'DENIED', subject: null, groups: ['SUBJECT_BASICS'] }]);
  });

  // From a probe: the bank's refusals of a report issuer's file stood in the report's subject's trail.
  it("audits what is refused of a provider reached through a subject (a report's issuer) about no subject, as when the provider is asked for directly, and the subject's own refusals in its trail", async () => {
    const file = 'violations { id } filingHistory { actor }';
    const throughReports = `query($id: ID!) { subject(id: $id) { creditReports { edges { node { registeredBy issuer { id ${file} } } } } } }`;
    const answer = await platform.query<{ subject: { creditReports: { edges: { node: { issuer: { id: string } | null } }[] } } }>(throughReports, { id: consented.id }, bank);
    const issuer = answer.data!.subject.creditReports.edges.map((e) => e.node.issuer).find(Boolean)!;
    expect(issuer).toBeDefined();
    const providerFile = { outcome: 'DENIED', subject: null, groups: ['PROVIDER_ADMINISTRATION', 'PROVIDER_SUPERVISION_FILE'] };

    const through = await audited(bank, throughReports, { id: consented.id });
    expect(through.denied).toHaveLength(2);
    expect(through.denied).toEqual(expect.arrayContaining([{ outcome: 'DENIED', subject: consented.id, groups: ['AUDIT'] }, providerFile]));
    const direct = await audited(bank, `query($id: ID!) { creditServiceProvider(id: $id) { ${file} } }`, { id: issuer.id });
    expect(direct.denied).toEqual([providerFile]);

    // The reports the issuer issued are other subjects' as much as this one's: refused about none.
    const issued = await audited(bank, `query($id: ID!) { subject(id: $id) { creditReports { edges { node { issuer { issuedReports { edges { node { grade } } } } } } } } }`, { id: consented.id });
    expect(issued.denied).toEqual([{ outcome: 'DENIED', subject: null, groups: ['PROVIDER_ADMINISTRATION', 'REPORTS'] }]);

    // A subject refused whole keeps what was asked of it in its trail; what was asked of an issuer's file beneath it is the provider's.
    const outside = await audited(bank, `query($id: ID!) { subject(id: $id) { name creditReports { edges { node { issuer { sanctions { kind } } } } } } }`, { id: other.id });
    expect(outside.denied).toHaveLength(2);
    expect(outside.denied).toEqual(expect.arrayContaining([{ outcome: 'DENIED', subject: other.id, groups: ['REPORTS', 'SUBJECT_BASICS'] }, { outcome: 'DENIED', subject: null, groups: ['PROVIDER_SUPERVISION_FILE'] }]));
  });

  it("audits what is not a subject's id as about nobody, and answers the other requests sharing its audit write", async () => {
    const self: As = {
      caller: { id: 'self-user', organisation: enterprise.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: enterprise.id },
      headers: { 'x-credit-matter': 'SELF_INQUIRY' },
    };
    const grant = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`;
    const input = { subjectId: 'x'.repeat(40), granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: '2099-01-01' };
    const { denied } = await audited(self, grant, { input });
    expect(denied).toEqual([{ outcome: 'DENIED', subject: null, groups: ['CONSENT_REGISTRATION'] }]);

    // Sent among other callers' reads, whose entries share the audit log's writes with its own.
    const reads = Array.from({ length: 12 }, () => platform.query(`query($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id }, finance));
    const refused = Array.from({ length: 4 }, () => platform.query(grant, { input }, self));
    const answers = await Promise.all([...reads, ...refused]);
    expect(answers.slice(0, 12).map((a) => a.errors ?? a.data)).toEqual(Array(12).fill({ subject: { name: enterprise.name } }));
    expect(answers.slice(12).map((a) => a.errors?.map((e) => e.extensions?.code))).toEqual(Array(4).fill(['FORBIDDEN']));
  });

  it.each([
    ['a purpose for organisations reading a natural person', finance, person, 'SUBJECT_KIND_NOT_COVERED', citizenIdNumber({ division: '130304', birthDate: '19800101', sequence: '999' })],
    ['a purpose for natural persons reading an organisation', personnel, enterprise, 'SUBJECT_KIND_NOT_COVERED', '914403001922038216'],
    ['a bank reading a subject outside its consent', bank, other, 'OUTSIDE_SUBJECT_SCOPE', '91130304MA0TEXT12Y'],
  ])("audits a subject a subgraph refused by its code (%s) against that subject, and tells the caller nothing of it", async (_label, as, subject, problem, unknownCode) => {
    const query = `query($code: String!) { subjectByCode(code: $code) { name } }`;
    const { denied, disclosed } = await audited(as, query, { code: subject.identifier });
    expect(disclosed).toEqual([]);
    expect(denied).toEqual([{ outcome: 'DENIED', subject: subject.id, groups: ['SUBJECT_BASICS'] }]);
    // The caller's answer is the same as for a code no subject has, but for the message.
    const answer = await platform.query(query, { code: subject.identifier }, as);
    expect(JSON.stringify(answer)).not.toContain(subject.id);
    expect(answer.errors?.map((e) => ({ path: e.path, extensions: e.extensions }))).toEqual([{ path: ['subjectByCode'], extensions: { code: 'FORBIDDEN', problem, serviceName: 'entities' } }]);
    const unknown = await platform.query(query, { code: unknownCode }, as);
    expect(unknown.errors?.map((e) => e.extensions)).toEqual(answer.errors?.map((e) => e.extensions));
  });

  it('audits a record the records subgraph refused by its row (its category, its lifecycle) against its subject, with the groups withheld', async () => {
    // An organisation's listing that still counts (any row would do only by the order the database
    // happens to return: an expired one, or a person's, is refused otherwise).
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const listings = (await platform.databases.records.query(
      'SELECT id, subject_id FROM credit_record WHERE category = ? AND status = ? AND (disclosure_ends_at IS NULL OR disclosure_ends_at >= ?) ORDER BY id',
      ['SERIOUS_DISHONESTY_LIST', 'ACTIVE', today],
    )) as { id: string; subject_id: string }[];
    const listed = listings.find((l) => organisations.some((s) => s.id === l.subject_id))!;
    expect(listed).toBeDefined();
    // The analyst's purpose reads public records, not the dishonesty lists.
    const { denied, disclosed } = await audited(analyst, `query($id: ID!) { creditRecord(id: $id) { summary } }`, { id: listed.id });
    expect(disclosed).toEqual([]);
    expect(denied).toEqual([{ outcome: 'DENIED', subject: listed.subject_id, groups: expect.arrayContaining(['DISHONESTY_LISTS']) }]);
    // Another department reads an organisation's penalty but not its history, which is its subject's, its source department's and the credit office's.
    const penalties = (await platform.databases.records.query(
      'SELECT id, subject_id FROM credit_record WHERE category = ? AND status = ? AND source_department <> ? AND (disclosure_ends_at IS NULL OR disclosure_ends_at >= ?)',
      ['ADMINISTRATIVE_PENALTY', 'ACTIVE', 'FINANCE', today],
    )) as { id: string; subject_id: string }[];
    const penalty = penalties.find((p) => organisations.some((s) => s.id === p.subject_id))!;
    const history = await audited(finance, `query($id: ID!) { creditRecord(id: $id) { summary history { kind } } }`, { id: penalty.id });
    expect(history.denied).toEqual([{ outcome: 'DENIED', subject: penalty.subject_id, groups: ['RECORD_HISTORY'] }]);
  });

  it("shows the credit office a refusal in the subject's trail and in the statistics", async () => {
    const from = new Date(Date.now() - 1).toISOString();
    await audited(finance, `query($id: ID!) { subject(id: $id) { name } }`, { id: person.id });
    const to = new Date(Date.now() + 1000).toISOString();
    const result = await platform.query<{
      auditEntriesBySubject: { edges: { node: { outcome: string; organisation: string; fieldGroups: string[] } }[] };
      auditStatistics: { organisation: string; matter: string | null; disclosed: number; denied: number; subjects: number }[];
    }>(
      `query($id: ID!, $from: DateTime!, $to: DateTime!) {
        auditEntriesBySubject(subjectId: $id, first: 100) { edges { node { outcome organisation fieldGroups } } }
        auditStatistics(from: $from, to: $to, organisation: "FINANCE") { organisation matter disclosed denied subjects }
      }`,
      { id: person.id, from, to },
      supervisor,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.auditEntriesBySubject.edges.map((e) => e.node)).toContainEqual({ outcome: 'DENIED', organisation: 'FINANCE', fieldGroups: ['SUBJECT_BASICS'] });
    expect(result.data?.auditStatistics).toEqual([{ organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', disclosed: 0, denied: 1, subjects: 1 }]);
  });

  it('counts a search that disclosed many subjects as one request', async () => {
    const from = new Date(Date.now() - 1).toISOString();
    const { disclosed } = await audited(analyst, `{ searchSubjects(name: "北戴河区", first: 50) { edges { node { name creditReports { totalCount } } } } }`);
    const to = new Date(Date.now() + 1000).toISOString();
    const result = await platform.query<{ auditStatistics: unknown[] }>(
      `query($from: DateTime!, $to: DateTime!) { auditStatistics(from: $from, to: $to, organisation: "DEVELOPMENT_REFORM") { organisation matter disclosed denied subjects } }`,
      { from, to },
      supervisor,
    );
    expect(disclosed.length).toBeGreaterThan(1);
    expect(result.data?.auditStatistics).toEqual([{ organisation: 'DEVELOPMENT_REFORM', matter: 'STATISTICAL_ANALYSIS', disclosed: 1, denied: 1, subjects: disclosed.length }]);
  });
});
