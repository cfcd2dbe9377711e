import type { Caller, Purpose, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants } from '../../../lib/access/policy';
import { todayInDistrict } from '../../../lib/calendar';
import { maskCitizenIdNumber } from '../../../lib/identifiers';
import { demoConsents } from '../../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld, type DemoSubject } from '../../../scripts/demo/world';
import { Consent } from '../../../subgraphs/entities/entities/consent.entity';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * The credit office supervises the use of credit data (五(一)): it finds a read in the audit log,
 * which names the consent the read relied on, and reads that consent to check the read's lawful
 * basis. It reads consents (CONSENTS, under CREDIT_SUPERVISION) and never grants or revokes one
 * (CONSENT_REGISTRATION, the subject's and the window's).
 */
const CONSENT_FIELDS = /* GraphQL */ `id subject { id } granteeOrganisation granteeKind purpose validFrom validUntil grantedBy grantedByOrganisation grantedAt revokedAt revokedBy revocationReason status`;
const CONSENT = /* GraphQL */ `query Consent($id: ID!) { consent(id: $id) { ${CONSENT_FIELDS} } }`;
const SUBJECT_CONSENTS = /* GraphQL */ `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { id consents { id grantedBy grantedByOrganisation revokedBy revocationReason status } } } }`;
const CONSENTS_OF = /* GraphQL */ `query($code: String!) { consentsOfSubject(subjectCode: $code) { id grantedBy status } }`;
const GRANT = /* GraphQL */ `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { ${CONSENT_FIELDS} } }`;
const REVOKE = /* GraphQL */ `mutation Revoke($id: ID!, $reason: String!) { revokeConsent(id: $id, reason: $reason) { ${CONSENT_FIELDS} } }`;

interface ConsentNode {
  id: string;
  subject: { id: string } | null;
  granteeOrganisation: string;
  granteeKind: string;
  purpose: string;
  validFrom: string;
  validUntil: string;
  grantedBy: string | null;
  grantedByOrganisation: string;
  grantedAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revocationReason: string | null;
  status: string;
}

/** A request's identity as the gateway decides it from the policy: nothing granted by hand. */
function decided(caller: Caller, purpose: Purpose | null, scope: RequestIdentity['scope'] = {}): RequestIdentity {
  const decision = decideGrants(caller, purpose);
  return { caller, purpose, grants: decision.groups, scope: { ...decision.scope, ...scope }, requestId: `${caller.id}-request` };
}

const supervisorCaller: Caller = { id: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' };
const supervision = decided(supervisorCaller, { matter: 'CREDIT_SUPERVISION' });
const windowOfficer = decided({ id: 'window-sun', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, null);

function selfOf(subject: DemoSubject): RequestIdentity {
  const caller: Caller = { id: `self-${subject.id.slice(0, 8)}`, organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id };
  return decided(caller, { matter: 'SELF_INQUIRY' });
}

/** A calendar day `days` after today in the district. */
const fromToday = (days: number) => new Date(Date.parse(`${todayInDistrict()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe.each(testDatabases)("the credit office's supervision reading consents in the entities subgraph on $label", (database) => {
  const { db, queryAs } = useSubgraph(entitiesSubgraph, database, 'consentsupervision');
  const world = demoWorld({ subjects: 40 });
  const owner = world.subjects[0];
  const counterparty = world.subjects[2];
  const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
  const granter = world.subjects.find((s, i) => i > 10 && s.kind === 'ENTERPRISE')!;
  const consents = () => db().getRepository(Consent);

  beforeAll(async () => {
    await seedEntities(db(), world);
  });

  it('reads the policy as granting the supervision CONSENTS, to read, and never CONSENT_REGISTRATION, to write', () => {
    expect(supervision.grants).toContain('CONSENTS');
    expect(supervision.grants).not.toContain('CONSENT_REGISTRATION');
    expect(windowOfficer.grants).toEqual(expect.arrayContaining(['CONSENTS', 'CONSENT_REGISTRATION']));
  });

  describe('Query.consent', () => {
    it('shows the supervisor a paper consent the window recorded and revoked: a person grantee masked, the officer named, the revocation whole', async () => {
      const granted = await queryAs<{ grantConsent: ConsentNode }>(windowOfficer, GRANT, {
        input: { subjectCode: granter.identifier, granteeOrganisation: person.identifier, granteeKind: 'INDIVIDUAL', purpose: 'COMMERCIAL_DUE_DILIGENCE', validUntil: fromToday(60) },
      });
      expect(granted.errors).toBeUndefined();
      const id = granted.data!.grantConsent.id;
      const revoked = await queryAs<{ revokeConsent: ConsentNode }>(windowOfficer, REVOKE, { id, reason: '合作洽谈终止' });
      expect(revoked.errors).toBeUndefined();

      const read = await queryAs<{ consent: ConsentNode }>(supervision, CONSENT, { id });
      expect(read.errors).toBeUndefined();
      expect(read.data?.consent).toEqual({
        id,
        subject: { id: granter.id },
        // The grantee's number is a third person's: masked to the supervision as to every reader.
        granteeOrganisation: maskCitizenIdNumber(person.identifier),
        granteeKind: 'INDIVIDUAL',
        purpose: 'COMMERCIAL_DUE_DILIGENCE',
        validFrom: todayInDistrict(),
        validUntil: fromToday(60),
        // The supervision is the administration: it reads which officer recorded and revoked it.
        grantedBy: 'window-sun',
        grantedByOrganisation: 'CREDIT_OFFICE',
        grantedAt: granted.data!.grantConsent.grantedAt,
        revokedAt: revoked.data!.revokeConsent.revokedAt,
        revokedBy: 'window-sun',
        revocationReason: '合作洽谈终止',
        status: 'REVOKED',
      });
      expect(read.data?.consent.revokedAt).toEqual(expect.any(String));
      expect(JSON.stringify(read.data)).not.toContain(person.identifier);
      // Stored whole: the mask is the answer's.
      expect((await consents().findOneByOrFail({ id })).granteeOrganisation).toBe(person.identifier);
      // Reading it discloses the consenting subject's data: audited in its trail, under CONSENTS.
      expect(read.extensions?.disclosures).toEqual([{ subjectId: granter.id, groups: ['CONSENTS'] }]);
    });

    it('shows the demo consent the bank reads under, which the window recorded, naming the window officer', async () => {
      const read = await queryAs<{ consent: ConsentNode }>(supervision, CONSENT, { id: demoConsents.bankFinancialServices });
      expect(read.errors).toBeUndefined();
      expect(read.data?.consent).toMatchObject({
        subject: { id: owner.id },
        granteeOrganisation: demoBankOrganisation,
        purpose: 'FINANCIAL_SERVICES',
        validFrom: '2026-07-01',
        validUntil: '2027-06-30',
        grantedBy: 'credit-office-window-1',
        grantedByOrganisation: 'CREDIT_OFFICE',
        revokedAt: null,
        revokedBy: null,
      });
      expect(read.extensions?.disclosures).toEqual([{ subjectId: owner.id, groups: ['CONSENTS'] }]);
    });

    it('names a person who recorded its own consent by its masked number, as the supervision holds no PERSONAL_IDENTIFIERS', async () => {
      const granted = await queryAs<{ grantConsent: ConsentNode }>(selfOf(person), GRANT, {
        input: { subjectId: person.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: fromToday(30) },
      });
      expect(granted.errors).toBeUndefined();
      const read = await queryAs<{ consent: ConsentNode }>(supervision, CONSENT, { id: granted.data!.grantConsent.id });
      expect(read.errors).toBeUndefined();
      expect(read.data?.consent).toMatchObject({ grantedByOrganisation: maskCitizenIdNumber(person.identifier), grantedBy: `self-${person.id.slice(0, 8)}`, status: 'ACTIVE' });
      expect(read.extensions?.disclosures).toEqual([{ subjectId: person.id, groups: ['CONSENTS'] }]);
    });

    it('answers null for an id no consent has, disclosing nothing', async () => {
      for (const id of ['no-such-consent', `${demoConsents.bankFinancialServices.slice(0, -1)}${demoConsents.bankFinancialServices.endsWith('0') ? '1' : '0'}`]) {
        const result = await queryAs(supervision, CONSENT, { id });
        expect(result).toMatchObject({ data: { consent: null } });
        expect(result.errors).toBeUndefined();
        expect(result.extensions?.disclosures).toBeUndefined();
      }
    });

    it('reads a consent named by its id in upper case, as the consent header names it', async () => {
      const result = await queryAs<{ consent: { id: string } }>(supervision, CONSENT, { id: demoConsents.bankFinancialServices.toUpperCase() });
      expect(result.errors).toBeUndefined();
      expect(result.data?.consent.id).toBe(demoConsents.bankFinancialServices);
    });

    it("lets a subject read its own consent by id, and refuses it another subject's and an unknown id alike", async () => {
      const own = await queryAs<{ consent: ConsentNode }>(selfOf(owner), CONSENT, { id: demoConsents.bankFinancialServices });
      expect(own.errors).toBeUndefined();
      expect(own.data?.consent.id).toBe(demoConsents.bankFinancialServices);
      // Outside the administration the officer who recorded it is not named, only its department.
      expect(own.data?.consent).toMatchObject({ grantedBy: null, grantedByOrganisation: 'CREDIT_OFFICE' });

      const other = await queryAs(selfOf(counterparty), CONSENT, { id: demoConsents.bankFinancialServices });
      const unknown = await queryAs(selfOf(counterparty), CONSENT, { id: 'no-such-consent' });
      for (const refused of [other, unknown]) {
        expect(refused.data).toEqual({ consent: null });
        expect(refused.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([[unknown.errors?.[0].message, 'FORBIDDEN']]);
        expect(refused.extensions?.disclosures).toBeUndefined();
      }
      // The refusal names the consent's subject to the gateway, for that subject's trail.
      expect(other.errors?.[0].extensions?.auditedRefusal).toEqual({ subjectId: owner.id });
      expect(unknown.errors?.[0].extensions?.auditedRefusal).toBeUndefined();
    });

    it('refuses, under a purpose covering some kinds of subject only, the consent of a subject of another kind', async () => {
      const organisationsOnly: RequestIdentity = { ...windowOfficer, grants: ['CONSENTS'], scope: { subjectKinds: ['ENTERPRISE', 'OTHER_ORGANISATION', 'INDIVIDUAL_BUSINESS'] } };
      const own = (await consents().findOneByOrFail({ subjectId: person.id })).id;
      const refused = await queryAs(organisationsOnly, CONSENT, { id: own });
      expect(refused.data).toEqual({ consent: null });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', auditedRefusal: { subjectId: person.id } });
      expect(refused.extensions?.disclosures).toBeUndefined();
      const allowed = await queryAs<{ consent: ConsentNode }>(organisationsOnly, CONSENT, { id: demoConsents.bankFinancialServices });
      expect(allowed.data?.consent.id).toBe(demoConsents.bankFinancialServices);
    });
  });

  describe("a subject's consents", () => {
    it('are listed to the supervisor, by subject and by code, with the officer who recorded each', async () => {
      const expected = [demoConsents.dueDiligence, demoConsents.bankFinancialServices, demoConsents.revoked, demoConsents.expired];
      const listed = await queryAs<{ _entities: { consents: { id: string; grantedBy: string | null; revocationReason: string | null; status: string }[] }[] }>(supervision, SUBJECT_CONSENTS, {
        r: [{ __typename: 'Subject', id: owner.id }],
      });
      expect(listed.errors).toBeUndefined();
      const list = listed.data!._entities[0].consents;
      expect(list.map((c) => c.id)).toEqual(expected);
      expect(list.find((c) => c.id === demoConsents.bankFinancialServices)?.grantedBy).toBe('credit-office-window-1');
      expect(list.find((c) => c.id === demoConsents.revoked)).toMatchObject({ status: 'REVOKED', revocationReason: '担保申请已撤回，撤销授权' });
      expect(listed.extensions?.disclosures).toEqual([{ subjectId: owner.id, groups: ['CONSENTS'] }]);

      const byCode = await queryAs<{ consentsOfSubject: { id: string; grantedBy: string | null }[] }>(supervision, CONSENTS_OF, { code: owner.identifier });
      expect(byCode.errors).toBeUndefined();
      expect(byCode.data?.consentsOfSubject.map((c) => c.id)).toEqual(expected);
      expect(byCode.extensions?.disclosures).toEqual([{ subjectId: owner.id, groups: ['CONSENTS'] }]);
    });
  });

  describe('the supervision never grants or revokes', () => {
    it('is refused grantConsent with FORBIDDEN naming CONSENT_REGISTRATION, and nothing is stored', async () => {
      const before = await consents().count();
      const result = await queryAs(supervision, GRANT, {
        input: { subjectId: owner.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: fromToday(30) },
      });
      expect(result.data).toEqual({ grantConsent: null });
      expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENT_REGISTRATION' })]);
      expect(result.extensions?.disclosures).toBeUndefined();
      expect(await consents().count()).toBe(before);
    });

    it('is refused revokeConsent with FORBIDDEN naming CONSENT_REGISTRATION, and the consent stays in force', async () => {
      const result = await queryAs(supervision, REVOKE, { id: demoConsents.bankFinancialServices, reason: '监管检查' });
      expect(result.data).toEqual({ revokeConsent: null });
      expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENT_REGISTRATION' })]);
      expect(await consents().findOneByOrFail({ id: demoConsents.bankFinancialServices })).toMatchObject({ revokedAt: null, revokedBy: null, revocationReason: null });
    });
  });

  describe('without CONSENTS', () => {
    const bank = decided({ id: 'banker-liu', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' }, { matter: 'FINANCIAL_SERVICES', consentId: demoConsents.bankFinancialServices }, { subjectId: world.subjects[0].id });
    const enterprise = decided(
      { id: 'counterparty-user', organisation: world.subjects[2].identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER' },
      { matter: 'COMMERCIAL_DUE_DILIGENCE', consentId: demoConsents.dueDiligence },
      { subjectId: world.subjects[0].id },
    );
    const finance = decided({ id: 'officer-zhang', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' });
    const supervisorWithoutPurpose = decided(supervisorCaller, null);
    const analyst = decided({ id: 'analyst-chen', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' }, { matter: 'STATISTICAL_ANALYSIS' });

    it.each([
      ['a bank reading under the consent itself', bank],
      ['an enterprise reading under its due-diligence consent', enterprise],
      ['a department officer under its matter', finance],
      ['an analyst', analyst],
      ['the supervisor without naming its supervision', supervisorWithoutPurpose],
    ])('%s reads no consent: FORBIDDEN naming CONSENTS, by id and by subject', async (_label, identity) => {
      expect(identity.grants).not.toContain('CONSENTS');
      const byId = await queryAs(identity, CONSENT, { id: demoConsents.bankFinancialServices });
      expect(byId.data).toEqual({ consent: null });
      expect(byId.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'CONSENTS' })]);
      expect(byId.extensions?.disclosures).toBeUndefined();

      const bySubject = await queryAs<{ _entities: ({ consents: unknown } | null)[] }>(identity, SUBJECT_CONSENTS, { r: [{ __typename: 'Subject', id: owner.id }] });
      expect(bySubject.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'CONSENTS' });
      expect(JSON.stringify(bySubject.data)).not.toContain(demoConsents.bankFinancialServices);
      expect(bySubject.extensions?.disclosures).toBeUndefined();
    });
  });
});
