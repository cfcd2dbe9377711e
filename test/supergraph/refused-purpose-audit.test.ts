import { demoConsents } from '../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * A request whose purpose is refused may still read what its caller's standing grants allow (the
 * credit office's window reads consents with no purpose at all). Its audit entries must not name
 * the refused purpose, case or consent as the basis of what it read: a subject's trail would show
 * a lawful basis that never applied, and the supervision count it under that matter.
 */
const world = demoWorld({ subjects: 8 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;

const windowClaimingAnotherPurpose: As = {
  caller: { id: 'window-officer', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-case': 'PROBE-H-FAKE', 'x-credit-consent': demoConsents.bankFinancialServices },
};

const bank = { id: 'banker', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' } as const;

interface Entry {
  outcome: string;
  matter: string | null;
  case_number: string | null;
  consent_id: string | null;
  field_groups: string;
}

describe.each(testDatabases)('the audit of a request whose purpose was refused on $label', (database) => {
  const platform = usePlatform(database, 'refusedpurpose', { seedSubjects: world.subjects.length });

  it('names no purpose, case or consent on what the standing grants still read, and keeps the refused ones on what was denied', async () => {
    const result = await platform.query<{ consentsOfSubject: { id: string }[] | null; subject: { name: string } | null }>(
      `query($code: String!, $id: ID!) { consentsOfSubject(subjectCode: $code) { id } subject(id: $id) { name } }`,
      { code: enterprise.identifier, id: enterprise.id },
      windowClaimingAnotherPurpose,
    );
    expect(result.data?.consentsOfSubject).not.toBeNull();
    expect(result.data?.subject).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const entries: Entry[] = await platform.databases.audit.query('SELECT outcome, matter, case_number, consent_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestIdOf(result)]);
    const disclosed = entries.filter((e) => e.outcome === 'DISCLOSED');
    const denied = entries.filter((e) => e.outcome === 'DENIED');
    expect(disclosed.map((e) => e.field_groups)).toEqual(['CONSENTS']);
    expect(disclosed.map(({ matter, case_number, consent_id }) => ({ matter, case_number, consent_id }))).toEqual([{ matter: null, case_number: null, consent_id: null }]);
    expect(denied.length).toBeGreaterThan(0);
    for (const entry of denied) expect({ matter: entry.matter, case_number: entry.case_number, consent_id: entry.consent_id }).toEqual({ matter: 'COMMERCIAL_DUE_DILIGENCE', case_number: 'PROBE-H-FAKE', consent_id: null });
  });

  // The credit office lists the attempts made under a consent by its id: one refused because it
  // was revoked or had expired is the bank's own, and each of its refusals names it.
  it.each([
    ['revoked', demoConsents.revoked, demoConsents.revoked],
    ['expired', demoConsents.expired, demoConsents.expired],
    ['given to another reader', demoConsents.dueDiligence, null],
    ['unknown', '00000000-0000-4000-8000-000000000000', null],
  ])('names a consent %s on the DENIED entries of the request refused under it only when it is the caller’s', async (_label, consentId, named) => {
    const result = await platform.query<{ subject: { name: string } | null }>(`query($id: ID!) { subject(id: $id) { name } }`, { id: world.subjects[0].id }, {
      caller: bank,
      headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': consentId },
    });
    expect(result.data?.subject).toBeNull();
    const entries: Entry[] = await platform.databases.audit.query('SELECT outcome, matter, case_number, consent_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestIdOf(result)]);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect({ outcome: entry.outcome, matter: entry.matter, consent_id: entry.consent_id }).toEqual({ outcome: 'DENIED', matter: 'FINANCIAL_SERVICES', consent_id: named });
  });
  // A purpose the caller may not name is refused before its consent is asked about; the consent it
  // cited is still named on the attempt when it was given to the caller (probe finding), never one
  // given to another reader or none at all.
  const counterpartyChecker = { id: 'clerk', organisation: world.subjects[2].identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER' } as const;
  it.each([
    ['FINANCIAL_SERVICES', demoConsents.dueDiligence, demoConsents.dueDiligence],
    ['PROVIDER_DATA_COLLECTION', demoConsents.dueDiligence, demoConsents.dueDiligence],
    ['GOVERNMENT_PROCUREMENT', demoConsents.dueDiligence, demoConsents.dueDiligence],
    ['FINANCIAL_SERVICES', demoConsents.bankFinancialServices, null],
    ['FINANCIAL_SERVICES', '11111111-2222-4333-8444-555555555555', null],
  ])('names the consent an enterprise cites under %s, a matter it may not name, on its DENIED entries when it is its own (%s → %s)', async (matter, consentId, named) => {
    expect(world.subjects[2].kind).toBe('ENTERPRISE');
    const result = await platform.query<{ subject: { name: string } | null }>(`query($id: ID!) { subject(id: $id) { name } }`, { id: world.subjects[0].id }, {
      caller: counterpartyChecker,
      headers: { 'x-credit-matter': matter, 'x-credit-case': 'X-1', 'x-credit-consent': consentId },
    });
    expect(result.data?.subject).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', problem: 'MATTER_NOT_OPEN_TO_CALLER' });
    const entries: Entry[] = await platform.databases.audit.query('SELECT outcome, matter, case_number, consent_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestIdOf(result)]);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect({ outcome: entry.outcome, matter: entry.matter, consent_id: entry.consent_id }).toEqual({ outcome: 'DENIED', matter, consent_id: named });
  });

  it('reads a consent id sent in upper case as the consent, and audits its reads and refusals under the id as the register holds it', async () => {
    for (const [label, consentId, outcome] of [
      ['active', demoConsents.bankFinancialServices, 'DISCLOSED'],
      ['revoked', demoConsents.revoked, 'DENIED'],
    ] as const) {
      const result = await platform.query<{ subject: { name: string } | null }>(`query($id: ID!) { subject(id: $id) { name } }`, { id: world.subjects[0].id }, {
        caller: bank,
        headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': ` ${consentId.toUpperCase()} ` },
      });
      expect({ label, read: result.data?.subject !== null }).toEqual({ label, read: outcome === 'DISCLOSED' });
      const entries: Entry[] = await platform.databases.audit.query('SELECT outcome, matter, case_number, consent_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestIdOf(result)]);
      expect(entries.map((e) => [e.outcome, e.consent_id])).toEqual([[outcome, consentId]]);
    }
  });
});
