import type { RequestIdentity } from '../../../lib/access/identity';
import { purposeGrants } from '../../../lib/access/policy';
import { todayInDistrict } from '../../../lib/calendar';
import { maxQuotedCharacters } from '../../../lib/errors';
import { demoWorld, type DemoSubject } from '../../../scripts/demo/world';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { maskCitizenIdNumber } from '../../../lib/identifiers';
import { addYears, granteeOrganisationOf } from '../../../subgraphs/entities/consent.repository';
import { Consent, consentStatus, type ConsentStatus } from '../../../subgraphs/entities/entities/consent.entity';
import { Subject } from '../../../subgraphs/entities/entities/subject.entity';
import { In } from 'typeorm';
import { demoBankOrganisation } from '../../../scripts/demo/world';
import { demoConsents } from '../../../scripts/demo/consents';
import { seedEntities } from '../../../subgraphs/entities/seed';
import * as subjectNames from '../../../subgraphs/entities/subject-names';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';

interface ConsentNode {
  id: string;
  subject: { id: string } | null;
  granteeOrganisation: string;
  granteeKind: string;
  purpose: string;
  validFrom: string;
  validUntil: string;
  grantedBy: string;
  grantedByOrganisation: string;
  grantedAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revocationReason: string | null;
  status: ConsentStatus;
}

const CONSENT_FIELDS = /* GraphQL */ `id subject { id } granteeOrganisation granteeKind purpose validFrom validUntil grantedBy grantedByOrganisation grantedAt revokedAt revokedBy revocationReason status`;
const GRANT = /* GraphQL */ `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { ${CONSENT_FIELDS} } }`;
const REVOKE = /* GraphQL */ `mutation Revoke($id: ID!, $reason: String!) { revokeConsent(id: $id, reason: $reason) { ${CONSENT_FIELDS} } }`;
const CHECK = /* GraphQL */ `query Check($id: ID!) { consentForAccess(id: $id) { consentId subjectId granteeOrganisation purpose status } }`;
const SUBJECT_CONSENTS = /* GraphQL */ `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { id consents { id status } } } }`;

/** A calendar day `days` away from `date` (YYYY-MM-DD). */
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const officer: RequestIdentity = {
  caller: { id: 'officer-zhao', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  purpose: null,
  grants: ['CONSENTS', 'CONSENT_REGISTRATION', 'SUBJECT_BASICS'],
  scope: {},
  requestId: 'officer-request',
};

/** The gateway's own identity, looking a consent up before deciding a request. */
const gateway: RequestIdentity = { caller: null, purpose: null, grants: ['CONSENT_VERIFY'], scope: {}, requestId: 'gateway-check' };

/** A subject acting for itself (SELF_INQUIRY), as the gateway scopes it. */
function selfOf(subject: DemoSubject): RequestIdentity {
  return {
    caller: { id: `self-${subject.id.slice(0, 8)}`, organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id },
    purpose: { matter: 'SELF_INQUIRY' },
    grants: [...purposeGrants.SELF_INQUIRY],
    scope: { subjectId: subject.id },
    requestId: 'self-request',
  };
}

describe('consentStatus', () => {
  const consent = { validFrom: '2026-03-01', validUntil: '2027-02-28', revokedAt: null };
  it.each([
    ['the day before validFrom', '2026-02-28', 'NOT_YET_VALID'],
    ['validFrom itself', '2026-03-01', 'ACTIVE'],
    ['validUntil itself', '2027-02-28', 'ACTIVE'],
    ['the day after validUntil', '2027-03-01', 'EXPIRED'],
  ])('is judged on %s as %s', (_label, today, status) => {
    expect(consentStatus(consent, today)).toBe(status);
  });

  it('is REVOKED once revoked, whatever the dates', () => {
    for (const today of ['2026-02-28', '2026-06-01', '2027-03-01']) expect(consentStatus({ ...consent, revokedAt: new Date() }, today)).toBe('REVOKED');
  });

  it('allows one year, 29 February becoming 28 February', () => {
    expect(addYears('2026-11-25', 1)).toBe('2027-11-25');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(addYears('2027-02-28', 1)).toBe('2028-02-28');
    expect(addYears('0050-06-30', 1)).toBe('0051-06-30');
    expect(addYears('1999-02-28', 1)).toBe('2000-02-28');
    expect(addYears('9999-12-30', 1)).toBe('9999-12-31');
  });
});

describe.each(testDatabases)('consents in the entities subgraph on $label', (database) => {
  const { db, sql, query, queryAs } = useSubgraph(entitiesSubgraph, database, 'consents');
  const world = demoWorld({ subjects: 60 });
  const [owner, person, counterparty, , fourth] = world.subjects;
  const consents = () => db().getRepository(Consent);
  const today = todayInDistrict();

  beforeAll(async () => {
    await seedEntities(db(), world);
  });

  const grantInput = (overrides: Record<string, unknown> = {}) => ({
    subjectId: owner.id,
    granteeOrganisation: demoBankOrganisation,
    granteeKind: 'FINANCIAL_INSTITUTION',
    purpose: 'FINANCIAL_SERVICES',
    validUntil: shift(today, 90),
    ...overrides,
  });

  describe('the seed', () => {
    it('cites the ids the README and tests use, and tells each status as of the demo day 2026-11-25', async () => {
      const rows = await consents().findBy({});
      const byId = new Map(rows.map((r) => [r.id, r]));
      const statusOn = (id: string) => {
        const row = byId.get(id);
        if (!row) throw new Error(`demo consent ${id} was not seeded`);
        return consentStatus(row, '2026-11-25');
      };
      expect(rows).toHaveLength(6);
      expect({
        bankFinancialServices: statusOn(demoConsents.bankFinancialServices),
        expired: statusOn(demoConsents.expired),
        revoked: statusOn(demoConsents.revoked),
        dueDiligence: statusOn(demoConsents.dueDiligence),
        providerCollection: statusOn(demoConsents.providerCollection),
        notYetValid: statusOn(demoConsents.notYetValid),
      }).toEqual({ bankFinancialServices: 'ACTIVE', expired: 'EXPIRED', revoked: 'REVOKED', dueDiligence: 'ACTIVE', providerCollection: 'ACTIVE', notYetValid: 'NOT_YET_VALID' });
      expect(byId.get(demoConsents.bankFinancialServices)).toMatchObject({ subjectId: owner.id, granteeOrganisation: demoBankOrganisation, purpose: 'FINANCIAL_SERVICES', validUntil: '2027-06-30' });
      // Named by its code, as the counterparty's tokens name it.
      expect(byId.get(demoConsents.dueDiligence)).toMatchObject({ subjectId: owner.id, granteeOrganisation: counterparty.identifier, granteeKind: 'ENTERPRISE', purpose: 'COMMERCIAL_DUE_DILIGENCE' });
      // Every seeded consent could have been granted through the API: at most a year, not before
      // validFrom, its grantee named as grantConsent stores it.
      for (const row of rows) {
        expect(row.validUntil >= row.validFrom && row.validUntil <= addYears(row.validFrom, 1)).toBe(true);
        expect([row.id, granteeOrganisationOf(row.granteeOrganisation, row.granteeKind)]).toEqual([row.id, row.granteeOrganisation]);
      }
      // A subject granting for itself is recorded under its token's organisation, as the API records it.
      expect(byId.get(demoConsents.dueDiligence)?.grantedByOrganisation).toBe(owner.identifier);
    });

    it('draws the same ids for a world of any size, and adds nothing to a seeded database', async () => {
      const ids = Object.values(demoConsents);
      expect(new Set(ids).size).toBe(6);
      const indexNames = jest.spyOn(subjectNames, 'indexSubjectNames');
      try {
        expect(await seedEntities(db(), demoWorld({ subjects: 60 }))).toBeNull();
        expect(indexNames).not.toHaveBeenCalled();
      } finally {
        indexNames.mockRestore();
      }
      expect((await consents().findBy({})).map((r) => r.id).sort()).toEqual([...ids].sort());
    });

    it('has every demo consent recorded by the subject itself or the credit office, as grantConsent allows', async () => {
      const subjects = new Map((await db().getRepository(Subject).find()).map((s) => [s.id, s.identifier]));
      for (const consent of await consents().findBy({ id: In(Object.values(demoConsents)) })) {
        expect([consent.id, consent.grantedByOrganisation]).toEqual([consent.id, expect.stringMatching(new RegExp(`^(CREDIT_OFFICE|${subjects.get(consent.subjectId)})$`))]);
      }
    });
  });

  describe('Mutation.grantConsent', () => {
    it('records a consent from an officer, valid from today by default and ACTIVE', async () => {
      const result = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: grantInput() });
      expect(result.errors).toBeUndefined();
      const granted = result.data!.grantConsent;
      expect(granted).toMatchObject({
        subject: { id: owner.id },
        granteeOrganisation: demoBankOrganisation,
        granteeKind: 'FINANCIAL_INSTITUTION',
        purpose: 'FINANCIAL_SERVICES',
        validFrom: today,
        validUntil: shift(today, 90),
        grantedBy: 'officer-zhao',
        grantedByOrganisation: 'CREDIT_OFFICE',
        revokedAt: null,
        revokedBy: null,
        revocationReason: null,
        status: 'ACTIVE',
      });
      expect(await consents().findOneBy({ id: granted.id })).toMatchObject({ subjectId: owner.id, validFrom: today, grantedBy: 'officer-zhao' });
      // Its result is the subject's data: reported as disclosed under the group that allowed it.
      expect(result.extensions?.disclosures).toEqual([{ subjectId: owner.id, groups: ['CONSENT_REGISTRATION'] }]);
    });

    it('answers the same grant sent again, or ten times at once, with the one consent, and grants anew once it is revoked', async () => {
      const subject = world.subjects[9];
      const input = grantInput({ subjectId: subject.id, validUntil: shift(today, 30) });
      const count = () => consents().countBy({ subjectId: subject.id, validUntil: input.validUntil });
      const first = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input });
      const again = await Promise.all(Array.from({ length: 10 }, () => queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input })));
      expect(new Set([first, ...again].map((r) => r.data?.grantConsent.id))).toEqual(new Set([first.data!.grantConsent.id]));
      expect(await count()).toBe(1);

      // A bank's organisation id is compared exactly, as the gateway compares it with tokens: `bank_x` is not `BANK_X`.
      const otherCase = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: { ...input, granteeOrganisation: input.granteeOrganisation.toLowerCase() } });
      expect(otherCase.data?.grantConsent).toMatchObject({ granteeOrganisation: input.granteeOrganisation.toLowerCase() });
      expect(otherCase.data?.grantConsent.id).not.toBe(first.data!.grantConsent.id);

      // Other terms are another consent: a renewal with a later end stands beside the first.
      const renewal = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: { ...input, validUntil: shift(today, 31) } });
      expect(renewal.data?.grantConsent.id).not.toBe(first.data!.grantConsent.id);

      await queryAs(officer, REVOKE, { id: first.data!.grantConsent.id, reason: '客户撤回授权' });
      const regranted = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input });
      expect(regranted.data?.grantConsent).toMatchObject({ status: 'ACTIVE', revokedAt: null });
      expect(regranted.data?.grantConsent.id).not.toBe(first.data!.grantConsent.id);
      expect(await count()).toBe(3);
    });

    it('reads the purpose in any letter case and width, trimmed, as every code typed is, and keeps the code: one consent however typed', async () => {
      const subject = world.subjects[11];
      const input = grantInput({ subjectId: subject.id, validUntil: shift(today, 45) });
      const ids = [];
      for (const purpose of ['financial_services', ' Financial_Services ', '\u3000ＦＩＮＡＮＣＩＡＬ＿ＳＥＲＶＩＣＥＳ', 'FINANCIAL_SERVICES']) {
        const result = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: { ...input, purpose } });
        expect({ purpose, errors: result.errors, granted: result.data?.grantConsent.purpose }).toEqual({ purpose, errors: undefined, granted: 'FINANCIAL_SERVICES' });
        ids.push(result.data!.grantConsent.id);
      }
      expect(new Set(ids).size).toBe(1);
      expect((await consents().findBy({ subjectId: subject.id })).map((c) => c.purpose)).toEqual(['FINANCIAL_SERVICES']);
      expect((await queryAs<{ consentForAccess: { purpose: string } }>(gateway, CHECK, { id: ids[0] })).data?.consentForAccess.purpose).toBe('FINANCIAL_SERVICES');
    });

    it('accepts exactly one year, a future validFrom (NOT_YET_VALID) and every purpose for its own kinds of grantee', async () => {
      const inputs = [
        grantInput({ validFrom: today, validUntil: addYears(today, 1) }),
        grantInput({ validFrom: shift(today, 10), validUntil: shift(today, 40) }),
        grantInput({ granteeOrganisation: counterparty.identifier, granteeKind: 'ENTERPRISE', purpose: 'COMMERCIAL_DUE_DILIGENCE' }),
        grantInput({ granteeOrganisation: person.identifier, granteeKind: 'INDIVIDUAL', purpose: 'COMMERCIAL_DUE_DILIGENCE' }),
        grantInput({ granteeOrganisation: world.providers[0].unifiedSocialCreditCode, granteeKind: 'CREDIT_SERVICE_PROVIDER', purpose: 'PROVIDER_DATA_COLLECTION' }),
      ];
      const statuses = [];
      for (const input of inputs) {
        const result = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input });
        expect(result.errors).toBeUndefined();
        statuses.push(result.data?.grantConsent.status);
      }
      expect(statuses).toEqual(['ACTIVE', 'NOT_YET_VALID', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
    });

    it('refuses a consent of a subject to itself, which reads its own credit under SELF_INQUIRY, and stores nothing', async () => {
      const before = await consents().count();
      for (const [subject, granteeKind] of [[owner, 'ENTERPRISE'], [person, 'INDIVIDUAL']] as const) {
        const result = await queryAs(officer, GRANT, { input: grantInput({ subjectId: subject.id, granteeOrganisation: subject.identifier.toLowerCase(), granteeKind, purpose: 'COMMERCIAL_DUE_DILIGENCE' }) });
        expect(result.data).toEqual({ grantConsent: null });
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'granteeOrganisation', problem: 'CONSENT_TO_ITSELF' });
      }
      expect(await consents().count()).toBe(before);
    });

    it.each([
      ['an enterprise by its code, in lower case and with spaces', 'ENTERPRISE', 'COMMERCIAL_DUE_DILIGENCE', ` ${counterparty.identifier.toLowerCase()}\t`, counterparty.identifier],
      ['a credit service provider by its code, in lower case', 'CREDIT_SERVICE_PROVIDER', 'PROVIDER_DATA_COLLECTION', world.providers[0].unifiedSocialCreditCode.toLowerCase(), world.providers[0].unifiedSocialCreditCode],
      ['a person by a citizen ID number with a lower-case x and spaces', 'INDIVIDUAL', 'COMMERCIAL_DUE_DILIGENCE', '  11010519491231002x ', '11010519491231002X'],
      ['a bank by its organisation id, trimmed but otherwise as given', 'FINANCIAL_INSTITUTION', 'FINANCIAL_SERVICES', ` ${demoBankOrganisation} `, demoBankOrganisation],
    ])('names %s as its tokens carry it', async (_label, granteeKind, purpose, given, stored) => {
      const result = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: grantInput({ granteeOrganisation: given, granteeKind, purpose }) });
      expect(result.errors).toBeUndefined();
      // The window officer reads a person's number masked, as it would read the person's own; the gateway compares it in full.
      expect(result.data?.grantConsent.granteeOrganisation).toBe(granteeKind === 'INDIVIDUAL' ? maskCitizenIdNumber(stored) : stored);
      const id = result.data!.grantConsent.id;
      expect((await consents().findOneByOrFail({ id })).granteeOrganisation).toBe(stored);
      expect((await queryAs<{ consentForAccess: { granteeOrganisation: string } }>(gateway, CHECK, { id })).data?.consentForAccess.granteeOrganisation).toBe(stored);
    });

    const code = counterparty.identifier;
    /** The code with another, wrong check character. */
    const wrongCheck = `${code.slice(0, 17)}${code[17] === '0' ? '1' : '0'}`;
    const enterprise = { granteeKind: 'ENTERPRISE', purpose: 'COMMERCIAL_DUE_DILIGENCE' };
    const individual = { granteeKind: 'INDIVIDUAL', purpose: 'COMMERCIAL_DUE_DILIGENCE' };
    const provider = { granteeKind: 'CREDIT_SERVICE_PROVIDER', purpose: 'PROVIDER_DATA_COLLECTION' };
    it.each([
      ["an enterprise's subject id for an ENTERPRISE grantee", { ...enterprise, granteeOrganisation: counterparty.id }, 'WRONG_LENGTH', /unified social credit code.*subject's id/],
      ['a code with a wrong check character', { ...enterprise, granteeOrganisation: wrongCheck }, 'WRONG_CHECK_CHARACTER', /check character should be/],
      ['a code with a wrong organisation-code check character', { ...enterprise, granteeOrganisation: `${code.slice(0, 16)}${code[16] === '0' ? '1' : '0'}${code[17]}` }, 'INVALID_ORGANISATION_CODE', /organisation code check character/],
      ['a code with a letter no code has', { ...enterprise, granteeOrganisation: `${code.slice(0, 17)}O` }, 'FORBIDDEN_CHARACTER', /position 18/],
      ["a person's citizen ID number for an ENTERPRISE grantee", { ...enterprise, granteeOrganisation: person.identifier }, expect.any(String), /grantee of kind INDIVIDUAL/],
      ["a person's subject id for an INDIVIDUAL grantee", { ...individual, granteeOrganisation: person.id }, 'WRONG_LENGTH', /citizen ID number.*subject's id/],
      ['a made-up name for an INDIVIDUAL grantee', { ...individual, granteeOrganisation: 'person-42' }, 'WRONG_LENGTH', /citizen ID number/],
      ['a citizen ID number with a wrong check character', { ...individual, granteeOrganisation: '110105194912310021' }, 'WRONG_CHECK_CHARACTER', /check character should be X/],
      ['a citizen ID number with an impossible birth date', { ...individual, granteeOrganisation: '130304198002300011' }, 'INVALID_BIRTH_DATE', /birth date/],
      ["an enterprise's code for an INDIVIDUAL grantee", { ...individual, granteeOrganisation: code }, expect.any(String), /grantee of kind ENTERPRISE/],
      ["a provider's registry id for a CREDIT_SERVICE_PROVIDER grantee", { ...provider, granteeOrganisation: world.providers[0].id }, 'WRONG_LENGTH', /unified social credit code/],
      ["a department's code for an ENTERPRISE grantee", { ...enterprise, granteeOrganisation: 'FINANCE' }, 'WRONG_LENGTH', /Finance Bureau.*legal basis/],
    ])('refuses %s with the identifier’s error naming granteeOrganisation, and stores nothing', async (_label, overrides, problem, message) => {
      const before = await consents().count();
      const result = await queryAs(officer, GRANT, { input: grantInput(overrides) });
      expect(result.data).toEqual({ grantConsent: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: (overrides as { granteeKind: string }).granteeKind === 'INDIVIDUAL' ? 'INVALID_ID_NUMBER' : 'INVALID_CREDIT_CODE', field: 'granteeOrganisation', problem });
      expect(result.errors?.[0].message).toMatch(message);
      expect(await consents().count()).toBe(before);
    });

    // A bank's id cannot be validated, but a subject's id, a department's code or a name the
    // platform records is never one: the consent would name no reader, or let a department read
    // without its matter's legal basis.
    it.each([
      ["a subject's id", () => owner.id, /subject's id names no reader/],
      ["a subject's id in lower case, with spaces", () => ` ${counterparty.id.toLowerCase()} `, /subject's id names no reader/],
      ["a subject's id in upper case", () => person.id.toUpperCase(), /subject's id names no reader/],
      ["a district department's code", () => 'FINANCE', /Finance Bureau.*legal basis/],
      ["a district department's code in lower case", () => ' credit_office ', /Social Credit Office.*legal basis/],
      ["a person's citizen ID number", () => person.identifier, /reads as a citizen ID number/],
      ["a person's citizen ID number in full-width digits", () => person.identifier.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))), /reads as a citizen ID number/],
      // The gateway refuses a bank's token whose org reads as one of these: no token could use the consent.
      ["a district department's code with a full stop", () => 'Finance.', /reads as FINANCE.*Finance Bureau.*no token can carry it/],
      ["a district department's code with a Cyrillic А", () => 'FIN\u0410NCE', /reads as FINANCE.*Finance Bureau.*no token can carry it/],
      ['the name the platform records for itself', () => 'PLATFORM', /reads as PLATFORM.*no token can carry it/],
      ["the name recorded for a printable page's reader", () => 'anonymous', /reads as anonymous.*no token can carry it/],
      ['the name recorded for a refused token, spaced', () => ' Un-Verified ', /reads as unverified.*no token can carry it/],
      ["an id holding a person's citizen ID number", () => `${person.identifier}@idp`, /holds a citizen ID number.*no token of this kind can carry one/],
    ])('refuses %s as a FINANCIAL_INSTITUTION grantee with BAD_USER_INPUT naming granteeOrganisation, and stores nothing', async (_label, grantee, message) => {
      const before = await consents().count();
      const result = await queryAs(officer, GRANT, { input: grantInput({ granteeOrganisation: grantee() }) });
      expect(result.data).toEqual({ grantConsent: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'granteeOrganisation' });
      expect(result.errors?.[0].message).toMatch(message);
      expect(await consents().count()).toBe(before);
    });

    it('checks the grantee against its own kind: a valid code is fine for an enterprise, not for a person', () => {
      const other = unifiedSocialCreditCode({ authority: '5', orgType: '1', division: '130304', organisationBody: 'MA0TEXT1' });
      expect(granteeOrganisationOf(other, 'ENTERPRISE')).toBe(other);
      expect(() => granteeOrganisationOf(other, 'INDIVIDUAL')).toThrow(/citizen ID number/);
      expect(granteeOrganisationOf(' any-Bank.id ', 'FINANCIAL_INSTITUTION')).toBe('any-Bank.id');
      // Only a department's code itself is refused, not a bank's id that contains one.
      expect(granteeOrganisationOf('BANK_FINANCE', 'FINANCIAL_INSTITUTION')).toBe('BANK_FINANCE');
    });

    it('lets a subject acting for itself grant for itself', async () => {
      const result = await queryAs<{ grantConsent: ConsentNode }>(selfOf(person), GRANT, { input: grantInput({ subjectId: person.id }) });
      expect(result.errors).toBeUndefined();
      expect(result.data?.grantConsent).toMatchObject({ subject: { id: person.id }, grantedBy: `self-${person.id.slice(0, 8)}`, grantedByOrganisation: person.identifier });
    });

    it("masks a person's citizen ID number in a consent for a reader without PERSONAL_IDENTIFIERS, as the person's own", async () => {
      const granted = await queryAs<{ grantConsent: ConsentNode }>(selfOf(person), GRANT, { input: grantInput({ subjectId: person.id, granteeOrganisation: owner.identifier, granteeKind: 'ENTERPRISE', purpose: 'COMMERCIAL_DUE_DILIGENCE' }) });
      expect(granted.errors).toBeUndefined();
      const id = granted.data!.grantConsent.id;
      expect((await queryAs(selfOf(person), REVOKE, { id, reason: '不再合作' })).errors).toBeUndefined();
      const LIST = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { consents { id granteeOrganisation grantedByOrganisation revokedByOrganisation } } } }`;
      const read = (identity: RequestIdentity) => queryAs<{ _entities: { consents: { id: string; granteeOrganisation: string; grantedByOrganisation: string; revokedByOrganisation: string }[] }[] }>(identity, LIST, { r: [{ __typename: 'Subject', id: person.id }] });
      const byOfficer = (await read(officer)).data?._entities[0].consents.find((c) => c.id === id);
      expect(byOfficer).toEqual({ id, granteeOrganisation: owner.identifier, grantedByOrganisation: maskCitizenIdNumber(person.identifier), revokedByOrganisation: maskCitizenIdNumber(person.identifier) });
      const bySelf = (await read(selfOf(person))).data?._entities[0].consents.find((c) => c.id === id);
      expect(bySelf).toEqual({ id, granteeOrganisation: owner.identifier, grantedByOrganisation: person.identifier, revokedByOrganisation: person.identifier });
    });

    it("masks a person grantee's citizen ID number to the consenting subject, whose own inquiry does not cover another person's number, as its audit trail masks it", async () => {
      const granted = await queryAs<{ grantConsent: ConsentNode }>(selfOf(owner), GRANT, { input: grantInput({ subjectId: owner.id, granteeOrganisation: person.identifier, granteeKind: 'INDIVIDUAL', purpose: 'COMMERCIAL_DUE_DILIGENCE' }) });
      expect(granted.errors).toBeUndefined();
      expect(granted.data?.grantConsent.granteeOrganisation).toBe(maskCitizenIdNumber(person.identifier));
      const LIST = `query($code: String!) { consentsOfSubject(subjectCode: $code) { id granteeOrganisation } }`;
      const listed = await queryAs<{ consentsOfSubject: { id: string; granteeOrganisation: string }[] }>(selfOf(owner), LIST, { code: owner.identifier });
      expect(listed.data?.consentsOfSubject.find((c) => c.id === granted.data!.grantConsent.id)).toEqual({ id: granted.data!.grantConsent.id, granteeOrganisation: maskCitizenIdNumber(person.identifier) });
      expect((await consents().findOneByOrFail({ id: granted.data!.grantConsent.id })).granteeOrganisation).toBe(person.identifier);
    });

    it('names who recorded and revoked a consent to the subject only when it was its own user, never the window’s officer', async () => {
      const LIST = `query($code: String!) { consentsOfSubject(subjectCode: $code) { id grantedBy grantedByOrganisation revokedBy revokedByOrganisation } }`;
      const list = async (identity: RequestIdentity) =>
        new Map((await queryAs<{ consentsOfSubject: { id: string; grantedBy: string | null; grantedByOrganisation: string; revokedBy: string | null; revokedByOrganisation: string | null }[] }>(identity, LIST, { code: owner.identifier })).data!.consentsOfSubject.map((c) => [c.id, c]));
      const byWindow = (await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: grantInput({ purpose: 'COMMERCIAL_DUE_DILIGENCE', granteeOrganisation: counterparty.identifier, granteeKind: 'ENTERPRISE', validUntil: shift(today, 71) }) })).data!.grantConsent.id;
      const bySelf = (await queryAs<{ grantConsent: ConsentNode }>(selfOf(owner), GRANT, { input: grantInput({ purpose: 'PROVIDER_DATA_COLLECTION', granteeOrganisation: world.providers[0].unifiedSocialCreditCode, granteeKind: 'CREDIT_SERVICE_PROVIDER', validUntil: shift(today, 72) }) })).data!.grantConsent.id;
      expect((await queryAs(officer, REVOKE, { id: byWindow, reason: '客户撤回授权' })).errors).toBeUndefined();
      expect((await queryAs(selfOf(owner), REVOKE, { id: bySelf, reason: '不再合作' })).errors).toBeUndefined();
      const own = await list(selfOf(owner));
      expect(own.get(byWindow)).toEqual({ id: byWindow, grantedBy: null, grantedByOrganisation: 'CREDIT_OFFICE', revokedBy: null, revokedByOrganisation: 'CREDIT_OFFICE' });
      expect(own.get(bySelf)).toEqual({ id: bySelf, grantedBy: selfOf(owner).caller!.id, grantedByOrganisation: owner.identifier, revokedBy: selfOf(owner).caller!.id, revokedByOrganisation: owner.identifier });
      const window = await list(officer);
      expect(window.get(byWindow)).toMatchObject({ grantedBy: officer.caller!.id, revokedBy: officer.caller!.id, revokedByOrganisation: 'CREDIT_OFFICE' });
      expect(window.get(bySelf)).toMatchObject({ grantedBy: selfOf(owner).caller!.id, revokedBy: selfOf(owner).caller!.id, revokedByOrganisation: owner.identifier });
      expect(await consents().findOneByOrFail({ id: byWindow })).toMatchObject({ revokedBy: officer.caller!.id, revokedByOrganisation: 'CREDIT_OFFICE' });
    });

    it('refuses a grantee no token can name (an invisible character in it) and a revocation reason that reads reversed, changing nothing', async () => {
      const before = await consents().count();
      const hidden = await queryAs(officer, GRANT, { input: grantInput({ granteeOrganisation: 'BANK\u200bHEBEI' }) });
      expect(hidden.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'granteeOrganisation' });
      expect(await consents().count()).toBe(before);
      const granted = (await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: grantInput({ validUntil: shift(today, 73) }) })).data!.grantConsent;
      const reversed = await queryAs(officer, REVOKE, { id: granted.id, reason: '客户\u202e权授回撤' });
      expect(reversed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
      expect((await consents().findOneByOrFail({ id: granted.id })).revokedAt).toBeNull();
      const twoLines = await queryAs<{ revokeConsent: ConsentNode }>(officer, REVOKE, { id: granted.id, reason: '客户撤回授权：\n见授权撤销书' });
      expect(twoLines.data?.revokeConsent.revocationReason).toBe('客户撤回授权：\n见授权撤销书');
    });

    // README, Errors: `field` is the path inside `input`, and a blank optional text is as if left out.
    it('takes a subjectId or subjectCode left blank as left out, and names either by its path inside input', async () => {
      const byId = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: grantInput({ subjectCode: '', validUntil: shift(today, 81) }) });
      expect(byId.errors).toBeUndefined();
      expect(byId.data?.grantConsent.subject).toEqual({ id: owner.id });
      const byCode = await queryAs<{ grantConsent: ConsentNode }>(officer, GRANT, { input: grantInput({ subjectId: '  ', subjectCode: counterparty.identifier, validUntil: shift(today, 82) }) });
      expect(byCode.errors).toBeUndefined();
      expect(byCode.data?.grantConsent.subject).toEqual({ id: counterparty.id });

      const before = await consents().count();
      const refused = async (overrides: Record<string, unknown>) => {
        const result = await queryAs(officer, GRANT, { input: grantInput({ validUntil: shift(today, 83), ...overrides }) });
        expect(result.data).toEqual({ grantConsent: null });
        return result.errors?.[0].extensions;
      };
      // The window's form has only the code: left blank there, it is the field named; and a
      // subjectId left blank is as if left out, an optional ID in every argument (README, Errors).
      expect(await refused({ subjectId: ' ', subjectCode: '\u3000' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjectCode' });
      expect(await refused({ subjectId: null, subjectCode: '  ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjectCode' });
      expect(await refused({ subjectId: null, subjectCode: null })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjectId' });
      expect(await refused({ subjectCode: owner.identifier })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjectCode' });
      expect(await refused({ subjectId: null, subjectCode: '91130304MA0TEXT12Y' })).toMatchObject({ code: 'NOT_FOUND', field: 'subjectCode' });
      expect(await refused({ subjectId: null, subjectCode: '9113030' })).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'subjectCode' });
      expect(await consents().count()).toBe(before);
    });

    it('refuses a subject acting for itself that grants for another subject with FORBIDDEN, and stores nothing', async () => {
      const before = await consents().count();
      const result = await queryAs(selfOf(person), GRANT, { input: grantInput({ subjectId: owner.id }) });
      expect(result.data).toEqual({ grantConsent: null });
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(await consents().count()).toBe(before);
    });

    it('refuses a caller without the CONSENT_REGISTRATION group, even one holding CONSENTS, which only reads', async () => {
      const before = await consents().count();
      const result = await queryAs(gateway, GRANT, { input: grantInput() });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'CONSENT_REGISTRATION' });
      const reader = await queryAs({ ...officer, grants: ['CONSENTS', 'SUBJECT_BASICS'] }, GRANT, { input: grantInput() });
      expect(reader.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'CONSENT_REGISTRATION' });
      expect(await consents().count()).toBe(before);
    });

    it.each([
      ['an empty grantee', { granteeOrganisation: '  ' }, 'BAD_USER_INPUT', 'granteeOrganisation'],
      ['a grantee over 64 characters', { granteeOrganisation: 'B'.repeat(65) }, 'BAD_USER_INPUT', 'granteeOrganisation'],
      ['a purpose outside the catalogue', { purpose: 'LOAN_APPROVAL' }, 'BAD_USER_INPUT', 'purpose'],
      ['an administrative matter as purpose', { purpose: 'GOVERNMENT_PROCUREMENT' }, 'BAD_USER_INPUT', 'purpose'],
      ['a purpose not open to the grantee kind', { granteeKind: 'ENTERPRISE', purpose: 'FINANCIAL_SERVICES' }, 'BAD_USER_INPUT', 'purpose'],
      ['validUntil before validFrom', { validFrom: shift(today, 5), validUntil: shift(today, 4) }, 'BAD_USER_INPUT', 'validUntil'],
      ['more than one year', { validFrom: today, validUntil: shift(addYears(today, 1), 1) }, 'BAD_USER_INPUT', 'validUntil'],
      ['validUntil in the past', { validFrom: shift(today, -100), validUntil: shift(today, -1) }, 'BAD_USER_INPUT', 'validUntil'],
      ['an unknown subject', { subjectId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND', 'subjectId'],
    ])('refuses %s with %s, and stores nothing', async (_label, overrides, code, field) => {
      const before = await consents().count();
      const result = await queryAs(officer, GRANT, { input: grantInput(overrides) });
      expect(result.data).toEqual({ grantConsent: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code, field });
      expect(result.errors?.[0].extensions).not.toHaveProperty('stacktrace');
      expect(await consents().count()).toBe(before);
    });

    it.each([
      ['outside the catalogue', 'LOAN_APPROVAL'],
      ['read under its legal basis, without a consent', 'GOVERNMENT_PROCUREMENT'],
    ])('refuses a purpose %s as NOT_A_CHOICE, with the purposes a consent may be given for', async (_label, purpose) => {
      const result = await queryAs(officer, GRANT, { input: grantInput({ purpose }) });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'purpose', problem: 'NOT_A_CHOICE', choices: expect.arrayContaining(['FINANCIAL_SERVICES']) });
      expect(result.errors?.[0].extensions?.choices).not.toContain('GOVERNMENT_PROCUREMENT');
    });

    it("tells the window that a subject's code given as its id is a code, and to name the subject by subjectCode", async () => {
      const result = await queryAs(officer, GRANT, { input: grantInput({ subjectId: owner.identifier }) });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'subjectId' });
      expect(result.errors?.[0].message).toContain('not an id: name the subject by subjectCode');
    });

    it.each([
      ['an impossible date', { validFrom: '2026-02-30' }],
      ['a department as grantee kind', { granteeKind: 'DEPARTMENT' }],
      ['no validUntil', { validUntil: undefined }],
    ])('refuses %s before any resolver runs', async (_label, overrides) => {
      const before = await consents().count();
      const result = await queryAs(officer, GRANT, { input: grantInput(overrides) });
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(await consents().count()).toBe(before);
    });
  });

  describe('Mutation.revokeConsent', () => {
    const grant = async (identity: RequestIdentity, subject: DemoSubject) => {
      const result = await queryAs<{ grantConsent: ConsentNode }>(identity, GRANT, { input: grantInput({ subjectId: subject.id }) });
      if (!result.data?.grantConsent) throw new Error(`could not grant: ${JSON.stringify(result.errors)}`);
      return result.data.grantConsent.id;
    };

    it('revokes from now on, recording who and why; the same revocation sent again answers it unchanged, another is BAD_USER_INPUT with TRANSITION_NOT_ALLOWED and changes nothing', async () => {
      const id = await grant(officer, owner);
      const first = await queryAs<{ revokeConsent: ConsentNode }>(officer, REVOKE, { id, reason: '客户撤回授权' });
      expect(first.errors).toBeUndefined();
      expect(first.data?.revokeConsent).toMatchObject({ id, status: 'REVOKED', revokedBy: 'officer-zhao', revocationReason: '客户撤回授权' });
      const revokedAt = first.data?.revokeConsent.revokedAt;
      expect(Date.now() - Date.parse(revokedAt ?? '')).toBeLessThan(60_000);

      // Sent again as it was (a retried request): the consent as revoked, unchanged.
      const retried = await queryAs<{ revokeConsent: ConsentNode }>(officer, REVOKE, { id, reason: '客户撤回授权' });
      expect(retried.errors).toBeUndefined();
      expect(retried.data?.revokeConsent).toMatchObject({ id, status: 'REVOKED', revokedAt, revocationReason: '客户撤回授权' });

      const second = await queryAs(officer, REVOKE, { id, reason: '再次撤销' });
      expect(second.data).toEqual({ revokeConsent: null });
      // The consent's status refuses it (README, Errors), as a front end learns by reading it again.
      expect(second.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', status: 'REVOKED' });
      const stored = await consents().findOneByOrFail({ id });
      expect([stored.revokedAt?.toISOString(), stored.revocationReason]).toEqual([revokedAt, '客户撤回授权']);
    });

    // From the subject's probe: a consent that had ended months before read REVOKED, with a
    // revocation dated after its end, as if it had been in force until then.
    it('refuses to revoke a consent that has ended (EXPIRED), which nothing relies on any more, and changes nothing; one not yet in force is revoked', async () => {
      const ended = await grant(officer, owner);
      await consents().update({ id: ended }, { validFrom: shift(today, -60), validUntil: shift(today, -1) });
      const refused = await queryAs(officer, REVOKE, { id: ended, reason: '客户撤回授权' });
      expect(refused.data).toEqual({ revokeConsent: null });
      expect(refused.errors?.[0]).toMatchObject({
        message: `consent ${ended} ended on ${shift(today, -1)} (EXPIRED): nothing relies on it any more, so there is nothing to revoke`,
        extensions: { code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', status: 'EXPIRED' },
      });
      expect((await consents().findOneByOrFail({ id: ended })).revokedAt).toBeNull();
      const lastDay = await grant(officer, owner);
      await consents().update({ id: lastDay }, { validFrom: shift(today, -60), validUntil: today });
      expect((await queryAs<{ revokeConsent: ConsentNode }>(officer, REVOKE, { id: lastDay, reason: '客户撤回授权' })).data?.revokeConsent.status).toBe('REVOKED');
      const future = await grant(officer, owner);
      await consents().update({ id: future }, { validFrom: shift(today, 1), validUntil: shift(today, 30) });
      expect((await queryAs<{ revokeConsent: ConsentNode }>(officer, REVOKE, { id: future, reason: '客户撤回授权' })).data?.revokeConsent.status).toBe('REVOKED');
    });

    it('lets only one of two simultaneous revocations succeed', async () => {
      const id = await grant(officer, owner);
      const results = await Promise.all([queryAs(officer, REVOKE, { id, reason: 'A' }), queryAs(officer, REVOKE, { id, reason: 'B' })]);
      expect(results.map((r) => r.errors?.[0].extensions?.code ?? 'OK').sort()).toEqual(['BAD_USER_INPUT', 'OK']);
    });

    it('quotes a long id refused by its first characters and its length', async () => {
      const unknown = await queryAs(officer, REVOKE, { id: 'A'.repeat(5_000), reason: '撤销' });
      expect(unknown.errors?.[0]).toMatchObject({
        message: `no consent has the id "${'A'.repeat(maxQuotedCharacters)}"… (5000 characters in all)`,
        extensions: { code: 'NOT_FOUND', field: 'id' },
      });
    });

    it('answers an unknown id with NOT_FOUND and an empty reason with BAD_USER_INPUT, revoking nothing', async () => {
      const unknown = await queryAs(officer, REVOKE, { id: '00000000-0000-4000-8000-000000000000', reason: '撤销' });
      expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
      const id = await grant(officer, owner);
      const empty = await queryAs(officer, REVOKE, { id, reason: ' ' });
      expect(empty.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
      expect((await consents().findOneByOrFail({ id })).revokedAt).toBeNull();
    });

    it("lets a subject revoke its own consent but not another's, nor probe unknown ids", async () => {
      const own = await grant(selfOf(person), person);
      expect((await queryAs<{ revokeConsent: ConsentNode }>(selfOf(person), REVOKE, { id: own, reason: '不再需要' })).data?.revokeConsent.status).toBe('REVOKED');

      const others = await grant(officer, owner);
      const refused = await queryAs(selfOf(person), REVOKE, { id: others, reason: '撤销' });
      expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await consents().findOneByOrFail({ id: others })).revokedAt).toBeNull();

      const unknown = await queryAs(selfOf(person), REVOKE, { id: '00000000-0000-4000-8000-000000000000', reason: '撤销' });
      expect(unknown.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('derived status', () => {
    // Rows written directly: the API refuses a consent that ended before today.
    const subject = world.subjects[10];
    const cases: [string, { validFrom: string; validUntil: string; revoked?: boolean }, ConsentStatus][] = [
      ['valid from tomorrow', { validFrom: shift(today, 1), validUntil: shift(today, 30) }, 'NOT_YET_VALID'],
      ['valid from today', { validFrom: today, validUntil: shift(today, 30) }, 'ACTIVE'],
      ['valid until today', { validFrom: shift(today, -30), validUntil: today }, 'ACTIVE'],
      ['valid until yesterday', { validFrom: shift(today, -30), validUntil: shift(today, -1) }, 'EXPIRED'],
      ['revoked while within its dates', { validFrom: shift(today, -30), validUntil: shift(today, 30), revoked: true }, 'REVOKED'],
    ];
    const ids = cases.map((_, i) => `5e000000-0000-4000-8000-00000000000${i}`);

    beforeAll(async () => {
      await consents().insert(
        cases.map(([, dates], i) =>
          consents().create({
            id: ids[i],
            subjectId: subject.id,
            granteeOrganisation: demoBankOrganisation,
            granteeKind: 'FINANCIAL_INSTITUTION',
            purpose: 'FINANCIAL_SERVICES',
            validFrom: dates.validFrom,
            validUntil: dates.validUntil,
            grantedBy: 'officer-zhao',
            grantedByOrganisation: 'CREDIT_OFFICE',
            grantedAt: new Date(Date.UTC(2026, 0, 1 + i)),
            revokedAt: dates.revoked ? new Date() : null,
            revokedBy: dates.revoked ? 'officer-zhao' : null,
            revocationReason: dates.revoked ? '撤销' : null,
          }),
        ),
      );
    });

    it.each(cases.map(([label, , status], i) => [label, status, i] as const))('is, for a consent %s, %s in Subject.consents and in consentForAccess', async (_label, status, i) => {
      const listed = await query<{ _entities: { consents: { id: string; status: string }[] }[] }>(SUBJECT_CONSENTS, { r: [{ __typename: 'Subject', id: subject.id }] });
      expect(listed.data?._entities[0].consents.find((c) => c.id === ids[i])?.status).toBe(status);
      const checked = await queryAs<{ consentForAccess: { status: string } | null }>(gateway, CHECK, { id: ids[i] });
      expect(checked.data?.consentForAccess?.status).toBe(status);
    });
  });

  describe('Subject.consents', () => {
    it('lists every consent of the subject, newest first', async () => {
      const result = await query<{ _entities: { consents: { id: string }[] }[] }>(SUBJECT_CONSENTS, { r: [{ __typename: 'Subject', id: owner.id }] });
      const expected = (await consents().findBy({ subjectId: owner.id })).sort((a, b) => b.grantedAt.getTime() - a.grantedAt.getTime() || (b.id < a.id ? -1 : 1));
      expect(result.data?._entities[0].consents.map((c) => c.id)).toEqual(expected.map((c) => c.id));
      const seeded = result.data?._entities[0].consents.map((c) => c.id).filter((id) => Object.values(demoConsents).includes(id));
      expect(seeded).toEqual([demoConsents.dueDiligence, demoConsents.bankFinancialServices, demoConsents.revoked, demoConsents.expired]);
    });

    it('is an empty list for a subject that gave none', async () => {
      const result = await query<{ _entities: { consents: unknown[] }[] }>(SUBJECT_CONSENTS, { r: [{ __typename: 'Subject', id: world.subjects[30].id }] });
      expect(result.data?._entities[0].consents).toEqual([]);
    });

    it("is the subject's own to read: another subject's consents are FORBIDDEN, as for a caller without CONSENTS", async () => {
      const own = await queryAs<{ _entities: { consents: unknown[] | null }[] }>(selfOf(fourth), SUBJECT_CONSENTS, { r: [{ __typename: 'Subject', id: fourth.id }] });
      expect(own.errors).toBeUndefined();
      expect(own.data?._entities[0].consents).toHaveLength(1);
      expect(own.extensions?.disclosures).toEqual([{ subjectId: fourth.id, groups: ['CONSENTS'] }]);

      const other = await queryAs(selfOf(fourth), SUBJECT_CONSENTS, { r: [{ __typename: 'Subject', id: owner.id }] });
      expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');

      const bank: RequestIdentity = { ...officer, caller: { id: 'banker', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' }, grants: ['SUBJECT_BASICS'] };
      const noGroup = await queryAs<{ _entities: ({ consents: unknown } | null)[] }>(bank, SUBJECT_CONSENTS, { r: [{ __typename: 'Subject', id: owner.id }] });
      expect(noGroup.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'CONSENTS' });
    });

    it('loads the consents of 5 and of 50 subjects with the same two SQL statements', async () => {
      const statementsFor = (n: number) =>
        sql.selectsDuring(async () => {
          const subjects = world.subjects.slice(0, n);
          const result = await query<{ _entities: { id: string; consents: { id: string }[] }[] }>(SUBJECT_CONSENTS, { r: subjects.map((s) => ({ __typename: 'Subject', id: s.id })) });
          expect(result.errors).toBeUndefined();
          expect(result.data?._entities.map((e) => e.id)).toEqual(subjects.map((s) => s.id));
          expect(result.data?._entities[0].consents.length).toBeGreaterThanOrEqual(4);
        });
      // One for the subjects, one for all their consents.
      expect(await statementsFor(5)).toBe(2);
      expect(await statementsFor(50)).toBe(2);
    });
  });

  describe('Query.consentForAccess', () => {
    it('gives the gateway the subject, grantee, purpose and status, and discloses nothing', async () => {
      const result = await queryAs<{ consentForAccess: unknown }>(gateway, CHECK, { id: demoConsents.bankFinancialServices });
      expect(result.errors).toBeUndefined();
      expect(result.data?.consentForAccess).toEqual({
        consentId: demoConsents.bankFinancialServices,
        subjectId: owner.id,
        granteeOrganisation: demoBankOrganisation,
        purpose: 'FINANCIAL_SERVICES',
        status: consentStatus({ validFrom: '2026-07-01', validUntil: '2027-06-30', revokedAt: null }, today),
      });
      expect(result.extensions?.disclosures).toBeUndefined();
      const revoked = await queryAs<{ consentForAccess: { status: string } }>(gateway, CHECK, { id: demoConsents.revoked });
      expect(revoked.data?.consentForAccess.status).toBe('REVOKED');
    });

    it('is null for an unknown id', async () => {
      const result = await queryAs(gateway, CHECK, { id: 'no-such-consent' });
      expect(result).toMatchObject({ data: { consentForAccess: null } });
      expect(result.errors).toBeUndefined();
    });

    it('is FORBIDDEN to anyone without CONSENT_VERIFY, even an officer holding CONSENTS', async () => {
      const result: GraphQLResponse = await queryAs(officer, CHECK, { id: demoConsents.bankFinancialServices });
      expect(result.data).toEqual({ consentForAccess: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'CONSENT_VERIFY' });
    });
  });
});
