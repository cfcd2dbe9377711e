import { randomUUID } from 'node:crypto';
import { fieldGroupNames } from '../../../lib/access/field-groups';
import { identityHeader, signIdentity } from '../../../lib/access/identity';
import { demoWorld } from '../../../scripts/demo/world';
import { testDatabases } from '../../helpers/databases';
import { usePlatform, supervisor, type As } from '../../helpers/platform';
import { requestIdOf } from '../../helpers/graphql';

const world = demoWorld({ subjects: 60 });

/** A finance bureau officer deciding a procurement case. */
const procurementOfficer: As = {
  caller: { id: 'officer-gateway', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0200' },
};

interface ReportNode {
  id: string;
  source: string;
  reportNumber: string;
  acceptance: { accepted: boolean; reasons: string[] };
}

describe.each(testDatabases)('credit reports through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'reports_gateway', { seedSubjects: world.subjects.length });
  async function reportsOf(index: number): Promise<ReportNode[]> {
    const result = await platform.query<{ subject: { creditReports: { edges: { node: ReportNode }[] } } }>(
      'query ($id: ID!) { subject(id: $id) { creditReports(first: 50) { edges { node { id source reportNumber acceptance { accepted reasons } } } } } }',
      { id: world.subjects[index].id },
      supervisor,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.subject.creditReports.edges.map((e) => e.node);
  }

  it('marks each report with whether a check may rely on it, judging third-party issuers by their history (federated @requires)', async () => {
    expect((await reportsOf(0)).map((r) => r.acceptance)).toEqual([{ accepted: true, reasons: [] }]);
    expect((await reportsOf(7)).map((r) => r.acceptance)).toEqual([{ accepted: false, reasons: ['EXPIRED'] }]);
    // world.providers[11] was revoked (and downgraded to class D) after issuing subject 8's report; [10] is suspended since after issuing subject 10's.
    expect((await reportsOf(8)).map((r) => r.acceptance)).toEqual([{ accepted: false, reasons: ['ISSUER_REVOKED', 'ISSUER_CLASS_D'] }]);
    expect((await reportsOf(10)).map((r) => r.acceptance)).toEqual([{ accepted: false, reasons: ['ISSUER_SUSPENDED'] }]);
    expect((await reportsOf(9)).map((r) => r.acceptance)).toEqual([{ accepted: true, reasons: [] }]);
  });

  it('shows a report an officer found not genuine as not accepted', async () => {
    const [row] = (await platform.databases.reports.query("SELECT id FROM credit_report WHERE verification_outcome = 'NOT_GENUINE'")) as { id: string }[];
    const result = await platform.query<{ creditReport: { verificationStatus: string; acceptance: { reasons: string[] } } }>(
      'query ($id: ID!) { creditReport(id: $id) { verificationStatus acceptance { reasons } } }',
      { id: row.id },
      supervisor,
    );
    expect(result.data?.creditReport).toMatchObject({ verificationStatus: 'NOT_GENUINE', acceptance: { reasons: expect.arrayContaining(['NOT_GENUINE']) } });
  });

  it('judges the issuers of one subject\'s and of 40 subjects\' reports with the same statements in the providers subgraph', async () => {
    const selects = (query: string, variables: Record<string, unknown>) =>
      platform.sql.providers.selectsDuring(async () => expect((await platform.query(query, variables, supervisor)).errors).toBeUndefined());
    const reportsField = 'creditReports(first: 10) { edges { node { source acceptance { accepted } } } }';
    // Subject 0 has one third-party report; 40 organisations have several, from many providers.
    const one = await selects(`query ($id: ID!) { subject(id: $id) { ${reportsField} } }`, { id: world.subjects[0].id });
    const forty = await selects(`query { searchSubjects(name: "北戴河区", first: 40) { edges { node { ${reportsField} } } } }`, {});
    // The provider rows, their filing events, their class changes and the false information found: one statement each per batch.
    expect(one).toBe(4);
    expect(forty).toBe(one);
  });

  it('generates a report for a procurement case, audits what it disclosed, and verifies it for anyone', async () => {
    const subject = world.subjects[2];
    const result = await platform.query<{ generateCreditReport: { id: string; reportNumber: string; verificationCode: string; printableUrl: string; acceptance: { accepted: boolean } } }>(
      'mutation ($id: ID!) { generateCreditReport(subjectId: $id) { id reportNumber verificationCode printableUrl acceptance { accepted } } }',
      { id: subject.id },
      procurementOfficer,
    );
    expect(result.errors).toBeUndefined();
    const report = result.data!.generateCreditReport;
    expect(report.acceptance).toEqual({ accepted: true });
    const audit = (await platform.databases.audit.query('SELECT field_groups, case_number, outcome FROM audit_entry WHERE subject_id = ? AND actor = ?', [subject.id, 'officer-gateway'])) as { field_groups: string; case_number: string; outcome: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ case_number: 'BDH-CG-2026-0200', outcome: 'DISCLOSED' });
    expect(audit[0].field_groups.split(',')).toEqual(expect.arrayContaining(['REPORT_GENERATION', 'SUBJECT_BASICS', 'PUBLIC_RECORDS']));

    // No token at all: the verify query is public.
    const verified = await platform.query<{ verifyCreditReport: unknown }>(
      'query ($n: String!, $c: String!) { verifyCreditReport(reportNumber: $n, verificationCode: $c) { genuine subjectName } }',
      { n: report.reportNumber, c: report.verificationCode },
    );
    expect(verified.data?.verifyCreditReport).toEqual({ genuine: true, subjectName: subject.name });

    const page = await fetch(new URL(report.printableUrl, platform.gatewayUrl), { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(subject.name);
    const views = (await platform.databases.audit.query('SELECT actor, subject_id, outcome FROM audit_entry WHERE request_id = ?', [requestIdOf(page)])) as unknown[];
    expect(views).toEqual([{ actor: 'anonymous', subject_id: subject.id, outcome: 'DISCLOSED' }]);
  });

  it('keeps a serious-dishonesty listing under objection in the report, marked, as the check still counts it', async () => {
    const subject = world.subjects[3];
    const listed = await platform.query<{ subject: { creditRecords: { edges: { node: { id: string; documentNumber: string } }[] } } }>(
      'query ($id: ID!) { subject(id: $id) { creditRecords(filter: { categories: [SERIOUS_DISHONESTY_LIST] }) { edges { node { id documentNumber } } } } }',
      { id: subject.id },
      supervisor,
    );
    expect(listed.errors).toBeUndefined();
    const [{ node: listing }] = listed.data!.subject.creditRecords.edges;
    // The listed enterprise objects itself: filing an objection must not take it off the list.
    const itself: As = {
      caller: { id: 'self-listed', organisation: subject.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id },
      headers: { 'x-credit-matter': 'SELF_INQUIRY' },
    };
    const objected = await platform.query('mutation ($id: ID!) { objectToCreditRecord(input: { recordId: $id, reason: "欠薪已于列入名单前结清，申请核实" }) { status } }', { id: listing.id }, itself);
    expect(objected.errors).toBeUndefined();

    const checked = await platform.query<{ runCreditCheck: { verdict: string; recordsConsidered: { recordId: string; underObjection: boolean }[] } }>(
      'mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { verdict recordsConsidered { recordId underObjection } } }',
      { input: { subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0200' } },
      procurementOfficer,
    );
    expect(checked.errors).toBeUndefined();
    const check = checked.data!.runCreditCheck;
    expect(check.verdict).toBe('EXCLUDED');
    expect(check.recordsConsidered).toContainEqual({ recordId: listing.id, underObjection: true });

    const generated = await platform.query<{ generateCreditReport: { printableUrl: string; acceptance: { accepted: boolean }; sections: { code: string; entryCount: number; underObjectionCount: number }[] } }>(
      'mutation ($id: ID!) { generateCreditReport(subjectId: $id) { printableUrl acceptance { accepted } sections { code entryCount underObjectionCount } } }',
      { id: subject.id },
      procurementOfficer,
    );
    expect(generated.errors).toBeUndefined();
    const report = generated.data!.generateCreditReport;
    expect(report.acceptance).toEqual({ accepted: true });
    expect(report.sections.find((s) => s.code === 'SERIOUS_DISHONESTY')).toEqual({ code: 'SERIOUS_DISHONESTY', entryCount: 1, underObjectionCount: 1 });
    expect(report.sections.reduce((sum, s) => sum + s.entryCount, 0)).toBe(check.recordsConsidered.length);
    const page = await (await fetch(new URL(report.printableUrl, platform.gatewayUrl), { signal: AbortSignal.timeout(10_000) })).text();
    expect(page.split('</tr>').find((row) => row.includes(listing.documentNumber))).toContain('异议处理中');
  });

  it("serves the printable page to the gateway only: straight from the reports subgraph it is refused, whatever identity is sent", async () => {
    const subject = world.subjects[3];
    const generated = await platform.query<{ generateCreditReport: { printableUrl: string } }>('mutation ($id: ID!) { generateCreditReport(subjectId: $id) { printableUrl } }', { id: subject.id }, procurementOfficer);
    expect(generated.errors).toBeUndefined();
    const direct = new URL(generated.data!.generateCreditReport.printableUrl, platform.subgraphs.reports.url);
    const unsigned = await fetch(direct, { signal: AbortSignal.timeout(10_000) });
    expect(unsigned.status).toBe(401);
    const unsignedPage = await unsigned.text();
    expect(unsignedPage).not.toContain(subject.name);
    expect(unsignedPage).toContain('through the gateway');
    // A gateway-signed identity of a caller (every field group a purpose can give) is not the gateway's own.
    const officer = await signIdentity({ caller: procurementOfficer.caller!, purpose: { matter: 'CREDIT_SUPERVISION' }, grants: fieldGroupNames.filter((g) => g !== 'REPORT_PRINTING'), scope: {} }, platform.secrets.signing);
    const asOfficer = await fetch(direct, { headers: { [identityHeader]: officer }, signal: AbortSignal.timeout(10_000) });
    expect(asOfficer.status).toBe(401);
    expect(await asOfficer.text()).not.toContain(subject.name);
    // Signed with another key: refused too.
    const forged = await signIdentity({ caller: null, purpose: null, grants: ['REPORT_PRINTING'], scope: {} }, new Uint8Array(32));
    expect((await fetch(direct, { headers: { [identityHeader]: forged }, signal: AbortSignal.timeout(10_000) })).status).toBe(401);
    // Through the gateway, the same page.
    const viaGateway = await fetch(new URL(generated.data!.generateCreditReport.printableUrl, platform.gatewayUrl), { signal: AbortSignal.timeout(10_000) });
    expect(viaGateway.status).toBe(200);
    expect(await viaGateway.text()).toContain(subject.name);
  });

  it("masks a natural person's citizen ID number and address in the report, even for a purpose that may read them", async () => {
    const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
    const personnel: As = {
      caller: { id: 'officer-personnel', organisation: 'ORGANISATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
      headers: { 'x-credit-matter': 'PERSONNEL_REVIEW', 'x-credit-case': 'BDH-RS-2026-0001' },
    };
    const read = await platform.query<{ subject: { citizenIdNumber: string; registeredAddress: string | null } }>('query ($id: ID!) { subject(id: $id) { citizenIdNumber registeredAddress } }', { id: person.id }, personnel);
    expect(read.errors).toBeUndefined();
    const { citizenIdNumber, registeredAddress } = read.data!.subject;
    expect(citizenIdNumber).toMatch(/^\d{17}[\dX]$/);
    const generated = await platform.query<{ generateCreditReport: { printableUrl: string } }>('mutation ($id: ID!) { generateCreditReport(subjectId: $id) { printableUrl } }', { id: person.id }, personnel);
    expect(generated.errors).toBeUndefined();
    const response = await fetch(new URL(generated.data!.generateCreditReport.printableUrl, platform.gatewayUrl), { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(person.name);
    expect(page).toContain(`${citizenIdNumber.slice(0, 4)}**********${citizenIdNumber.slice(14)}`);
    expect(page).not.toContain(citizenIdNumber);
    if (registeredAddress) expect(page).not.toContain(registeredAddress);
  });

  it('refuses generation to an officer who names no matter', async () => {
    const result = await platform.query('mutation ($id: ID!) { generateCreditReport(subjectId: $id) { id } }', { id: world.subjects[2].id }, { caller: procurementOfficer.caller });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("answers a registration the entities subgraph refused as the reports subgraph's own refusal, audited against the subject", async () => {
    // Construction bidding covers organisations; the subject's kind is checked in the entities subgraph.
    const housing: As = {
      caller: { id: 'officer-housing', organisation: 'HOUSING_CONSTRUCTION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
      headers: { 'x-credit-matter': 'CONSTRUCTION_BIDDING', 'x-credit-case': 'BDH-JS-2026-0031' },
    };
    const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
    const input = { subjectId: person.id, source: 'CREDIT_CHINA', reportNumber: 'XYZG-2026-P000001', issuedOn: '2026-10-30', validUntil: '2027-01-27', verificationCode: 'K7Q2M9TA', documentSha256: 'ab'.repeat(32) };
    const result = await platform.query('mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id } }', { input }, housing);
    expect(result.data).toEqual({ registerCreditReport: null });
    expect(result.errors?.map((e) => [e.message, e.extensions])).toEqual([
      ['the purpose of this request does not cover subjects of kind NATURAL_PERSON', { code: 'FORBIDDEN', problem: 'SUBJECT_KIND_NOT_COVERED', serviceName: 'reports' }],
    ]);
    const audit = (await platform.databases.audit.query('SELECT subject_id, outcome FROM audit_entry WHERE request_id = ?', [requestIdOf(result)])) as unknown[];
    expect(audit).toEqual([{ subject_id: person.id, outcome: 'DENIED' }]);
  });

  // The gateway passes ISSUER_STANDING_UNKNOWN on, so it is in the client schema (not @inaccessible):
  // the registry answers no provider of an issuer id a report names once the providers database is
  // restored from a backup older than the report, as a department's check then reads it too.
  it('says ISSUER_STANDING_UNKNOWN, through the gateway, of a third-party report whose issuer the provider registry does not hold, in its acceptance and in a check', async () => {
    const used = new Set([0, 2, 3, 7, 8, 9, 10].map((i) => world.subjects[i].id));
    const organisations = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON' && !used.has(s.id)).map((s) => s.id);
    const rows = (await platform.databases.reports.query(
      `SELECT id, subject_id AS subjectId, report_number AS reportNumber FROM credit_report WHERE source = 'THIRD_PARTY_PROVIDER' AND withdrawn_at IS NULL AND subject_id IN (${organisations.map(() => '?').join(', ')}) ORDER BY id`,
      organisations,
    )) as { id: string; subjectId: string; reportNumber: string }[];
    const report = rows[0];
    await platform.databases.reports.query('UPDATE credit_report SET issuer_provider_id = ? WHERE id = ?', [randomUUID(), report.id]);

    const read = await platform.query<{ creditReport: { acceptance: { accepted: boolean; reasons: string[] } } }>('query ($id: ID!) { creditReport(id: $id) { acceptance { accepted reasons } } }', { id: report.id }, supervisor);
    expect(read.errors).toBeUndefined();
    expect(read.data?.creditReport.acceptance).toEqual({ accepted: false, reasons: expect.arrayContaining(['ISSUER_STANDING_UNKNOWN']) });

    const checked = await platform.query<{ runCreditCheck: { reportRequirement: { considered: { reportNumber: string; reasons: string[] }[] } } }>(
      'mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { reportRequirement { considered { reportNumber reasons } } } }',
      { input: { subjectId: report.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0200' } },
      procurementOfficer,
    );
    expect(checked.errors).toBeUndefined();
    expect(checked.data?.runCreditCheck.reportRequirement.considered).toContainEqual({ reportNumber: report.reportNumber, reasons: expect.arrayContaining(['ISSUER_STANDING_UNKNOWN']) });
  });

  // Last: it stops the providers subgraph.
  it('answers no acceptance for a third-party report while the provider registry cannot be asked, and says why', async () => {
    await platform.subgraphs.providers.stop();
    const result = await platform.query<{ subject: { creditReports: { edges: { node: ReportNode }[] } } }>(
      'query ($id: ID!) { subject(id: $id) { creditReports(first: 50) { edges { node { id source reportNumber acceptance { accepted reasons } } } } } }',
      { id: world.subjects[0].id },
      supervisor,
    );
    // The gateway cannot get the issuer's standing, so it never asks for the verdict: null, never "accepted".
    expect(result.data?.subject.creditReports.edges.map((e) => e.node.acceptance)).toEqual([null]);
    expect(result.errors?.[0].extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'UNREACHABLE', serviceName: 'providers', retryAfterSeconds: 5 });
  });
});
