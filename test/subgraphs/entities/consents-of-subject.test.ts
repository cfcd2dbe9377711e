import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants, purposeGrants } from '../../../lib/access/policy';
import { citizenIdNumber, maskCitizenIdNumber } from '../../../lib/identifiers';
import { demoBankOrganisation, demoWorld, type DemoSubject } from '../../../scripts/demo/world';
import { demoConsents } from '../../../scripts/demo/consents';
import { Consent } from '../../../subgraphs/entities/entities/consent.entity';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * The credit office's window holds CONSENTS and nothing else of a subject: a walk-in subject
 * revoking a paper consent (授权书) needs its consent found by the code it presents, without the
 * window reading the subject itself.
 */
const CONSENTS_OF = /* GraphQL */ `query ConsentsOf($code: String!) { consentsOfSubject(subjectCode: $code) { id status purpose granteeOrganisation grantedByOrganisation subject { id } } }`;

interface Listed {
  id: string;
  status: string;
  purpose: string;
  granteeOrganisation: string;
  grantedByOrganisation: string;
  subject: { id: string } | null;
}

const windowCaller: Caller = { id: 'window-sun', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const windowDecision = decideGrants(windowCaller, null);
/** The window officer's grants as the policy decides them: no purpose, standing grants only. */
const windowOfficer: RequestIdentity = { caller: windowCaller, purpose: null, grants: windowDecision.groups, scope: windowDecision.scope, requestId: 'window-request' };

function selfOf(subject: DemoSubject): RequestIdentity {
  return {
    caller: { id: `self-${subject.id.slice(0, 8)}`, organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id },
    purpose: { matter: 'SELF_INQUIRY' },
    grants: [...purposeGrants.SELF_INQUIRY],
    scope: { subjectId: subject.id },
    requestId: 'self-request',
  };
}

describe.each(testDatabases)('Query.consentsOfSubject on $label', (database) => {
  const { db, query, queryAs } = useSubgraph(entitiesSubgraph, database, 'consentsof');
  const world = demoWorld({ subjects: 40 });
  const owner = world.subjects[0];
  const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
  const withoutConsents = world.subjects[30];

  beforeAll(async () => {
    await seedEntities(db(), world);
  });

  it('gives the window officer CONSENTS and not SUBJECT_BASICS, as the policy does', () => {
    expect(windowOfficer.grants).toContain('CONSENTS');
    expect(windowOfficer.grants).not.toContain('SUBJECT_BASICS');
  });

  it("lists the subject's consents in every status, newest first, as Subject.consents does, and reports them disclosed under CONSENTS", async () => {
    const result = await queryAs<{ consentsOfSubject: Listed[] }>(windowOfficer, CONSENTS_OF, { code: owner.identifier });
    expect(result.errors).toBeUndefined();
    const stored = (await db().getRepository(Consent).findBy({ subjectId: owner.id })).sort((a, b) => b.grantedAt.getTime() - a.grantedAt.getTime() || (b.id < a.id ? -1 : 1));
    expect(result.data?.consentsOfSubject.map((c) => c.id)).toEqual(stored.map((c) => c.id));
    expect(result.data?.consentsOfSubject.map((c) => c.id)).toEqual([demoConsents.dueDiligence, demoConsents.bankFinancialServices, demoConsents.revoked, demoConsents.expired]);
    expect(new Set(result.data?.consentsOfSubject.map((c) => c.status))).toEqual(new Set(['ACTIVE', 'REVOKED', 'EXPIRED']));
    // The subject is named by its id alone, which revoking or granting for it needs.
    expect(result.data?.consentsOfSubject.every((c) => c.subject?.id === owner.id)).toBe(true);
    expect(result.extensions?.disclosures).toEqual([{ subjectId: owner.id, groups: ['CONSENTS'] }]);
  });

  it('takes the code as the subject presents it: lower case, with spaces', async () => {
    const result = await queryAs<{ consentsOfSubject: Listed[] }>(windowOfficer, CONSENTS_OF, { code: `  ${owner.identifier.toLowerCase()} ` });
    expect(result.errors).toBeUndefined();
    expect(result.data?.consentsOfSubject).toHaveLength(4);
  });

  it("finds a person's consents by the citizen ID number, naming the person only masked", async () => {
    const granted = await db().getRepository(Consent).save(
      db().getRepository(Consent).create({
        id: '5f000000-0000-4000-8000-000000000001',
        subjectId: person.id,
        granteeOrganisation: demoBankOrganisation,
        granteeKind: 'FINANCIAL_INSTITUTION',
        purpose: 'FINANCIAL_SERVICES',
        validFrom: '2026-01-01',
        validUntil: '2026-12-31',
        grantedBy: `self-${person.id.slice(0, 8)}`,
        grantedByOrganisation: person.identifier,
        grantedAt: new Date(Date.UTC(2026, 0, 1)),
        revokedAt: null,
        revokedBy: null,
        revocationReason: null,
      }),
    );
    const result = await queryAs<{ consentsOfSubject: Listed[] }>(windowOfficer, CONSENTS_OF, { code: person.identifier.toLowerCase() });
    expect(result.errors).toBeUndefined();
    expect(result.data?.consentsOfSubject).toEqual([expect.objectContaining({ id: granted.id, grantedByOrganisation: maskCitizenIdNumber(person.identifier) })]);
    expect(result.extensions?.disclosures).toEqual([{ subjectId: person.id, groups: ['CONSENTS'] }]);
  });

  it('reads nothing of the subject beyond its consents: its basics are FORBIDDEN to the window', async () => {
    const result = await queryAs<{ consentsOfSubject: { id: string; subject: { id: string; name: string | null } | null }[] | null }>(
      windowOfficer,
      `query($code: String!) { consentsOfSubject(subjectCode: $code) { id subject { id name } } }`,
      { code: owner.identifier },
    );
    expect(result.errors?.length).toBeGreaterThan(0);
    for (const error of result.errors ?? []) expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', group: 'SUBJECT_BASICS' });
    expect(JSON.stringify(result.data)).not.toContain(owner.name);
    expect(result.extensions?.disclosures).toEqual([{ subjectId: owner.id, groups: ['CONSENTS'] }]);
  });

  it('answers a code no subject has as one whose subject gave none: an empty list, disclosing nothing', async () => {
    const unknown = citizenIdNumber({ division: '130304', birthDate: '19700101', sequence: '999' });
    expect(world.subjects.some((s) => s.identifier === unknown)).toBe(false);
    const none = await queryAs<{ consentsOfSubject: Listed[] }>(windowOfficer, CONSENTS_OF, { code: unknown });
    expect(none.errors).toBeUndefined();
    expect(none.data).toEqual({ consentsOfSubject: [] });
    expect(none.extensions?.disclosures).toBeUndefined();

    const gaveNone = await queryAs<{ consentsOfSubject: Listed[] }>(windowOfficer, CONSENTS_OF, { code: withoutConsents.identifier });
    expect(gaveNone.data).toEqual({ consentsOfSubject: [] });
    expect(gaveNone.extensions?.disclosures).toEqual([{ subjectId: withoutConsents.id, groups: ['CONSENTS'] }]);
  });

  it.each([
    ['a code with a wrong check character', () => `${owner.identifier.slice(0, 17)}${owner.identifier[17] === '0' ? '1' : '0'}`, 'INVALID_CREDIT_CODE'],
    ['a citizen ID number with a wrong check character', () => '110105194912310021', 'INVALID_ID_NUMBER'],
    ['an id for a code', () => owner.id, 'INVALID_CREDIT_CODE'],
    ['a code pasted with a zero-width space', () => `${owner.identifier}\u200b`, 'INVALID_CREDIT_CODE'],
    ['a citizen ID number pasted with a word joiner', () => '11010519491231002X\u2060', 'INVALID_ID_NUMBER'],
  ])('refuses %s with its typed error, as subjectByCode does', async (_label, code, expected) => {
    const result = await queryAs(windowOfficer, CONSENTS_OF, { code: code() });
    expect(result.data).toEqual({ consentsOfSubject: null });
    expect(result.errors?.[0].extensions).toMatchObject({ code: expected, field: 'subjectCode', problem: expect.any(String) });
    const byCode = await query(`query($code: String!) { subjectByCode(code: $code) { id } }`, { code: code() });
    // The same refusal, naming this field's argument.
    expect(result.errors?.map((e) => [e.message, { ...e.extensions, field: 'code' }])).toEqual(byCode.errors?.map((e) => [e.message, e.extensions]));
  });

  it.each([
    ['empty', ''],
    ['only spaces', '  '],
  ])('refuses a code left %s as a required value missing (BAD_USER_INPUT), as subjectByCode does, not as a typed code of length 0', async (_label, code) => {
    const result = await queryAs(windowOfficer, CONSENTS_OF, { code });
    expect(result.data).toEqual({ consentsOfSubject: null });
    expect(result.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'subjectCode', problem: 'EMPTY' });
    const byCode = await query(`query($code: String!) { subjectByCode(code: $code) { id } }`, { code });
    expect(byCode.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'code', problem: 'EMPTY' });
  });

  it("lets a subject read its own consents by its code, and refuses another's, or one nobody has, alike", async () => {
    const own = await queryAs<{ consentsOfSubject: Listed[] }>(selfOf(owner), CONSENTS_OF, { code: owner.identifier });
    expect(own.errors).toBeUndefined();
    expect(own.data?.consentsOfSubject.map((c) => c.id)).toEqual([demoConsents.dueDiligence, demoConsents.bankFinancialServices, demoConsents.revoked, demoConsents.expired]);

    const other = await queryAs(selfOf(withoutConsents), CONSENTS_OF, { code: owner.identifier });
    const unknown = await queryAs(selfOf(withoutConsents), CONSENTS_OF, { code: citizenIdNumber({ division: '130304', birthDate: '19700101', sequence: '999' }) });
    for (const refused of [other, unknown]) {
      expect(refused.data).toEqual({ consentsOfSubject: null });
      expect(refused.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([[unknown.errors?.[0].message, 'FORBIDDEN']]);
      expect(refused.extensions?.disclosures).toBeUndefined();
    }
    // The refusal names the other subject to the gateway, for that subject's trail (taken off the answer there).
    expect(other.errors?.[0].extensions?.auditedRefusal).toEqual({ subjectId: owner.id });
  });

  it('is FORBIDDEN without CONSENTS: a bank reading under its consent, a department under its matter', async () => {
    const bank: RequestIdentity = {
      caller: { id: 'banker', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' },
      purpose: { matter: 'FINANCIAL_SERVICES', consentId: demoConsents.bankFinancialServices },
      grants: [...purposeGrants.FINANCIAL_SERVICES],
      scope: { subjectId: owner.id },
      requestId: 'bank-request',
    };
    const financeCaller: Caller = { id: 'officer-zhang', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
    const financePurpose = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' };
    const finance: RequestIdentity = { caller: financeCaller, purpose: financePurpose, grants: decideGrants(financeCaller, financePurpose).groups, scope: {}, requestId: 'finance-request' };
    for (const identity of [bank, finance]) {
      const result = await queryAs(identity, CONSENTS_OF, { code: owner.identifier });
      expect(result.data).toEqual({ consentsOfSubject: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'CONSENTS' });
      expect(result.extensions?.disclosures).toBeUndefined();
    }
  });
});
