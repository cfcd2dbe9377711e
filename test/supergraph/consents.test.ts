import type { Caller } from '../../lib/access/identity';
import { todayInDistrict } from '../../lib/calendar';
import { maskCitizenIdNumber, validateCitizenIdNumber, validateUnifiedSocialCreditCode } from '../../lib/identifiers';
import { demoWorld, type DemoSubject } from '../../scripts/demo/world';
import { demoConsents } from '../../scripts/demo/consents';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * A consent is matched to its reader by the organisation the reader's token carries, character
 * for character (gateway/request-access.ts): what grantConsent stores must be exactly that.
 */
const world = demoWorld({ subjects: 40 });
const [owner, person, counterparty, grantor, reader] = world.subjects;

/** A subject's own user, as scripts/demo/callers.ts mints it: its code or ID number is its organisation. */
function userOf(subject: DemoSubject): Caller {
  return { id: `user-${subject.id.slice(0, 8)}`, organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id };
}

const dueDiligence = (subject: DemoSubject, consentId: string): As => ({ caller: userOf(subject), headers: { 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-consent': consentId } });
const itself = (subject: DemoSubject): As => ({ caller: userOf(subject), headers: { 'x-credit-matter': 'SELF_INQUIRY' } });

const READ = /* GraphQL */ `query Read($id: ID!) { subject(id: $id) { name } }`;
const GRANT = /* GraphQL */ `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { id granteeOrganisation status } }`;

/** A calendar day `days` after today in the district. */
const fromToday = (days: number) => new Date(Date.parse(`${todayInDistrict()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe.each(testDatabases)('consents through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'consents_e2e', { seedSubjects: world.subjects.length });
  const consentCount = async () => Number(((await platform.databases.entities.query('SELECT COUNT(*) AS n FROM consent')) as { n: number | string }[])[0].n);

  it('lets the enterprise the demo due-diligence consent names read its subject, and no other enterprise', async () => {
    expect(counterparty.kind).toBe('ENTERPRISE');
    const as = dueDiligence(counterparty, demoConsents.dueDiligence);
    const read = await platform.query<{ subject: { name: string } | null }>(READ, { id: owner.id }, as);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ subject: { name: owner.name } });
    // The subject's trail names the reader as its consent does.
    const audited = await platform.databases.audit.query('SELECT organisation, consent_id, subject_id, outcome FROM audit_entry WHERE request_id = ?', [requestIdOf(read)]);
    expect(audited).toEqual([{ organisation: counterparty.identifier, consent_id: demoConsents.dueDiligence, subject_id: owner.id, outcome: 'DISCLOSED' }]);

    const other = await platform.query(READ, { id: owner.id }, dueDiligence(reader, demoConsents.dueDiligence));
    expect(other.data).toEqual({ subject: null });
    expect(other.errors?.[0]).toMatchObject({ message: expect.stringContaining(`is no consent given to ${reader.identifier}`), extensions: { code: 'FORBIDDEN' } });
    // An id no consent has is refused in the same words: another reader's consent is not even told to exist.
    const unknownId = `${demoConsents.dueDiligence.slice(0, -1)}${demoConsents.dueDiligence.endsWith('0') ? '1' : '0'}`;
    const unknown = await platform.query(READ, { id: owner.id }, dueDiligence(reader, unknownId));
    expect(unknown.errors?.[0].message).toBe(other.errors?.[0].message.replace(demoConsents.dueDiligence, unknownId));
  });

  it.each([
    ['an enterprise, its code in lower case with spaces', reader, 'ENTERPRISE', ` ${reader.identifier.toLowerCase()}  `],
    ['a person, by the citizen ID number with spaces', person, 'INDIVIDUAL', `\t${person.identifier} `],
  ])('lets a consent a subject grants to %s be used by that reader', async (_label, grantee, granteeKind, given) => {
    const input = { subjectId: grantor.id, granteeOrganisation: given, granteeKind, purpose: 'COMMERCIAL_DUE_DILIGENCE', validUntil: fromToday(30) };
    const granted = await platform.query<{ grantConsent: { id: string; granteeOrganisation: string; status: string } }>(GRANT, { input }, itself(grantor));
    expect(granted.errors).toBeUndefined();
    // A person grantee's number is the grantee's: masked to the consenting subject, stored whole.
    expect(granted.data?.grantConsent).toMatchObject({ granteeOrganisation: granteeKind === 'INDIVIDUAL' ? maskCitizenIdNumber(grantee.identifier) : grantee.identifier, status: 'ACTIVE' });
    const [stored] = await platform.databases.entities.query('SELECT grantee_organisation FROM consent WHERE id = ?', [granted.data!.grantConsent.id]);
    expect(stored.grantee_organisation).toBe(grantee.identifier);

    const read = await platform.query<{ subject: { name: string } | null }>(READ, { id: grantor.id }, dueDiligence(grantee, granted.data!.grantConsent.id));
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ subject: { name: grantor.name } });
    // A token naming the reader's code or ID number in lower case, with spaces, names the same reader.
    const as = dueDiligence(grantee, granted.data!.grantConsent.id);
    const loose = await platform.query<{ subject: { name: string } | null }>(READ, { id: grantor.id }, { ...as, caller: { ...as.caller!, organisation: ` ${grantee.identifier.toLowerCase()} ` } });
    expect(loose.errors).toBeUndefined();
    expect(loose.data).toEqual({ subject: { name: grantor.name } });
  });

  it.each([
    ['an enterprise reader by its subject id', 'ENTERPRISE', reader.id, 'WRONG_LENGTH'],
    ['an enterprise reader by a code with a wrong check character', 'ENTERPRISE', `${reader.identifier.slice(0, 17)}${reader.identifier[17] === '0' ? '1' : '0'}`, 'WRONG_CHECK_CHARACTER'],
    ['a person reader by its subject id', 'INDIVIDUAL', person.id, 'WRONG_LENGTH'],
  ])('refuses a consent naming %s, which no token could match, and stores nothing', async (_label, granteeKind, granteeOrganisation, problem) => {
    const before = await consentCount();
    const input = { subjectId: grantor.id, granteeOrganisation, granteeKind, purpose: 'COMMERCIAL_DUE_DILIGENCE', validUntil: fromToday(30) };
    const refused = await platform.query(GRANT, { input }, itself(grantor));
    expect(refused.data).toEqual({ grantConsent: null });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: granteeKind === 'INDIVIDUAL' ? 'INVALID_ID_NUMBER' : 'INVALID_CREDIT_CODE', field: 'granteeOrganisation', problem });
    expect(await consentCount()).toBe(before);
  });

  it("keeps a consent given to a person from an enterprise whose credit code is the person's ID number, character for character", async () => {
    // Valid as a citizen ID number (GB 11643) and as a unified social credit code (GB 32100) alike:
    // a token of either kind may carry it, and the two are different readers.
    const twoReaders = '911303198001012132';
    expect([validateCitizenIdNumber(twoReaders).valid, validateUnifiedSocialCreditCode(twoReaders).valid]).toEqual([true, true]);
    const input = { subjectId: grantor.id, granteeOrganisation: twoReaders, granteeKind: 'INDIVIDUAL', purpose: 'COMMERCIAL_DUE_DILIGENCE', validUntil: fromToday(30) };
    const granted = await platform.query<{ grantConsent: { id: string } }>(GRANT, { input }, itself(grantor));
    expect(granted.errors).toBeUndefined();
    const consentId = granted.data!.grantConsent.id;
    const headers = { 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-consent': consentId };

    const asPerson = await platform.query(READ, { id: grantor.id }, { caller: { id: 'person-two', organisation: twoReaders, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER' }, headers });
    expect(asPerson.errors).toBeUndefined();
    expect(asPerson.data).toEqual({ subject: { name: grantor.name } });

    const asEnterprise = await platform.query(READ, { id: grantor.id }, { caller: { id: 'enterprise-two', organisation: twoReaders, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER' }, headers });
    expect(asEnterprise.data).toEqual({ subject: null });
    expect(asEnterprise.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', problem: 'CONSENT_NOT_GIVEN_TO_CALLER' } });
  });
});
