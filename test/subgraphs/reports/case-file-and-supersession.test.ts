import { addDays, todayInDistrict } from '../../../lib/calendar';
import { demoWorld } from '../../../scripts/demo/world';
import { daysAgo } from '../../helpers/clock';
import { testDatabases } from '../../helpers/databases';
import { consentedBank as bank, supervisor, usePlatform, type As } from '../../helpers/platform';
import { requestIdOf } from '../../helpers/graphql';

/**
 * A: who generated or registered a report, for which case, and what checking it found (查询记录)
 * is shown only to that department, the subject and the credit office; the printable page, served
 * to whoever holds its number and code, prints none of it.
 * B: a platform report holding a record that no longer stands as it holds it (withdrawn,
 * restored, past its disclosure period by the calendar alone, corrected by its department, objected
 * to since, or its objection decided since) is no longer accepted, no check relies on it, and its
 * page is not shown; nor is the page of a report past its own validity. "Now" is moved with a fake
 * Date (the whole platform runs in this process): a report is generated as of an earlier day, then
 * read today.
 */
const world = demoWorld({ subjects: 60 });

const procurement = (caseNumber: string): As => ({
  caller: { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': caseNumber },
});
const personnel: As = {
  caller: { id: 'officer-personnel', organisation: 'ORGANISATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'PERSONNEL_REVIEW', 'x-credit-case': 'R3-ZZ-1' },
};
const taxOfficer: As = {
  caller: { id: 'officer-tax', organisation: 'TAXATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'TAX_INCENTIVES', 'x-credit-case': 'SW-2026-9' },
};

interface Node {
  id: string;
  source: string;
  registeredByOrganisation: string | null;
  printableUrl: string | null;
  verificationNote: string | null;
  verifications: { organisation: string | null; note: string | null }[];
}

const READ = 'query ($id: ID!) { subject(id: $id) { creditReports(first: 50) { edges { node { id source registeredByOrganisation printableUrl verificationNote verifications { organisation note } } } } } }';

describe.each(testDatabases)('report case files and superseded platform reports on $label', (database) => {
  const platform = usePlatform(database, 'rep_casefile', { seedSubjects: world.subjects.length });

  async function reportsAs(as: As, subjectId: string): Promise<Node[]> {
    const result = await platform.query<{ subject: { creditReports: { edges: { node: Node }[] } } }>(READ, { id: subjectId }, as);
    expect(result.errors).toBeUndefined();
    return result.data!.subject.creditReports.edges.map((e) => e.node);
  }

  async function generate(as: As, subjectId: string): Promise<{ id: string; reportNumber: string; printableUrl: string }> {
    const result = await platform.query<{ generateCreditReport: { id: string; reportNumber: string; printableUrl: string } }>(
      'mutation ($id: ID!) { generateCreditReport(subjectId: $id) { id reportNumber printableUrl } }',
      { id: subjectId },
      as,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.generateCreditReport;
  }

  /** A printable page, with the id the gateway gave its request. */
  const page = async (path: string) => {
    const response = await fetch(new URL(path, platform.gatewayUrl), { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, text: await response.text(), requestId: requestIdOf(response) };
  };

  it('shows who generated or registered a report, and what checking it found, only to that department, the subject and the credit office', async () => {
    const subject = world.subjects[0];
    const generator = subject.kind === 'NATURAL_PERSON' ? personnel : procurement('R3-ZZ-1');
    const organisation = generator.caller!.organisation;
    const generated = await generate(generator, subject.id);
    // A finding on one of its registered reports, by the credit office.
    const registered = (await reportsAs(supervisor, subject.id)).find((r) => r.source !== 'DISTRICT_PLATFORM')!;
    expect(registered).toBeDefined();
    const found = await platform.query('mutation ($id: ID!) { recordReportVerification(id: $id, genuine: true, note: "R3-ZZ-1 案卷核验：与出具机构回函一致") { id } }', { id: registered.id }, supervisor);
    expect(found.errors).toBeUndefined();

    // The bank reads the subject's reports with its consent: no case file.
    const asBank = await reportsAs(bank, subject.id);
    expect(asBank.find((r) => r.id === generated.id)).toMatchObject({ registeredByOrganisation: null });
    expect(asBank.find((r) => r.id === registered.id)).toMatchObject({ verificationNote: null, verifications: [{ organisation: null, note: null }] });
    expect(JSON.stringify(asBank)).not.toContain(organisation);
    expect(JSON.stringify(asBank)).not.toContain('R3-ZZ-1');

    // The generating department, the credit office and the subject itself read it.
    expect((await reportsAs(generator, subject.id)).find((r) => r.id === generated.id)).toMatchObject({ registeredByOrganisation: organisation });
    const asOffice = await reportsAs(supervisor, subject.id);
    expect(asOffice.find((r) => r.id === generated.id)).toMatchObject({ registeredByOrganisation: organisation });
    expect(asOffice.find((r) => r.id === registered.id)).toMatchObject({ verificationNote: 'R3-ZZ-1 案卷核验：与出具机构回函一致', verifications: [{ organisation: 'CREDIT_OFFICE', note: 'R3-ZZ-1 案卷核验：与出具机构回函一致' }] });
    const itself: As = {
      caller: { id: 'self', organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id },
      headers: { 'x-credit-matter': 'SELF_INQUIRY' },
    };
    const asItself = await reportsAs(itself, subject.id);
    expect(asItself.find((r) => r.id === generated.id)).toMatchObject({ registeredByOrganisation: organisation });
    expect(asItself.find((r) => r.id === registered.id)).toMatchObject({ verifications: [{ organisation: 'CREDIT_OFFICE' }] });

    // Another department, in its own case: the report, not the other case's file.
    if (subject.kind !== 'NATURAL_PERSON') {
      const asTax = await reportsAs(taxOfficer, subject.id);
      expect(asTax.find((r) => r.id === generated.id)).toMatchObject({ registeredByOrganisation: null });
      expect(asTax.find((r) => r.id === registered.id)).toMatchObject({ verificationNote: null, verifications: [{ organisation: null, note: null }] });
    }
  });

  it('prints neither the matter and case nor the generating department on the printable page, which anyone holding the number and code reads', async () => {
    const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
    const generated = await generate(personnel, person.id);
    const shown = await page(generated.printableUrl);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(person.name);
    for (const text of ['R3-ZZ-1', 'PERSONNEL_REVIEW', '人员资质核定', '区委组织部', '查询用途', '查询单位']) expect(shown.text).not.toContain(text);
  });

  /** An organisation with a record that counts (so a platform report holds it), and that record. */
  async function subjectWithCountingRecord(skip: readonly string[]): Promise<{ subjectId: string; record: { id: string; documentNumber: string; summary: string } }> {
    for (const subject of world.subjects) {
      if (subject.kind === 'NATURAL_PERSON' || skip.includes(subject.id)) continue;
      const result = await platform.query<{ subject: { creditRecords: { edges: { node: { id: string; documentNumber: string; summary: string; countsInCheck: boolean; status: string } }[] } } }>(
        'query ($id: ID!) { subject(id: $id) { creditRecords(first: 100) { edges { node { id documentNumber summary countsInCheck status } } } } }',
        { id: subject.id },
        supervisor,
      );
      const record = result.data?.subject.creditRecords.edges.map((e) => e.node).find((r) => r.countsInCheck && r.status === 'ACTIVE');
      if (record) return { subjectId: subject.id, record };
    }
    throw new Error('no organisation in the demo world has a record that counts');
  }

  const acceptanceOf = async (id: string) => {
    const result = await platform.query<{ creditReport: { acceptance: { accepted: boolean; reasons: string[] } } }>('query ($id: ID!) { creditReport(id: $id) { acceptance { accepted reasons } } }', { id }, supervisor);
    expect(result.errors).toBeUndefined();
    return result.data!.creditReport.acceptance;
  };

  it.each(['WITHDRAWN', 'RESTORED'])('no longer accepts, prints or lets a check rely on a platform report holding a record since %s', async (status) => {
    const used = status === 'WITHDRAWN' ? [] : [(await subjectWithCountingRecord([])).subjectId];
    const { subjectId, record } = await subjectWithCountingRecord(used);
    const officer = procurement(`CG-${status}`);
    const generated = await generate(officer, subjectId);
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: true, reasons: [] });
    expect((await page(generated.printableUrl)).text).toContain(record.documentNumber);

    await platform.databases.records.query('UPDATE credit_record SET status = ? WHERE id = ?', [status, record.id]);

    expect(await acceptanceOf(generated.id)).toEqual({ accepted: false, reasons: ['RECORDS_CHANGED'] });
    const superseded = await page(generated.printableUrl);
    expect(superseded.status).toBe(410);
    expect(superseded.text).toContain('请重新生成');
    expect(superseded.text).not.toContain(record.documentNumber);
    expect(superseded.text).not.toContain(record.summary);
    // Nothing of the subject was shown: no disclosure to audit.
    expect(await platform.databases.audit.query('SELECT id FROM audit_entry WHERE request_id = ?', [superseded.requestId])).toEqual([]);

    const checked = await platform.query<{ runCreditCheck: { reportRequirement: { reliedOn: { id: string } | null; considered: { reportNumber: string; accepted: boolean; reasons: string[] }[] } } }>(
      'mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { reportRequirement { reliedOn { id } considered { reportNumber accepted reasons } } } }',
      { input: { subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: `CG-${status}` } },
      officer,
    );
    expect(checked.errors).toBeUndefined();
    const requirement = checked.data!.runCreditCheck.reportRequirement;
    expect(requirement.considered.find((c) => c.reportNumber === generated.reportNumber)).toEqual({ reportNumber: generated.reportNumber, accepted: false, reasons: ['RECORDS_CHANGED'] });
    expect(requirement.reliedOn?.id).not.toBe(generated.id);
  });

  interface HeldRecord {
    id: string;
    category: string;
    severity: string | null;
    status: string;
    countsInCheck: boolean;
    documentNumber: string;
    decisionDate: string;
    disclosureEndsAt: string | null;
    validUntil: string | null;
    summary: string;
    sourceDepartment: { code: string };
  }

  /** The organisations, last first (the tests above take the first ones), with their records as they are now. */
  async function laterOrganisations(): Promise<{ subjectId: string; name: string; records: HeldRecord[] }[]> {
    const found = [];
    for (const subject of [...world.subjects].reverse()) {
      if (subject.kind === 'NATURAL_PERSON') continue;
      const result = await platform.query<{ subject: { creditRecords: { edges: { node: HeldRecord }[] } } }>(
        'query ($id: ID!) { subject(id: $id) { creditRecords(first: 100) { edges { node { id category severity status countsInCheck documentNumber decisionDate disclosureEndsAt validUntil summary sourceDepartment { code } } } } } }',
        { id: subject.id },
        supervisor,
      );
      expect(result.errors).toBeUndefined();
      found.push({ subjectId: subject.id, name: subject.name, records: result.data!.subject.creditRecords.edges.map((e) => e.node) });
    }
    return found;
  }
  const taken = new Set<string>();
  /** An organisation not taken by another of these tests, with a counting record that `fits`, and whose records all satisfy `all`. */
  async function organisationWith(fits: (record: HeldRecord) => boolean, all: (record: HeldRecord) => boolean = () => true): Promise<{ subjectId: string; name: string; record: HeldRecord }> {
    for (const organisation of await laterOrganisations()) {
      const record = organisation.records.find((r) => r.countsInCheck && r.status === 'ACTIVE' && fits(r));
      if (record && organisation.records.every(all) && !taken.has(organisation.subjectId)) {
        taken.add(organisation.subjectId);
        return { subjectId: organisation.subjectId, name: organisation.name, record };
      }
    }
    throw new Error('no other organisation in the demo world has such a record');
  }

  async function checkOf(subjectId: string, caseNumber: string) {
    const checked = await platform.query<{ runCreditCheck: { reportRequirement: { reliedOn: { id: string } | null; considered: { reportNumber: string; accepted: boolean; reasons: string[] }[] } } }>(
      'mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { reportRequirement { reliedOn { id } considered { reportNumber accepted reasons } } } }',
      { input: { subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber } },
      procurement(caseNumber),
    );
    expect(checked.errors).toBeUndefined();
    return checked.data!.runCreditCheck.reportRequirement;
  }

  /** Not accepted, relied on by no check, its page not shown (and no view audited): a report that no longer stands. */
  async function expectSuperseded(generated: { id: string; reportNumber: string; printableUrl: string }, subjectId: string, caseNumber: string, shown: readonly string[], reasons: string[] = ['RECORDS_CHANGED']) {
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: false, reasons });
    const superseded = await page(generated.printableUrl);
    expect(superseded.status).toBe(410);
    expect(superseded.text).toContain('请重新生成');
    for (const text of shown) expect(superseded.text).not.toContain(text);
    expect(await platform.databases.audit.query('SELECT id FROM audit_entry WHERE request_id = ?', [superseded.requestId])).toEqual([]);
    const requirement = await checkOf(subjectId, caseNumber);
    expect(requirement.considered.find((c) => c.reportNumber === generated.reportNumber)).toEqual({ reportNumber: generated.reportNumber, accepted: false, reasons });
    expect(requirement.reliedOn?.id).not.toBe(generated.id);
  }

  it('no longer accepts or prints a report issued on the last day of a serious-dishonesty listing\'s disclosure, from the next day on, with nobody touching the record', async () => {
    const { subjectId, name, record } = await organisationWith((r) => r.category === 'SERIOUS_DISHONESTY_LIST');
    const today = todayInDistrict();
    const yesterday = addDays(today, -1);
    // The listing's disclosure ended yesterday: set before the report, which is then issued yesterday.
    await platform.databases.records.query('UPDATE credit_record SET disclosure_ends_at = ? WHERE id = ?', [yesterday, record.id]);
    const officer = procurement('CG-EXPIRY');
    const generated = await daysAgo(1, async () => {
      const report = await generate(officer, subjectId);
      // On its issue day the listing is still disclosed: accepted, printed.
      expect(await acceptanceOf(report.id)).toEqual({ accepted: true, reasons: [] });
      const printed = await page(report.printableUrl);
      expect(printed.status).toBe(200);
      expect(printed.text).toContain(record.documentNumber);
      return report;
    });
    const [{ issuedOn, validUntil }] = (await platform.databases.reports.query('SELECT issued_on AS issuedOn, valid_until AS validUntil FROM credit_report WHERE id = ?', [generated.id])) as { issuedOn: unknown; validUntil: unknown }[];
    expect([issuedOn, validUntil].map((d) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d)))).toEqual([yesterday, addDays(yesterday, 89)]);

    // Today, well within the report's validity, the listing reads as EXPIRED: its disclosure is over.
    const now = await platform.query<{ creditRecord: { status: string; countsInCheck: boolean } }>('query ($id: ID!) { creditRecord(id: $id) { status countsInCheck } }', { id: record.id }, supervisor);
    expect(now.data?.creditRecord).toEqual({ status: 'EXPIRED', countsInCheck: false });
    await expectSuperseded(generated, subjectId, 'CG-EXPIRY', [record.documentNumber, record.summary, name]);
  });

  const penaltyRow = (subjectId: string, record: HeldRecord) => ({
    subjectId,
    category: record.category,
    severity: record.severity,
    documentNumber: record.documentNumber,
    decisionDate: record.decisionDate,
    validUntil: record.validUntil,
    summary: record.summary,
  });
  const submit = async (department: string, input: Record<string, unknown>) => {
    const result = await platform.query<{ submitCreditRecord: { outcome: string; record: { status: string } } }>(
      'mutation ($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome record { status } } }',
      { input },
      { caller: { id: `officer-${department.toLowerCase()}`, organisation: department, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.submitCreditRecord;
  };

  it.each([
    ['its summary', (r: HeldRecord) => ({ summary: `${r.summary}（更正）` }), 'ACTIVE'],
    ['its decision date, a day earlier', (r: HeldRecord) => ({ decisionDate: addDays(r.decisionDate, -1) }), 'ACTIVE'],
    ['its decision date, so far back that its disclosure is over', () => ({ decisionDate: addDays(todayInDistrict(), -4 * 366) }), 'EXPIRED'],
  ] as const)('no longer accepts or prints a report holding a record its department has since corrected: %s', async (what, correction, status) => {
    const { subjectId, name, record } = await organisationWith((r) => r.category === 'ADMINISTRATIVE_PENALTY' && r.disclosureEndsAt !== null && r.disclosureEndsAt > addDays(todayInDistrict(), 2));
    const caseNumber = `CG-CORR-${what.length}`;
    const generated = await generate(procurement(caseNumber), subjectId);
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: true, reasons: [] });

    // Sent again as it is: nothing changes, and the report stands, printed.
    expect(await submit(record.sourceDepartment.code, penaltyRow(subjectId, record))).toEqual({ outcome: 'UNCHANGED', record: { status: 'ACTIVE' } });
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: true, reasons: [] });
    const printed = await page(generated.printableUrl);
    expect(printed.status).toBe(200);
    expect(printed.text).toContain(record.documentNumber);

    expect(await submit(record.sourceDepartment.code, { ...penaltyRow(subjectId, record), ...correction(record) })).toEqual({ outcome: 'UPDATED', record: { status } });
    await expectSuperseded(generated, subjectId, caseNumber, [record.documentNumber, record.summary, name]);
    // A report generated now holds the record as corrected, and stands.
    const fresh = await generate(procurement(caseNumber), subjectId);
    expect(await acceptanceOf(fresh.id)).toEqual({ accepted: true, reasons: [] });
    expect((await page(fresh.printableUrl)).status).toBe(200);
  });

  it('shows no page of a report past its own validity, which no check relies on, and still verifies it as genuine', async () => {
    const { subjectId, name } = await organisationWith(() => true);
    const generated = await daysAgo(90, () => generate(procurement('CG-OLD'), subjectId));
    const [{ code }] = (await platform.databases.reports.query('SELECT verification_code AS code FROM credit_report WHERE id = ?', [generated.id])) as { code: string }[];

    const acceptance = await acceptanceOf(generated.id);
    expect(acceptance.accepted).toBe(false);
    expect(acceptance.reasons).toContain('EXPIRED');
    const expired = await page(generated.printableUrl);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('已超过有效期');
    expect(expired.text).toContain('请重新生成');
    expect(expired.text).not.toContain(name);
    expect(expired.text).not.toContain('一、基本信息');
    expect(await platform.databases.audit.query('SELECT id FROM audit_entry WHERE request_id = ?', [expired.requestId])).toEqual([]);
    const requirement = await checkOf(subjectId, 'CG-OLD');
    expect(requirement.considered.find((c) => c.reportNumber === generated.reportNumber)).toMatchObject({ accepted: false, reasons: expect.arrayContaining(['EXPIRED']) });
    expect(requirement.reliedOn?.id).not.toBe(generated.id);

    // Whoever holds the number and the code still learns it is genuine, and no longer valid.
    const verified = await platform.query<{ verifyCreditReport: unknown }>('query ($n: String!, $c: String!) { verifyCreditReport(reportNumber: $n, verificationCode: $c) { genuine isWithinValidity validUntil } }', { n: generated.reportNumber, c: code });
    expect(verified.data?.verifyCreditReport).toEqual({ genuine: true, isWithinValidity: false, validUntil: addDays(todayInDistrict(), -1) });
  });

  /** The subject itself, at its own inquiry (an organisation): it objects to its records. */
  const itselfOf = (subjectId: string): As => {
    const subject = world.subjects.find((s) => s.id === subjectId)!;
    return { caller: { id: `self-${subject.identifier}`, organisation: subject.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId }, headers: { 'x-credit-matter': 'SELF_INQUIRY' } };
  };
  /** Files the subject's objection to its record: the record reads OBJECTED (异议处理中). */
  async function objectTo(subjectId: string, record: HeldRecord): Promise<string> {
    const filed = await platform.query<{ objectToCreditRecord: { id: string; record: { status: string } } }>(
      'mutation ($id: ID!) { objectToCreditRecord(input: { recordId: $id, reason: "处罚对象认定有误，申请核实" }) { id record { status } } }',
      { id: record.id },
      itselfOf(subjectId),
    );
    expect(filed.errors).toBeUndefined();
    expect(filed.data!.objectToCreditRecord.record.status).toBe('OBJECTED');
    return filed.data!.objectToCreditRecord.id;
  }
  /** The record's source department rejects the objection (异议不成立): the record is ACTIVE again, as it was. */
  async function reject(objectionId: string, record: HeldRecord): Promise<void> {
    const source: As = { caller: { id: 'officer-source', organisation: record.sourceDepartment.code, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };
    const decided = await platform.query<{ decideObjection: { record: { status: string } } }>(
      'mutation ($id: ID!) { decideObjection(input: { id: $id, decision: REJECT, reason: "经核查，原认定无误" }) { record { status } } }',
      { id: objectionId },
      source,
    );
    expect(decided.errors).toBeUndefined();
    expect(decided.data!.decideObjection.record.status).toBe('ACTIVE');
  }
  /** What `verifyCreditReport` concludes of a report, for whoever holds the number and the code printed on it. */
  async function verifiedStatus(generated: { reportNumber: string; printableUrl: string }): Promise<string> {
    const code = new URL(generated.printableUrl, platform.gatewayUrl).searchParams.get('code')!;
    const verified = await platform.query<{ verifyCreditReport: { status: string } }>('query ($n: String!, $c: String!) { verifyCreditReport(reportNumber: $n, verificationCode: $c) { status } }', { n: generated.reportNumber, c: code });
    expect(verified.errors).toBeUndefined();
    return verified.data!.verifyCreditReport.status;
  }
  /** The printed row of a record (by its document number), on a page that is shown. */
  async function printedRow(generated: { printableUrl: string }, record: HeldRecord): Promise<string> {
    const printed = await page(generated.printableUrl);
    expect(printed.status).toBe(200);
    const row = printed.text.split('</tr>').find((r) => r.includes(record.documentNumber));
    expect(row).toBeDefined();
    return row!;
  }
  /** A record a subject may object to, which goes on counting for days by the calendar. */
  const objectable = (r: HeldRecord) => r.category !== 'REGISTRATION_BASICS' && (r.disclosureEndsAt === null || r.disclosureEndsAt > addDays(todayInDistrict(), 2));

  it('no longer accepts or prints a report that shows a record undisputed once an objection to it is filed, and stands again once the objection is rejected', async () => {
    const { subjectId, name, record } = await organisationWith(objectable);
    const generated = await generate(procurement('CG-OBJ-A'), subjectId);
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: true, reasons: [] });
    expect(await printedRow(generated, record)).not.toContain('异议处理中');
    expect(await verifiedStatus(generated)).toBe('CURRENT');

    // While the objection is pending the report would present the record as undisputed.
    const objection = await objectTo(subjectId, record);
    await expectSuperseded(generated, subjectId, 'CG-OBJ-A', [record.documentNumber, record.summary, name]);
    expect(await verifiedStatus(generated)).toBe('RECORDS_CHANGED');
    // A report generated now marks it.
    const marked = await generate(procurement('CG-OBJ-A'), subjectId);
    expect(await acceptanceOf(marked.id)).toEqual({ accepted: true, reasons: [] });
    expect(await printedRow(marked, record)).toContain('异议处理中');

    // Rejected: the record stands undisputed, as the first report prints it, which stands again.
    await reject(objection, record);
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: true, reasons: [] });
    expect(await printedRow(generated, record)).not.toContain('异议处理中');
    expect(await verifiedStatus(generated)).toBe('CURRENT');
  });

  it('no longer accepts or prints a report that marks a record 异议处理中 once the objection to it is rejected', async () => {
    const { subjectId, name, record } = await organisationWith(objectable);
    const objection = await objectTo(subjectId, record);
    const generated = await generate(procurement('CG-OBJ-B'), subjectId);
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: true, reasons: [] });
    expect(await printedRow(generated, record)).toContain('异议处理中');
    expect(await verifiedStatus(generated)).toBe('CURRENT');

    // Rejected: the record is undisputed, which the report would go on presenting as disputed.
    await reject(objection, record);
    await expectSuperseded(generated, subjectId, 'CG-OBJ-B', [record.documentNumber, record.summary, name]);
    expect(await verifiedStatus(generated)).toBe('RECORDS_CHANGED');
    const fresh = await generate(procurement('CG-OBJ-B'), subjectId);
    expect(await acceptanceOf(fresh.id)).toEqual({ accepted: true, reasons: [] });
    expect(await printedRow(fresh, record)).not.toContain('异议处理中');
  });

  it("keeps accepting and printing a report whose records stand unchanged, whatever becomes of another subject's record", async () => {
    // None of its records stops counting between yesterday and today by the calendar (a disclosure or term ending, a tax grade's year).
    const yesterday = addDays(todayInDistrict(), -1);
    const { subjectId, record } = await organisationWith(
      (r) => r.category !== 'REGISTRATION_BASICS',
      (r) => r.disclosureEndsAt !== yesterday && r.validUntil !== yesterday && r.category !== 'TAX_CREDIT_GRADE',
    );
    const generated = await daysAgo(1, () => generate(procurement('CG-SAME'), subjectId));
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: true, reasons: [] });
    // Another organisation objects to its own record, and is rejected: nothing this report holds.
    const other = await organisationWith(objectable);
    await reject(await objectTo(other.subjectId, other.record), other.record);
    expect(await acceptanceOf(generated.id)).toEqual({ accepted: true, reasons: [] });
    expect(await printedRow(generated, record)).not.toContain('异议处理中');
    expect(await verifiedStatus(generated)).toBe('CURRENT');
    const requirement = await checkOf(subjectId, 'CG-SAME');
    expect(requirement.considered.find((c) => c.reportNumber === generated.reportNumber)).toEqual({ reportNumber: generated.reportNumber, accepted: true, reasons: [] });
  });

  it("asks the records subgraph about every platform report's records of a page in one batched call", async () => {
    const { subjectId } = await subjectWithCountingRecord([]);
    const selects = () =>
      platform.sql.records.selectsDuring(async () => {
        const result = await platform.query('query ($id: ID!) { subject(id: $id) { creditReports(first: 50) { edges { node { source acceptance { accepted reasons } } } } } }', { id: subjectId }, supervisor);
        expect(result.errors).toBeUndefined();
      });
    await generate(supervisor, subjectId);
    const one = await selects();
    for (let i = 0; i < 3; i += 1) await generate(supervisor, subjectId);
    expect(one).toBeGreaterThan(0);
    expect(await selects()).toBe(one);
  });
});
