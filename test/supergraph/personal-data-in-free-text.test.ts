import type { Caller } from '../../lib/access/identity';
import { todayInDistrict } from '../../lib/calendar';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, supervisor, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

const world = demoWorld({ subjects: 20 });
/** An individual business (个体工商户): its operator, a natural person, is named in what departments write of it. */
const business = world.subjects.find((s) => s.kind === 'INDIVIDUAL_BUSINESS')!;

/** The operator's citizen ID number and mobile number, and both as every masked view shows them. */
const idNumber = '130304198001010012';
const mobile = '13912345678';
const maskedId = '1303**********0012';
const maskedMobile = '139****5678';

const officer = (organisation: string): Caller => ({ id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' });
/** The finance bureau: it files the record, and reads it again in a procurement case. */
const finance: As = { caller: officer('FINANCE'), headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0300' } };
const analyst: As = { caller: { id: 'analyst', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' }, headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' } };
/** Another department in a bidding case: public records, no personal identifiers. */
const bidding: As = { caller: officer('HOUSING_CONSTRUCTION'), headers: { 'x-credit-matter': 'CONSTRUCTION_BIDDING', 'x-credit-case': 'BDH-ZB-2026-0044' } };
/** A department reviewing a qualification, whose purpose grants PERSONAL_IDENTIFIERS. */
const qualification: As = { caller: officer('MARKET_REGULATION'), headers: { 'x-credit-matter': 'QUALIFICATION_REVIEW', 'x-credit-case': 'BDH-ZZ-2026-0012' } };
const itself: As = {
  caller: { id: 'operator', organisation: business.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: business.id },
  headers: { 'x-credit-matter': 'SELF_INQUIRY' },
};

const summary = `经营者高敏（身份证号${idNumber}，电话${mobile}）未按规定开具发票，罚款500元`;
const maskedSummary = `经营者高敏（身份证号${maskedId}，电话${maskedMobile}）未按规定开具发票，罚款500元`;

const RECORDS = /* GraphQL */ `query ($code: String!) { subjectByCode(code: $code) { creditRecords(filter: { polarity: NEGATIVE }) { edges { node { id summary } } } } }`;

// ID numbers and mobile numbers typed into free text are personal identifiers as much as
// `citizenIdNumber` is: masked for a reader whose request does not grant them and who did not
// write the text, and on every generated report; stored as the department filed it.
describe.each(testDatabases)('personal data in free text on $label', (database) => {
  const platform = usePlatform(database, 'free_text', { seedSubjects: world.subjects.length });
  let recordId: string;

  /** The record's summary as `as` reads it, with the id the gateway gave the request. */
  async function summaryRead(as: As): Promise<{ summary: string; requestId: string }> {
    const result = await platform.query<{ subjectByCode: { creditRecords: { edges: { node: { id: string; summary: string } }[] } } }>(RECORDS, { code: business.identifier }, as);
    expect(result.errors).toBeUndefined();
    return { summary: result.data!.subjectByCode.creditRecords.edges.find((e) => e.node.id === recordId)!.node.summary, requestId: requestIdOf(result) };
  }
  const summaryAs = async (as: As) => (await summaryRead(as)).summary;

  beforeAll(async () => {
    const submitted = await platform.query<{ submitCreditRecord: { outcome: string; record: { id: string; summary: string } } }>(
      'mutation ($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome record { id summary } } }',
      { input: { subjectCode: business.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'MINOR', documentNumber: '北戴河财罚〔2026〕901号', decisionDate: todayInDistrict(), summary } },
      { caller: finance.caller },
    );
    expect(submitted.errors).toBeUndefined();
    // The filer is answered what it filed.
    expect(submitted.data?.submitCreditRecord).toMatchObject({ outcome: 'CREATED', record: { summary } });
    recordId = submitted.data!.submitCreditRecord.record.id;
  });

  it('stores a summary as filed, and shows it whole to its filer and under a purpose granting personal identifiers', async () => {
    const [stored] = (await platform.databases.records.query('SELECT summary FROM credit_record WHERE id = ?', [recordId])) as { summary: string }[];
    expect(stored.summary).toBe(summary);
    expect(await summaryAs(finance)).toBe(summary);
    const read = await platform.query<{ submittedCreditRecord: { summary: string } }>('query { submittedCreditRecord(documentNumber: "北戴河财罚〔2026〕901号") { summary } }', {}, { caller: finance.caller });
    expect(read.data?.submittedCreditRecord).toEqual({ summary });
    expect(await summaryAs(itself)).toBe(summary);
    const qualified = await summaryRead(qualification);
    expect(qualified.summary).toBe(summary);
    // Shown whole under the grant, it is audited as the subject's personal identifiers read.
    const [entry] = (await platform.databases.audit.query('SELECT field_groups FROM audit_entry WHERE request_id = ?', [qualified.requestId])) as { field_groups: string }[];
    expect(entry.field_groups.split(',')).toContain('PERSONAL_IDENTIFIERS');
  });

  it('masks ID numbers and mobile numbers in a summary for any other reader', async () => {
    expect(await summaryAs(analyst)).toBe(maskedSummary);
    expect(await summaryAs(bidding)).toBe(maskedSummary);
    expect(await summaryAs(supervisor)).toBe(maskedSummary);
    const byId = await platform.query<{ creditRecord: { summary: string } }>('query ($id: ID!) { creditRecord(id: $id) { summary } }', { id: recordId }, bidding);
    expect(byId.data?.creditRecord).toEqual({ summary: maskedSummary });
  });

  it("masks them in a credit check's copy of the record for a reader without personal identifiers", async () => {
    const checked = await platform.query<{ runCreditCheck: { recordsConsidered: { recordId: string; summary: string }[] } }>(
      'mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { recordsConsidered { recordId summary } } }',
      { input: { subjectId: business.id, matter: 'CONSTRUCTION_BIDDING', caseNumber: 'BDH-ZB-2026-0044' } },
      bidding,
    );
    expect(checked.errors).toBeUndefined();
    expect(checked.data!.runCreditCheck.recordsConsidered).toContainEqual({ recordId, summary: maskedSummary });
  });

  it('masks them on the printable report, even one generated by the filer', async () => {
    const generated = await platform.query<{ generateCreditReport: { printableUrl: string } }>('mutation ($id: ID!) { generateCreditReport(subjectId: $id) { printableUrl } }', { id: business.id }, finance);
    expect(generated.errors).toBeUndefined();
    const page = await fetch(new URL(generated.data!.generateCreditReport.printableUrl, platform.gatewayUrl), { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(maskedSummary);
    expect(html).not.toContain(idNumber);
    expect(html).not.toContain(mobile);
  });

  it("masks them in an objection's and a restoration application's words, and in the record's history, for the credit office", async () => {
    const objected = await platform.query<{ objectToCreditRecord: { id: string; reason: string } }>(
      'mutation ($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { id reason } }',
      { input: { recordId, reason: `发票已补开，联系电话${mobile}` } },
      itself,
    );
    expect(objected.errors).toBeUndefined();
    expect(objected.data?.objectToCreditRecord.reason).toBe(`发票已补开，联系电话${mobile}`);
    const decided = await platform.query('mutation ($input: DecideObjectionInput!) { decideObjection(input: $input) { status } }', { input: { id: objected.data!.objectToCreditRecord.id, decision: 'REJECT', reason: `经核实，经营者${idNumber}补开发票晚于检查之日` } }, { caller: finance.caller });
    expect(decided.errors).toBeUndefined();
    const applied = await platform.query(
      'mutation ($input: ApplyForRestorationInput!) { applyForRestoration(input: $input) { status } }',
      { input: { recordId, correction: `罚款已缴清，经营者身份证号${idNumber}`, evidence: [`缴款凭证（经办人电话${mobile}）`], commitment: `今后按规定开具发票，联系电话${mobile}` } },
      itself,
    );
    expect(applied.errors).toBeUndefined();

    const CASES = /* GraphQL */ `query ($id: ID!) { creditRecord(id: $id) {
      history { kind reason }
      objections { reason decisionReason }
      restorationApplications { correction evidence commitment }
    } }`;
    const office = await platform.query<{ creditRecord: { history: { kind: string; reason: string | null }[]; objections: unknown[]; restorationApplications: unknown[] } }>(CASES, { id: recordId }, supervisor);
    expect(office.errors).toBeUndefined();
    expect(office.data!.creditRecord.objections).toEqual([{ reason: `发票已补开，联系电话${maskedMobile}`, decisionReason: `经核实，经营者${maskedId}补开发票晚于检查之日` }]);
    expect(office.data!.creditRecord.restorationApplications).toEqual([{ correction: `罚款已缴清，经营者身份证号${maskedId}`, evidence: [`缴款凭证（经办人电话${maskedMobile}）`], commitment: `今后按规定开具发票，联系电话${maskedMobile}` }]);
    expect(office.data!.creditRecord.history.find((e) => e.kind === 'OBJECTED')?.reason).toBe(`发票已补开，联系电话${maskedMobile}`);
    expect(JSON.stringify(office.data)).not.toMatch(new RegExp(`${idNumber}|${mobile}`));

    // The subject, whose purpose grants its personal identifiers, reads its own case whole.
    const own = await platform.query<{ creditRecord: { objections: unknown[] } }>(CASES, { id: recordId }, itself);
    expect(own.data!.creditRecord.objections).toEqual([{ reason: `发票已补开，联系电话${mobile}`, decisionReason: `经核实，经营者${idNumber}补开发票晚于检查之日` }]);
  });

  it("masks them in a registered report's case file and in a consent's revocation reason for the credit office", async () => {
    const today = todayInDistrict();
    const registered = await platform.query<{ registerCreditReport: { id: string } }>(
      'mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id } }',
      { input: { subjectId: business.id, source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用河北网站', reportNumber: 'XYHB-FT-000001', issuedOn: today, validUntil: today, verificationCode: 'K7Q2M9TA', documentSha256: 'cd'.repeat(32) } },
      finance,
    );
    expect(registered.errors).toBeUndefined();
    const id = registered.data!.registerCreditReport.id;
    const note = `经电话${mobile}向出具机构核实，报告真实`;
    expect((await platform.query('mutation ($id: ID!, $note: String!) { recordReportVerification(id: $id, genuine: true, note: $note) { id } }', { id, note }, finance)).errors).toBeUndefined();
    const reason = `主体录入错误：应为经营者${idNumber}的另一户`;
    expect((await platform.query('mutation ($id: ID!, $reason: String!) { withdrawCreditReportRegistration(id: $id, reason: $reason) { id } }', { id, reason }, finance)).errors).toBeUndefined();

    const CASE_FILE = 'query ($id: ID!) { creditReport(id: $id) { verificationNote verifications { note } withdrawal { reason } } }';
    const office = await platform.query<{ creditReport: unknown }>(CASE_FILE, { id }, supervisor);
    expect(office.errors).toBeUndefined();
    const maskedNote = `经电话${maskedMobile}向出具机构核实，报告真实`;
    expect(office.data?.creditReport).toEqual({ verificationNote: maskedNote, verifications: [{ note: maskedNote }], withdrawal: { reason: `主体录入错误：应为经营者${maskedId}的另一户` } });
    // The department that wrote them reads them as written.
    expect((await platform.query<{ creditReport: unknown }>(CASE_FILE, { id }, finance)).data?.creditReport).toEqual({ verificationNote: note, verifications: [{ note }], withdrawal: { reason } });

    const granted = await platform.query<{ grantConsent: { id: string } }>(
      'mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }',
      { input: { subjectId: business.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: today } },
      itself,
    );
    expect(granted.errors).toBeUndefined();
    const revoked = await platform.query<{ revokeConsent: { revocationReason: string } }>('mutation ($id: ID!, $reason: String!) { revokeConsent(id: $id, reason: $reason) { revocationReason } }', { id: granted.data!.grantConsent.id, reason: `贷款已结清，联系电话${mobile}` }, itself);
    expect(revoked.data?.revokeConsent).toEqual({ revocationReason: `贷款已结清，联系电话${mobile}` });
    const consent = await platform.query<{ consent: unknown }>('query ($id: ID!) { consent(id: $id) { revocationReason } }', { id: granted.data!.grantConsent.id }, supervisor);
    expect(consent.data?.consent).toEqual({ revocationReason: `贷款已结清，联系电话${maskedMobile}` });
  });
});
