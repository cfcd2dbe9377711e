import type { Caller } from '../../lib/access/identity';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../lib/calendar';
import { demoCallers } from '../../scripts/demo/callers';
import { demoConsents } from '../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld, type DemoSubject } from '../../scripts/demo/world';
import { ConsentRepository, type GrantConsentInput } from '../../subgraphs/entities/consent.repository';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * The credit office's window (区信用办窗口) records and revokes paper consents (授权书) for the
 * subjects who come in, holding CONSENTS and nothing else of them: it finds a subject's consents
 * by the code the subject presents, and the gateway audits that read in the subject's trail.
 */
const world = demoWorld({ subjects: 40 });
const [owner, , , , walkIn] = world.subjects;
const oneDaySubject = world.subjects[5];
const otherSubject = world.subjects[6];

const windowOfficer: As = { caller: demoCallers(world).find((c) => c.label.startsWith('Credit office window officer'))!.caller };
const bankCaller: Caller = { id: 'banker-liu', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' };
const bankWith = (consentId: string): As => ({ caller: bankCaller, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': consentId } });
const finance: As = {
  caller: { id: 'officer-zhang', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0117' },
};
const itself = (subject: DemoSubject): As => ({
  caller: { id: 'self-user', organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id },
  headers: { 'x-credit-matter': 'SELF_INQUIRY' },
});

const CONSENTS_OF = /* GraphQL */ `query ConsentsOf($code: String!) { consentsOfSubject(subjectCode: $code) { id status granteeOrganisation purpose validUntil subject { id } } }`;
const REVOKE = /* GraphQL */ `mutation Revoke($id: ID!) { revokeConsent(id: $id, reason: "本人到窗口撤销授权") { id status } }`;
const GRANT = /* GraphQL */ `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { id status validFrom validUntil } }`;
const READ = /* GraphQL */ `query Read($id: ID!) { subject(id: $id) { name } }`;

interface Listed {
  id: string;
  status: string;
  granteeOrganisation: string;
  purpose: string;
  validUntil: string;
  subject: { id: string } | null;
}

describe.each(testDatabases)("the credit office's window through the gateway on $label", (database) => {
  const platform = usePlatform(database, 'consentwindow', { seedSubjects: world.subjects.length });

  /** Sends the request with a request id of its own, and returns the answer and the audit entries it caused. */
  async function audited<T>(as: As, query: string, variables: Record<string, unknown>) {
    const result = await platform.query<T>(query, variables, as);
    const requestId = requestIdOf(result);
    const rows: { organisation: string; subject_id: string | null; field_groups: string; outcome: string }[] = await platform.databases.audit.query(
      'SELECT organisation, subject_id, field_groups, outcome FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    return { result, entries: rows.map((r) => ({ organisation: r.organisation, subject: r.subject_id, groups: r.field_groups, outcome: r.outcome })) };
  }

  describe('Query.consentsOfSubject', () => {
    it("lets the window officer, with no purpose, list a subject's consents by its code, audited in the subject's trail", async () => {
      const { result, entries } = await audited<{ consentsOfSubject: Listed[] }>(windowOfficer, CONSENTS_OF, { code: owner.identifier.toLowerCase() });
      expect(result.errors).toBeUndefined();
      expect(result.data?.consentsOfSubject.map((c) => [c.id, c.status])).toEqual([
        [demoConsents.dueDiligence, 'ACTIVE'],
        [demoConsents.bankFinancialServices, 'ACTIVE'],
        [demoConsents.revoked, 'REVOKED'],
        [demoConsents.expired, 'EXPIRED'],
      ]);
      expect(entries).toEqual([{ organisation: 'CREDIT_OFFICE', subject: owner.id, groups: 'CONSENTS', outcome: 'DISCLOSED' }]);
    });

    it("records a subject's first paper consent by the code on its form, which the bank then reads under", async () => {
      const firstTimer = world.subjects[7];
      const validUntil = addDays(todayInDistrict(), 30);
      const terms = { granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil };
      const { result, entries } = await audited<{ grantConsent: { id: string; status: string } }>(windowOfficer, GRANT, { input: { ...terms, subjectCode: ` ${firstTimer.identifier.toLowerCase()} ` } });
      expect(result.errors).toBeUndefined();
      expect(result.data?.grantConsent.status).toBe('ACTIVE');
      expect(entries).toEqual([expect.objectContaining({ subject: firstTimer.id, outcome: 'DISCLOSED' })]);
      const read = await platform.query<{ subject: { name: string } }>(READ, { id: firstTimer.id }, bankWith(result.data!.grantConsent.id));
      expect(read.data?.subject).toEqual({ name: firstTimer.name });

      const refused = async (input: Record<string, unknown>) => (await platform.query(GRANT, { input: { ...terms, ...input } }, windowOfficer)).errors?.[0].extensions;
      expect(await refused({ subjectCode: firstTimer.identifier, subjectId: firstTimer.id })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjectCode' });
      expect(await refused({})).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjectId' });
      expect(await refused({ subjectCode: '91130304MA0TEXT12Y' })).toMatchObject({ code: 'NOT_FOUND', field: 'subjectCode' });
      expect(await refused({ subjectCode: `${firstTimer.identifier.slice(0, 17)}${firstTimer.identifier[17] === '0' ? '1' : '0'}` })).toMatchObject({ field: 'subjectCode', problem: expect.any(String) });
    });

    it('refuses a grant by code that could never be stored before looking its subject up: registered or not, the same answer', async () => {
      const registered = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!.identifier;
      const unregistered = '130304199001017771';
      const impossible = { granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validFrom: addDays(todayInDistrict(), 9), validUntil: addDays(todayInDistrict(), 1) };
      const answers = [];
      for (const subjectCode of [registered, unregistered]) {
        const result = await platform.query(GRANT, { input: { ...impossible, subjectCode } }, windowOfficer);
        answers.push(result.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.field]));
      }
      expect(answers[0]).toEqual([[expect.stringContaining('validUntil must be validFrom'), 'BAD_USER_INPUT', 'validUntil']]);
      expect(answers[1]).toEqual(answers[0]);
    });

    it('finds the consent a walk-in subject came to revoke, which the window then revokes', async () => {
      const listed = await platform.query<{ consentsOfSubject: Listed[] }>(CONSENTS_OF, { code: walkIn.identifier }, windowOfficer);
      expect(listed.errors).toBeUndefined();
      const paper = listed.data?.consentsOfSubject.find((c) => c.granteeOrganisation === demoBankOrganisation && c.status !== 'REVOKED');
      expect(paper).toMatchObject({ id: demoConsents.notYetValid, purpose: 'FINANCIAL_SERVICES', subject: { id: walkIn.id } });

      const revoked = await platform.query<{ revokeConsent: { id: string; status: string } }>(REVOKE, { id: paper!.id }, windowOfficer);
      expect(revoked.errors).toBeUndefined();
      expect(revoked.data?.revokeConsent).toEqual({ id: demoConsents.notYetValid, status: 'REVOKED' });
      const after = await platform.query<{ consentsOfSubject: Listed[] }>(CONSENTS_OF, { code: walkIn.identifier }, windowOfficer);
      expect(after.data?.consentsOfSubject.find((c) => c.id === paper!.id)?.status).toBe('REVOKED');
    });

    it('tells the window nothing of the subject beyond its consents: its basics are cut, and not audited as read', async () => {
      const { result, entries } = await audited<{ consentsOfSubject: { id: string; subject: { name: string | null } | null }[] }>(
        windowOfficer,
        `query($code: String!) { consentsOfSubject(subjectCode: $code) { id subject { name } } }`,
        { code: owner.identifier },
      );
      expect(JSON.stringify(result.data)).not.toContain(owner.name);
      expect(result.errors?.length).toBeGreaterThan(0);
      for (const error of result.errors ?? []) expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', group: 'SUBJECT_BASICS' });
      expect(entries.filter((e) => e.outcome === 'DISCLOSED')).toEqual([{ organisation: 'CREDIT_OFFICE', subject: owner.id, groups: 'CONSENTS', outcome: 'DISCLOSED' }]);

      const byCode = await platform.query(`query($code: String!) { subjectByCode(code: $code) { name } }`, { code: owner.identifier }, windowOfficer);
      expect(byCode.data).toEqual({ subjectByCode: null });
      expect(byCode.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'SUBJECT_BASICS' });
    });

    it('answers a code no subject has as one whose subject gave none, and a malformed code with its typed error', async () => {
      const unknown = await audited<{ consentsOfSubject: Listed[] }>(windowOfficer, CONSENTS_OF, { code: '91130304MA0TEXT12Y' });
      expect(unknown.result.errors).toBeUndefined();
      expect(unknown.result.data).toEqual({ consentsOfSubject: [] });
      expect(unknown.entries).toEqual([]);

      const malformed = await platform.query(CONSENTS_OF, { code: `${owner.identifier.slice(0, 17)}${owner.identifier[17] === '0' ? '1' : '0'}` }, windowOfficer);
      expect(malformed.data).toEqual({ consentsOfSubject: null });
      expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'subjectCode', problem: 'WRONG_CHECK_CHARACTER' });
    });

    it("lets a subject list its own consents, and refuses it another's, audited in that subject's trail", async () => {
      const own = await platform.query<{ consentsOfSubject: Listed[] }>(CONSENTS_OF, { code: owner.identifier }, itself(owner));
      expect(own.errors).toBeUndefined();
      expect(own.data?.consentsOfSubject.map((c) => c.id)).toEqual([demoConsents.dueDiligence, demoConsents.bankFinancialServices, demoConsents.revoked, demoConsents.expired]);

      const { result, entries } = await audited(itself(otherSubject), CONSENTS_OF, { code: owner.identifier });
      expect(result.data).toEqual({ consentsOfSubject: null });
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(result)).not.toContain(owner.id);
      expect(entries).toEqual([{ organisation: otherSubject.identifier, subject: owner.id, groups: 'CONSENTS', outcome: 'DENIED' }]);
    });

    it.each([
      ['a bank reading under its consent', bankWith(demoConsents.bankFinancialServices)],
      ['a department officer under its matter', finance],
    ])("refuses %s, which holds no CONSENTS, before anything is fetched", async (_label, as) => {
      const { result, entries } = await audited(as, CONSENTS_OF, { code: owner.identifier });
      expect(result.data).toEqual({ consentsOfSubject: null });
      expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENTS', field: 'Query.consentsOfSubject' })]);
      // Refused at the gateway, and audited in the trail of the subject the code names.
      expect(entries).toEqual([expect.objectContaining({ subject: owner.id, groups: 'CONSENTS', outcome: 'DENIED' })]);
    });
  });

  describe('a consent of one day', () => {
    const today = todayInDistrict();
    const input = (day: string): GrantConsentInput => ({ subjectId: oneDaySubject.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validFrom: day, validUntil: day });

    it('is recorded by the window for today (validUntil = validFrom), and the bank reads under it today', async () => {
      const granted = await platform.query<{ grantConsent: { id: string; status: string; validFrom: string; validUntil: string } }>(GRANT, { input: input(today) }, windowOfficer);
      expect(granted.errors).toBeUndefined();
      expect(granted.data?.grantConsent).toMatchObject({ status: 'ACTIVE', validFrom: today, validUntil: today });

      const read = await platform.query<{ subject: { name: string } | null }>(READ, { id: oneDaySubject.id }, bankWith(granted.data!.grantConsent.id));
      expect(read.errors).toBeUndefined();
      expect(read.data).toEqual({ subject: { name: oneDaySubject.name } });
    });

    it('no longer lets the bank read on the next district day', async () => {
      // Granted through the same code as grantConsent, on the district's yesterday: today is its next day.
      const yesterday = addDays(today, -1);
      const grantedYesterday = new Date(startOfDistrictDay(yesterday).getTime() + 10 * 3_600_000);
      const consent = await new ConsentRepository(platform.databases.entities).grant(input(yesterday), { userId: 'window-sun', organisation: 'CREDIT_OFFICE' }, grantedYesterday);
      expect([consent.validFrom, consent.validUntil]).toEqual([yesterday, yesterday]);

      const read = await platform.query<{ subject: { name: string } | null }>(READ, { id: oneDaySubject.id }, bankWith(consent.id));
      expect(read.data).toEqual({ subject: null });
      expect(read.errors?.[0]).toMatchObject({ message: expect.stringContaining(`consent ${consent.id} is expired`), extensions: { code: 'FORBIDDEN' } });
    });

    it('is still refused when it would end before it begins', async () => {
      const refused = await platform.query(GRANT, { input: { ...input(addDays(today, 2)), validUntil: addDays(today, 1) } }, windowOfficer);
      expect(refused.data).toEqual({ grantConsent: null });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validUntil' });
    });
  });
});
