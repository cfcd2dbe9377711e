import { randomUUID } from 'node:crypto';
import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { citizenIdNumber, unifiedSocialCreditCode } from '../../../lib/identifiers';
import { demoWorld } from '../../../scripts/demo/world';
import { Subject } from '../../../subgraphs/entities/entities/subject.entity';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { decidedIdentity } from '../../helpers/identity';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * A purpose that covers some kinds of subject only refuses a code by its form, in both
 * directions, before anything about the code's registration could show: a citizen ID number under
 * government procurement (organisations), a unified social credit code under personnel review
 * (natural persons), an individual business's or a civil-affairs code under drug procurement
 * (enterprises). Registered or not, the caller gets one answer; only the gateway learns, for
 * the audit entry, which subject a registered code named (`auditedRefusal`, which it takes off).
 */
const SUBJECT_BY_CODE = /* GraphQL */ `query($code: String!) { subjectByCode(code: $code) { id name } }`;
const CONSENTS_OF = /* GraphQL */ `query($code: String!) { consentsOfSubject(subjectCode: $code) { id } }`;
const SEARCH = /* GraphQL */ `query($kind: SubjectKind) { searchSubjects(name: "北戴河区", kind: $kind, first: 5) { totalCount } }`;

/** A request's identity as the gateway decides it from the policy: nothing granted by hand. */
const decided = (caller: Caller, matter: string): RequestIdentity => decidedIdentity(caller, { matter, caseNumber: 'BDH-2026-0001' });

const personnelReview = decided({ id: 'officer-organisation', organisation: 'ORGANISATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, 'PERSONNEL_REVIEW');
const procurement = decided({ id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, 'GOVERNMENT_PROCUREMENT');
/** Enterprises only: an individual business's code (92…) and a civil-affairs or institution's (5…, 1…) name none. */
const drugProcurement = decided({ id: 'officer-market', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, 'DRUG_PROCUREMENT');
/** The window's read of consents, held to natural persons: consentsOfSubject looks codes up as subjectByCode does. */
const personsOnlyConsents: RequestIdentity = { ...personnelReview, grants: ['CONSENTS'], scope: { subjectKinds: ['NATURAL_PERSON'] } };

/** A valid unified social credit code of a Shenzhen company, not in the demo world. */
const unregisteredOrganisationCode = '914403001922038216';
const unregisteredPersonNumber = citizenIdNumber({ division: '130304', birthDate: '19800101', sequence: '999' });
/** Valid codes of the first two characters given, not in the demo world. */
const unregisteredCode = (prefix: string) => unifiedSocialCreditCode({ authority: prefix[0], orgType: prefix[1], division: '130304', organisationBody: 'MA0N0NE0' });

/** The answer a caller gets, as the gateway passes it on: without `auditedRefusal`. */
function asTheCallerSeesIt(result: GraphQLResponse) {
  return { data: result.data, errors: result.errors?.map(({ message, path, extensions }) => ({ message, path, extensions: { ...extensions, auditedRefusal: undefined } })) };
}

describe.each(testDatabases)('a code refused by its form under a purpose covering some kinds of subject only, on $label', (database) => {
  const { db, queryAs } = useSubgraph(entitiesSubgraph, database, 'kindbycode');
  const world = demoWorld({ subjects: 40 });
  const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
  const individualBusiness = world.subjects.find((s) => s.kind === 'INDIVIDUAL_BUSINESS')!;
  const otherOrganisation = world.subjects.find((s) => s.kind === 'OTHER_ORGANISATION')!;
  const prefixOf = (subject: { identifier: string }) => subject.identifier.slice(0, 2);

  beforeAll(async () => {
    await seedEntities(db(), world);
    expect([prefixOf(individualBusiness), prefixOf(otherOrganisation)[0]]).toEqual(['92', expect.stringMatching(/^[15]$/)]);
    for (const code of [unregisteredOrganisationCode, unregisteredPersonNumber, unregisteredCode('92'), unregisteredCode(prefixOf(otherOrganisation))]) expect(await db().getRepository(Subject).countBy({ identifier: code })).toBe(0);
  });

  it.each([
    ['an organisation’s code under personnel review', () => personnelReview, SUBJECT_BY_CODE, () => enterprise, unregisteredOrganisationCode, 'organisations, so a unified social credit code'],
    ['a person’s number under government procurement', () => procurement, SUBJECT_BY_CODE, () => person, unregisteredPersonNumber, 'natural persons, so a citizen ID number'],
    ['an organisation’s code, for its consents, under a scope of natural persons', () => personsOnlyConsents, CONSENTS_OF, () => enterprise, unregisteredOrganisationCode, 'organisations, so a unified social credit code'],
    ['an individual business’s code (92) under drug procurement', () => drugProcurement, SUBJECT_BY_CODE, () => individualBusiness, unregisteredCode('92'), 'individual businesses, so a unified social credit code beginning 92'],
    ['an other organisation’s code (5…, 1…) under drug procurement', () => drugProcurement, SUBJECT_BY_CODE, () => otherOrganisation, unregisteredCode(prefixOf(otherOrganisation)), `other organisations, so a unified social credit code beginning ${prefixOf(otherOrganisation)}`],
  ])('refuses %s alike whether registered or not, naming the registered one’s subject to the gateway only', async (_label, as, query, registered, unregistered, covered) => {
    const known = await queryAs(as(), query, { code: registered().identifier });
    const unknown = await queryAs(as(), query, { code: unregistered });
    expect(known.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'SUBJECT_KIND_NOT_COVERED', auditedRefusal: { subjectId: registered().id } }]);
    expect(known.errors?.[0].message).toBe(`the purpose of this request does not cover ${covered} cannot be looked up under it`);
    expect(unknown.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'SUBJECT_KIND_NOT_COVERED' }]);
    expect(asTheCallerSeesIt(unknown)).toEqual(asTheCallerSeesIt(known));
    // Nothing about either subject was disclosed.
    expect(known.extensions?.disclosures).toBeUndefined();
    expect(unknown.extensions?.disclosures).toBeUndefined();
  });

  it('looks up a code of a kind the purpose covers as before: the subject, or null for one nobody has', async () => {
    const found = await queryAs<{ subjectByCode: { id: string } | null }>(personnelReview, SUBJECT_BY_CODE, { code: person.identifier });
    expect([found.errors, found.data?.subjectByCode?.id]).toEqual([undefined, person.id]);
    const none = await queryAs(personnelReview, SUBJECT_BY_CODE, { code: citizenIdNumber({ division: '130304', birthDate: '19800101', sequence: '998' }) });
    expect([none.errors, none.data]).toEqual([undefined, { subjectByCode: null }]);
    const organisation = await queryAs<{ subjectByCode: { id: string } | null }>(procurement, SUBJECT_BY_CODE, { code: enterprise.identifier });
    expect([organisation.errors, organisation.data?.subjectByCode?.id]).toEqual([undefined, enterprise.id]);
    const enterpriseUnderDrugs = await queryAs<{ subjectByCode: { id: string } | null }>(drugProcurement, SUBJECT_BY_CODE, { code: enterprise.identifier });
    expect([enterpriseUnderDrugs.errors, enterpriseUnderDrugs.data?.subjectByCode?.id]).toEqual([undefined, enterprise.id]);
    const noEnterprise = await queryAs(drugProcurement, SUBJECT_BY_CODE, { code: unregisteredOrganisationCode });
    expect([noEnterprise.errors, noEnterprise.data]).toEqual([undefined, { subjectByCode: null }]);
  });

  /**
   * Codes that are a valid citizen ID number and a valid unified social credit code at once (a
   * division ending 19 or 20 before a body that reads as a date): the form tells nothing, so a
   * purpose covering one of the two answers a subject of its kind and gives one answer for the
   * other kind and for none.
   */
  it('answers a code that reads as either a person’s or an organisation’s for a subject of the kind covered, one refusal for the other kind and for none', async () => {
    const either = { institution: '121201198501014307', person: '51120119850101457X', nobody: '531101198501011158' };
    const stored = (kind: 'OTHER_ORGANISATION' | 'NATURAL_PERSON', identifier: string) =>
      db().getRepository(Subject).save({
        id: randomUUID(), kind, name: kind === 'NATURAL_PERSON' ? '王某' : '天津市蓟州区某事业单位', nameKey: 'either', identifier,
        identifierKind: kind === 'NATURAL_PERSON' ? 'CITIZEN_ID_NUMBER' : 'UNIFIED_SOCIAL_CREDIT_CODE', registeredAddress: null, legalRepresentative: null,
        status: 'ACTIVE', registrationDate: kind === 'NATURAL_PERSON' ? null : '2015-01-01', createdAt: new Date(),
      });
    const institution = await stored('OTHER_ORGANISATION', either.institution);
    const human = await stored('NATURAL_PERSON', either.person);
    const found = async (as: RequestIdentity, code: string) => (await queryAs<{ subjectByCode: { id: string } | null }>(as, SUBJECT_BY_CODE, { code })).data?.subjectByCode?.id;
    expect(await found(procurement, either.institution)).toBe(institution.id);
    expect(await found(personnelReview, either.person)).toBe(human.id);
    for (const [as, registeredElse] of [[procurement, human], [personnelReview, institution]] as const) {
      const known = await queryAs(as, SUBJECT_BY_CODE, { code: registeredElse.identifier });
      const unknown = await queryAs(as, SUBJECT_BY_CODE, { code: either.nobody });
      expect(known.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'SUBJECT_KIND_NOT_COVERED', auditedRefusal: { subjectId: registeredElse.id } }]);
      expect(unknown.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'SUBJECT_KIND_NOT_COVERED' }]);
      expect(known.errors?.[0].message).toBe(unknown.errors?.[0].message);
      expect(known.data).toEqual(unknown.data);
    }
  });

  it('tells a mistyped code under personnel review as the citizen ID number it must be, and elsewhere by its shape as before', async () => {
    for (const code of ['130304', '130304********1234', person.identifier.slice(0, 17)]) {
      const result = await queryAs(personnelReview, SUBJECT_BY_CODE, { code });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_ID_NUMBER', field: 'code' });
      expect(result.errors?.[0].message).toMatch(/^invalid citizen ID number: /);
    }
    const shaped = await queryAs(procurement, SUBJECT_BY_CODE, { code: '130304' });
    expect(shaped.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'code' });
    // A valid code of the other sort is still refused by its kind, not as a malformed number.
    expect((await queryAs(personnelReview, SUBJECT_BY_CODE, { code: unregisteredOrganisationCode })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', problem: 'SUBJECT_KIND_NOT_COVERED' });
  });

  it('refuses a search for a kind the purpose does not cover in either direction, before anything is searched', async () => {
    for (const [as, kind] of [[personnelReview, 'ENTERPRISE'], [procurement, 'NATURAL_PERSON']] as const) {
      const refused = await queryAs(as, SEARCH, { kind });
      expect(refused.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'SUBJECT_KIND_NOT_COVERED' }]);
      expect(refused.extensions?.disclosures).toBeUndefined();
    }
  });
});
