import { demoConsents } from '../../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld } from '../../../scripts/demo/world';
import { testDatabases } from '../../helpers/databases';
import { supervisor, usePlatform, type As } from '../../helpers/platform';

/**
 * A: who generated or registered a report, for which case, and what checking it found (查询记录)
 * is shown only to that department, the subject and the credit office; the printable page, served
 * to whoever holds its number and code, prints none of it.
 * B: a platform report holding a record since withdrawn or restored is no longer accepted, no
 * check relies on it, and its page is not shown.
 */
const world = demoWorld({ subjects: 60 });

const bank: As = {
  caller: { id: 'banker', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' },
  headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices },
};
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

  const page = async (path: string, requestId?: string) => {
    const response = await fetch(new URL(path, platform.gatewayUrl), { headers: requestId ? { 'x-request-id': requestId } : {}, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, text: await response.text() };
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
    const requestId = `superseded-view-${status}`;
    const superseded = await page(generated.printableUrl, requestId);
    expect(superseded.status).toBe(410);
    expect(superseded.text).toContain('请重新生成');
    expect(superseded.text).not.toContain(record.documentNumber);
    expect(superseded.text).not.toContain(record.summary);
    // Nothing of the subject was shown: no disclosure to audit.
    expect(await platform.databases.audit.query('SELECT id FROM audit_entry WHERE request_id = ?', [requestId])).toEqual([]);

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
