import { randomUUID } from 'node:crypto';
import type { OrganisationKind } from '../../../lib/access/identity';
import { maskCitizenIdNumber } from '../../../lib/identifiers';
import { demoWorld, type DemoSubject } from '../../../scripts/demo/world';
import { daysAgo } from '../../helpers/clock';
import { testDatabases } from '../../helpers/databases';
import { consentedBank as bank, supervisor, usePlatform, type As } from '../../helpers/platform';
import { requestIdOf } from '../../helpers/graphql';

/**
 * Who holds the key to a report, who may obtain one, and what its verification says, through the
 * gateway:
 * - a report's verification code and printable address (the key to its page, which asks for no
 *   token) go only to the readers of its case file: the generating department, the subject, the
 *   credit office; never to a bank reading under a consent, which would keep the key once the
 *   consent is revoked;
 * - a subject generates its own public credit report (SELF_INQUIRY), for itself only, masked as
 *   every report is, audited as a self-inquiry, its case file its own;
 * - `verifyCreditReport` says whether a genuine report still stands (CURRENT, RECORDS_CHANGED,
 *   EXPIRED), and tells another issuer's report (NOT_ISSUED_HERE) from a forgery (NOT_GENUINE),
 *   a wrong number and a wrong code still answered alike.
 */
const world = demoWorld({ subjects: 60 });
// The demo bank's consent is for subject 0; subject 1 is a natural person (徐志强).
const enterprise = world.subjects[0];
const person = world.subjects[1];

const department = (organisation: string, matter: string, caseNumber: string): As => ({
  caller: { id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': matter, 'x-credit-case': caseNumber },
});
const finance = department('FINANCE', 'GOVERNMENT_PROCUREMENT', 'CG-2026-KEYS');
const taxation = department('TAXATION', 'TAX_INCENTIVES', 'SW-2026-KEYS');
const itself = (subject: DemoSubject): As => ({
  caller: {
    id: `self-${subject.identifier}`,
    organisation: subject.identifier,
    organisationKind: (subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE') as OrganisationKind,
    role: 'EXTERNAL_USER',
    subjectId: subject.id,
  },
  headers: { 'x-credit-matter': 'SELF_INQUIRY' },
});

interface Keys {
  id: string;
  source: string;
  grade: string | null;
  registeredByOrganisation: string | null;
  verificationCode: string | null;
  printableUrl: string | null;
}

interface Generated extends Keys {
  reportNumber: string;
  subject: { id: string };
  acceptance: { accepted: boolean; reasons: string[] };
}

const GENERATE = /* GraphQL */ `
  mutation ($id: ID!) {
    generateCreditReport(subjectId: $id) { id source grade reportNumber subject { id } registeredByOrganisation verificationCode printableUrl acceptance { accepted reasons } }
  }
`;
const KEYS = /* GraphQL */ `
  query ($id: ID!) { subject(id: $id) { creditReports(first: 50) { edges { node { id source grade registeredByOrganisation verificationCode printableUrl } } } } }
`;
const VERIFY = /* GraphQL */ `
  query ($n: String!, $c: String!) { verifyCreditReport(reportNumber: $n, verificationCode: $c) { status genuine subjectName issuedOn validUntil isWithinValidity } }
`;

describe.each(testDatabases)('report keys, own reports and verification on $label', (database) => {
  const platform = usePlatform(database, 'rep_keys', { seedSubjects: world.subjects.length });

  async function ok<T>(query: string, variables: Record<string, unknown>, as: As = {}): Promise<T> {
    const result = await platform.query<T>(query, variables, as);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  const generate = async (as: As, subjectId: string) => (await ok<{ generateCreditReport: Generated }>(GENERATE, { id: subjectId }, as)).generateCreditReport;
  const keysAs = async (as: As, subjectId: string) => (await ok<{ subject: { creditReports: { edges: { node: Keys }[] } } }>(KEYS, { id: subjectId }, as)).subject.creditReports.edges.map((e) => e.node);
  /** A public verification, with the id the gateway gave its request. */
  const verified = async (reportNumber: string, code: string) => {
    const result = await platform.query<{ verifyCreditReport: Record<string, unknown> }>(VERIFY, { n: reportNumber, c: code });
    expect(result.errors).toBeUndefined();
    return { verification: result.data!.verifyCreditReport, requestId: requestIdOf(result) };
  };
  const verify = async (reportNumber: string, code: string) => (await verified(reportNumber, code)).verification;
  const platformReports = async (subjectId: string) =>
    Number(((await platform.databases.reports.query("SELECT COUNT(*) AS n FROM credit_report WHERE source = 'DISTRICT_PLATFORM' AND subject_id = ?", [subjectId])) as { n: number | string }[])[0].n);
  const page = (path: string) => fetch(new URL(path, platform.gatewayUrl), { signal: AbortSignal.timeout(10_000) });

  describe("a report's key: its verification code and printable address", () => {
    it('goes to the readers of its case file only, never to a bank under the subject’s consent', async () => {
      const generated = await generate(finance, enterprise.id);
      expect(generated.verificationCode).toMatch(/^[2-9A-Z]{16}$/);
      expect(generated.printableUrl).toBe(`/reports/${generated.reportNumber}.html?code=${generated.verificationCode}`);

      // The bank reads the subject's reports (their grades) under its consent, and no report's key.
      const asBank = await keysAs(bank, enterprise.id);
      expect(asBank.find((r) => r.id === generated.id)).toMatchObject({ source: 'DISTRICT_PLATFORM', registeredByOrganisation: null, verificationCode: null, printableUrl: null });
      expect(asBank.filter((r) => r.source !== 'DISTRICT_PLATFORM').length).toBeGreaterThan(0);
      expect(asBank.some((r) => r.grade !== null)).toBe(true);
      expect(asBank.every((r) => r.verificationCode === null && r.printableUrl === null)).toBe(true);
      const byId = await ok<{ creditReport: unknown }>('query ($id: ID!) { creditReport(id: $id) { verificationCode printableUrl } }', { id: generated.id }, bank);
      expect(byId.creditReport).toEqual({ verificationCode: null, printableUrl: null });
      // Another department, in a case of its own, generates its own report or checks the printout it is handed.
      expect((await keysAs(taxation, enterprise.id)).find((r) => r.id === generated.id)).toMatchObject({ verificationCode: null, printableUrl: null });

      // The generating department, the subject itself and the credit office hold the case file.
      for (const reader of [finance, itself(enterprise), supervisor]) {
        expect((await keysAs(reader, enterprise.id)).find((r) => r.id === generated.id)).toMatchObject({ verificationCode: generated.verificationCode, printableUrl: generated.printableUrl });
      }
      // The subject and the credit office also hold the keys of the reports registered about it.
      const registered = (await keysAs(supervisor, enterprise.id)).filter((r) => r.source !== 'DISTRICT_PLATFORM');
      expect(registered.every((r) => r.verificationCode !== null)).toBe(true);
    });
  });

  describe("a subject's own public credit report (SELF_INQUIRY)", () => {
    it('is generated by the subject for itself, audited as a self-inquiry, its case file the subject’s own', async () => {
      const before = await platformReports(enterprise.id);
      const generated = await platform.query<{ generateCreditReport: Generated }>(GENERATE, { id: enterprise.id }, itself(enterprise));
      expect(generated.errors).toBeUndefined();
      const own = generated.data!.generateCreditReport;
      expect(own).toMatchObject({ source: 'DISTRICT_PLATFORM', subject: { id: enterprise.id }, registeredByOrganisation: enterprise.identifier, acceptance: { accepted: true, reasons: [] } });
      expect(own.printableUrl).toBe(`/reports/${own.reportNumber}.html?code=${own.verificationCode}`);
      expect(await platformReports(enterprise.id)).toBe(before + 1);

      const audit = (await platform.databases.audit.query('SELECT subject_id, organisation, matter, case_number, consent_id, field_groups, outcome FROM audit_entry WHERE request_id = ?', [requestIdOf(generated)])) as { field_groups: string }[];
      expect(audit).toEqual([{ subject_id: enterprise.id, organisation: enterprise.identifier, matter: 'SELF_INQUIRY', case_number: null, consent_id: null, field_groups: expect.any(String), outcome: 'DISCLOSED' }]);
      expect(audit[0].field_groups.split(',')).toEqual(expect.arrayContaining(['REPORT_GENERATION', 'SUBJECT_BASICS', 'PUBLIC_RECORDS']));

      // The subject's report: listed among its reports, with its case file to itself and the credit office.
      expect((await keysAs(itself(enterprise), enterprise.id)).find((r) => r.id === own.id)).toMatchObject({ registeredByOrganisation: enterprise.identifier, verificationCode: own.verificationCode });
      const asOffice = await ok<{ creditReport: unknown }>('query ($id: ID!) { creditReport(id: $id) { subject { id } source registeredByOrganisation verificationCode } }', { id: own.id }, supervisor);
      expect(asOffice.creditReport).toEqual({ subject: { id: enterprise.id }, source: 'DISTRICT_PLATFORM', registeredByOrganisation: enterprise.identifier, verificationCode: own.verificationCode });
      // A department the subject hands the printout to sees the report, not whose case file it is, and verifies the printout.
      expect((await keysAs(finance, enterprise.id)).find((r) => r.id === own.id)).toMatchObject({ source: 'DISTRICT_PLATFORM', registeredByOrganisation: null, verificationCode: null, printableUrl: null });
      expect(await verify(own.reportNumber, own.verificationCode!)).toMatchObject({ status: 'CURRENT', genuine: true, subjectName: enterprise.name });
      const shown = await page(own.printableUrl!);
      expect(shown.status).toBe(200);
      expect(await shown.text()).toContain(enterprise.name);
    });

    it("masks a person's citizen ID number in its own report, and names the person as its generator masked to the credit office", async () => {
      expect(person.kind).toBe('NATURAL_PERSON');
      const own = await generate(itself(person), person.id);
      expect(own.registeredByOrganisation).toBe(person.identifier);
      const asOffice = await ok<{ creditReport: { registeredByOrganisation: string } }>('query ($id: ID!) { creditReport(id: $id) { registeredByOrganisation } }', { id: own.id }, supervisor);
      expect(asOffice.creditReport.registeredByOrganisation).toBe(maskCitizenIdNumber(person.identifier));
      const shown = await page(own.printableUrl!);
      expect(shown.status).toBe(200);
      const text = await shown.text();
      expect(text).toContain(person.name);
      expect(text).toContain(maskCitizenIdNumber(person.identifier));
      expect(text).not.toContain(person.identifier);
    });

    it('is refused for any other subject alike, registered or not, and nothing is stored', async () => {
      const other = world.subjects[2];
      const before = await platformReports(other.id);
      const [another, nobody] = await Promise.all([platform.query(GENERATE, { id: other.id }, itself(enterprise)), platform.query(GENERATE, { id: randomUUID() }, itself(enterprise))]);
      expect(another.data).toEqual({ generateCreditReport: null });
      expect(another.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', problem: 'OUTSIDE_SUBJECT_SCOPE' })]);
      expect(nobody.data).toEqual(another.data);
      expect(nobody.errors?.map((e) => [e.message, e.extensions])).toEqual(another.errors?.map((e) => [e.message, e.extensions]));
      expect(JSON.stringify(another)).not.toContain(other.name);
      expect(await platformReports(other.id)).toBe(before);
    });
  });

  describe('verifyCreditReport', () => {
    const taken = new Set<string>([enterprise.id]);
    /** An organisation no other test here took, and a record of it that a report holds. */
    async function organisationWithCountingRecord(): Promise<{ subject: DemoSubject; recordId: string }> {
      for (const subject of world.subjects) {
        if (subject.kind === 'NATURAL_PERSON' || taken.has(subject.id)) continue;
        const data = await ok<{ subject: { creditRecords: { edges: { node: { id: string; status: string; countsInCheck: boolean } }[] } } }>(
          'query ($id: ID!) { subject(id: $id) { creditRecords(first: 100) { edges { node { id status countsInCheck } } } } }',
          { id: subject.id },
          supervisor,
        );
        const record = data.subject.creditRecords.edges.map((e) => e.node).find((r) => r.status === 'ACTIVE' && r.countsInCheck);
        if (record) {
          taken.add(subject.id);
          return { subject, recordId: record.id };
        }
      }
      throw new Error('no other organisation in the demo world has a record that counts');
    }

    it('says a genuine report no longer stands once a record it holds is restored, as its acceptance does, and names no record', async () => {
      const { subject, recordId } = await organisationWithCountingRecord();
      const report = await generate(finance, subject.id);
      const genuine = { genuine: true, subjectName: subject.name, issuedOn: expect.any(String), validUntil: expect.any(String), isWithinValidity: true };
      expect(await verify(report.reportNumber, report.verificationCode!)).toEqual({ status: 'CURRENT', ...genuine });

      await platform.databases.records.query('UPDATE credit_record SET status = ? WHERE id = ?', ['RESTORED', recordId]);

      const superseded = await verified(report.reportNumber, report.verificationCode!);
      expect(superseded.verification).toEqual({ status: 'RECORDS_CHANGED', ...genuine });
      const read = await ok<{ creditReport: { acceptance: { reasons: string[] } } }>('query ($id: ID!) { creditReport(id: $id) { acceptance { reasons } } }', { id: report.id }, supervisor);
      expect(read.creditReport.acceptance.reasons).toEqual(['RECORDS_CHANGED']);
      // The lookup is audited as before: the subject's name to whoever asked, nothing of its records.
      expect(await platform.databases.audit.query('SELECT subject_id, field_groups FROM audit_entry WHERE request_id = ?', [superseded.requestId])).toEqual([{ subject_id: subject.id, field_groups: 'SUBJECT_BASICS' }]);
    });

    it('says a genuine report past its validity is EXPIRED', async () => {
      const { subject } = await organisationWithCountingRecord();
      const report = await daysAgo(90, () => generate(finance, subject.id));
      expect(await verify(report.reportNumber, report.verificationCode!)).toMatchObject({ status: 'EXPIRED', genuine: true, isWithinValidity: false });
    });

    it("tells another issuer's report, registered here or not, from a forgery, by its number alone: nothing is looked up or audited", async () => {
      const registered = (await keysAs(supervisor, enterprise.id)).find((r) => r.source === 'THIRD_PARTY_PROVIDER')!;
      const { reportNumber } = (await ok<{ creditReport: { reportNumber: string } }>('query ($id: ID!) { creditReport(id: $id) { reportNumber } }', { id: registered.id }, supervisor)).creditReport;
      const notIssuedHere = { status: 'NOT_ISSUED_HERE', genuine: false, subjectName: null, issuedOn: null, validUntil: null, isWithinValidity: null };
      const thirdParty = await verified(reportNumber, registered.verificationCode!);
      expect(thirdParty.verification).toEqual(notIssuedHere);
      expect(await verify(reportNumber, 'WRONGCODE1')).toEqual(notIssuedHere);
      expect(await verify('XYZG-2026-0000001', registered.verificationCode!)).toEqual(notIssuedHere);
      expect(await platform.databases.audit.query('SELECT id FROM audit_entry WHERE request_id = ?', [thirdParty.requestId])).toEqual([]);
    });

    it("answers a platform report's wrong code and an unknown platform number alike, NOT_GENUINE, and the number in other letter case as the number", async () => {
      const report = await generate(finance, enterprise.id);
      const code = report.verificationCode!;
      const wrongCode = code.slice(0, 15) + (code.endsWith('A') ? 'B' : 'A');
      const notGenuine = { status: 'NOT_GENUINE', genuine: false, subjectName: null, issuedOn: null, validUntil: null, isWithinValidity: null };
      expect(await verify(report.reportNumber, wrongCode)).toEqual(notGenuine);
      expect(await verify('BDHXY-20260101-AAAAAAAA', code)).toEqual(notGenuine);
      const asPrinted = await verify(report.reportNumber, code);
      expect(asPrinted).toMatchObject({ genuine: true });
      expect(await verify(report.reportNumber.toLowerCase(), code)).toEqual(asPrinted);
    });
  });
});
