import type { Caller } from '../../lib/access/identity';
import { addDays, todayInDistrict } from '../../lib/calendar';
import { maskCitizenIdNumber } from '../../lib/identifiers';
import { demoCallers } from '../../scripts/demo/callers';
import { demoConsents } from '../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * The credit office supervises the use of credit data (五(一)): it finds a bank's read in the
 * subject's audit trail, which names the consent the read relied on, and reads that consent under
 * its supervision purpose (`x-credit-matter: CREDIT_SUPERVISION`) to check the read's lawful
 * basis. It reads consents (CONSENTS) and never grants or revokes one (CONSENT_REGISTRATION).
 */
const world = demoWorld({ subjects: 40 });
const owner = world.subjects[0];
const counterparty = world.subjects[2];
const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
const granter = world.subjects.find((s, i) => i > 10 && s.kind === 'ENTERPRISE')!;

const demo = (label: string): As => {
  const found = demoCallers(world).find((c) => c.label.startsWith(label))!;
  return { caller: found.caller, headers: found.headers };
};
const supervisor = demo('Credit office supervisor');
const windowOfficer = demo('Credit office window officer');
const supervisorWithoutPurpose: As = { caller: supervisor.caller };
const bankCaller: Caller = { id: 'banker-liu', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' };
const bank: As = { caller: bankCaller, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices } };
const enterprise: As = {
  caller: { id: 'counterparty-user', organisation: counterparty.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER' },
  headers: { 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-consent': demoConsents.dueDiligence },
};
const finance = demo('Finance bureau officer');

const CONSENT = /* GraphQL */ `query LawfulBasis($id: ID!) {
  consent(id: $id) { id subject { id name } granteeOrganisation granteeKind purpose validFrom validUntil grantedBy grantedByOrganisation grantedAt revokedAt revokedBy revocationReason status }
}`;
const TRAIL = /* GraphQL */ `query Trail($id: ID!) { auditEntriesBySubject(subjectId: $id, first: 50) { edges { node { organisation matter consentId outcome } } } }`;
const SUBJECT_CONSENTS = /* GraphQL */ `query Consents($id: ID!) { subject(id: $id) { name consents { id granteeOrganisation granteeKind grantedBy grantedByOrganisation revokedAt revokedBy revocationReason status } } }`;
const GRANT = /* GraphQL */ `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`;
const REVOKE = /* GraphQL */ `mutation Revoke($id: ID!, $reason: String!) { revokeConsent(id: $id, reason: $reason) { id status revokedAt } }`;

interface Entry {
  organisation: string;
  role: string;
  matter: string | null;
  subject: string | null;
  groups: string;
  outcome: string;
}

describe.each(testDatabases)("the credit office's supervision reading consents through the gateway on $label", (database) => {
  const platform = usePlatform(database, 'consentsupervision', { seedSubjects: world.subjects.length });

  /** Sends the request with a request id of its own, and returns the answer and the audit entries it caused. */
  async function audited<T>(as: As, query: string, variables: Record<string, unknown>) {
    const result = await platform.query<T>(query, variables, as);
    const requestId = requestIdOf(result);
    const rows: { organisation: string; role: string; matter: string | null; subject_id: string | null; field_groups: string; outcome: string }[] = await platform.databases.audit.query(
      'SELECT organisation, role, matter, subject_id, field_groups, outcome FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    const entries: Entry[] = rows.map((r) => ({ organisation: r.organisation, role: r.role, matter: r.matter, subject: r.subject_id, groups: r.field_groups, outcome: r.outcome }));
    return { result, entries };
  }

  it('follows a bank’s read to the consent its audit entry cites, and reads that consent under CREDIT_SUPERVISION, audited under CONSENTS', async () => {
    const read = await platform.query<{ subject: { name: string } }>(`query($id: ID!) { subject(id: $id) { name } }`, { id: owner.id }, bank);
    expect(read.data?.subject).toEqual({ name: owner.name });

    const trail = await platform.query<{ auditEntriesBySubject: { edges: { node: { organisation: string; matter: string; consentId: string | null; outcome: string } }[] } }>(TRAIL, { id: owner.id }, supervisor);
    expect(trail.errors).toBeUndefined();
    const cited = trail.data?.auditEntriesBySubject.edges.map((e) => e.node).find((n) => n.organisation === demoBankOrganisation && n.outcome === 'DISCLOSED');
    expect(cited).toMatchObject({ matter: 'FINANCIAL_SERVICES', consentId: demoConsents.bankFinancialServices });

    const { result, entries } = await audited<{ consent: Record<string, unknown> }>(supervisor, CONSENT, { id: cited!.consentId });
    expect(result.errors).toBeUndefined();
    expect(result.data?.consent).toMatchObject({
      id: demoConsents.bankFinancialServices,
      subject: { id: owner.id, name: owner.name },
      granteeOrganisation: demoBankOrganisation,
      granteeKind: 'FINANCIAL_INSTITUTION',
      purpose: 'FINANCIAL_SERVICES',
      validFrom: '2026-07-01',
      validUntil: '2027-06-30',
      // Recorded at the window from the paper consent: the officer is named to the administration.
      grantedBy: 'credit-office-window-1',
      grantedByOrganisation: 'CREDIT_OFFICE',
      revokedAt: null,
      revokedBy: null,
      revocationReason: null,
      status: 'ACTIVE',
    });
    expect(entries).toEqual([{ organisation: 'CREDIT_OFFICE', role: 'CREDIT_OFFICE_SUPERVISOR', matter: 'CREDIT_SUPERVISION', subject: owner.id, groups: expect.stringContaining('CONSENTS'), outcome: 'DISCLOSED' }]);
    expect(entries[0].groups.split(',').sort()).toEqual(['CONSENTS', 'SUBJECT_BASICS']);
  });

  it("lists a subject's consents to the supervisor, a person grantee masked, the window officer who recorded and revoked one named", async () => {
    const granted = await platform.query<{ grantConsent: { id: string } }>(GRANT, {
      input: { subjectCode: granter.identifier, granteeOrganisation: person.identifier, granteeKind: 'INDIVIDUAL', purpose: 'COMMERCIAL_DUE_DILIGENCE', validUntil: addDays(todayInDistrict(), 60) },
    }, windowOfficer);
    expect(granted.errors).toBeUndefined();
    const id = granted.data!.grantConsent.id;
    const revoked = await platform.query<{ revokeConsent: { status: string; revokedAt: string } }>(REVOKE, { id, reason: '本人到窗口撤销授权' }, windowOfficer);
    expect(revoked.data?.revokeConsent.status).toBe('REVOKED');

    const { result, entries } = await audited<{ subject: { name: string; consents: Record<string, unknown>[] } }>(supervisor, SUBJECT_CONSENTS, { id: granter.id });
    expect(result.errors).toBeUndefined();
    expect(result.data?.subject.consents).toEqual([
      {
        id,
        granteeOrganisation: maskCitizenIdNumber(person.identifier),
        granteeKind: 'INDIVIDUAL',
        grantedBy: windowOfficer.caller!.id,
        grantedByOrganisation: 'CREDIT_OFFICE',
        revokedAt: revoked.data!.revokeConsent.revokedAt,
        revokedBy: windowOfficer.caller!.id,
        revocationReason: '本人到窗口撤销授权',
        status: 'REVOKED',
      },
    ]);
    expect(JSON.stringify(result)).not.toContain(person.identifier);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ organisation: 'CREDIT_OFFICE', matter: 'CREDIT_SUPERVISION', subject: granter.id, outcome: 'DISCLOSED' });
    expect(entries[0].groups.split(',')).toContain('CONSENTS');

    // The same consent by its id.
    const byId = await platform.query<{ consent: { revokedBy: string | null } }>(CONSENT, { id }, supervisor);
    expect(byId.data?.consent.revokedBy).toBe(windowOfficer.caller!.id);
  });

  it('answers an id no consent has with null, and audits nothing', async () => {
    const { result, entries } = await audited(supervisor, CONSENT, { id: `${demoConsents.bankFinancialServices.slice(0, -1)}${demoConsents.bankFinancialServices.endsWith('0') ? '1' : '0'}` });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ consent: null });
    expect(entries).toEqual([]);
  });

  it('reads no consent without its supervision purpose: FORBIDDEN naming CONSENTS and the matter that grants it', async () => {
    const { result, entries } = await audited(supervisorWithoutPurpose, CONSENT, { id: demoConsents.bankFinancialServices });
    expect(result.data).toEqual({ consent: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENTS', field: 'Query.consent' })]);
    expect(result.errors?.[0].message).toContain('CREDIT_SUPERVISION');
    // Audited as denied, with every group the refused selection asked for (its subject's name too).
    expect(entries.map((e) => [e.groups, e.outcome])).toEqual([['CONSENTS,SUBJECT_BASICS', 'DENIED']]);
  });

  it('never grants or revokes: both mutations are FORBIDDEN naming CONSENT_REGISTRATION, audited as denied, and nothing changes', async () => {
    const consentCount = async () => Number(((await platform.databases.entities.query('SELECT COUNT(*) AS n FROM consent')) as { n: number | string }[])[0].n);
    const before = await consentCount();
    const grant = await audited(supervisor, GRANT, {
      input: { subjectId: owner.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: addDays(todayInDistrict(), 30) },
    });
    expect(grant.result.data).toEqual({ grantConsent: null });
    expect(grant.result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENT_REGISTRATION', field: 'Mutation.grantConsent' })]);
    expect(grant.entries).toEqual([expect.objectContaining({ subject: owner.id, groups: 'CONSENT_REGISTRATION', outcome: 'DENIED' })]);
    expect(await consentCount()).toBe(before);

    const revoke = await audited(supervisor, REVOKE, { id: demoConsents.bankFinancialServices, reason: '监管检查' });
    expect(revoke.result.data).toEqual({ revokeConsent: null });
    expect(revoke.result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENT_REGISTRATION', field: 'Mutation.revokeConsent' })]);
    expect(revoke.entries.map((e) => [e.groups, e.outcome])).toEqual([['CONSENT_REGISTRATION', 'DENIED']]);
    const [row] = await platform.databases.entities.query('SELECT revoked_at FROM consent WHERE id = ?', [demoConsents.bankFinancialServices]);
    expect(row.revoked_at).toBeNull();
    // The bank still reads under it.
    const read = await platform.query<{ subject: { name: string } | null }>(`query($id: ID!) { subject(id: $id) { name } }`, { id: owner.id }, bank);
    expect(read.data?.subject).toEqual({ name: owner.name });
  });

  it.each([
    ['a bank reading under the consent itself', bank],
    ['an enterprise reading under its due-diligence consent', enterprise],
    ['a department officer under its matter', finance],
  ])('refuses %s the consent, by id and by subject: FORBIDDEN naming CONSENTS', async (_label, as) => {
    const byId = await audited(as, CONSENT, { id: demoConsents.bankFinancialServices });
    expect(byId.result.data).toEqual({ consent: null });
    expect(byId.result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENTS', field: 'Query.consent' })]);
    expect(byId.entries.map((e) => e.outcome)).toEqual(['DENIED']);

    const bySubject = await platform.query<{ subject: { consents: unknown } | null }>(`query($id: ID!) { subject(id: $id) { consents { id } } }`, { id: owner.id }, as);
    expect(bySubject.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENTS', field: 'Subject.consents' })]);
    expect(JSON.stringify(bySubject.data)).not.toContain(demoConsents.bankFinancialServices);
  });
});
