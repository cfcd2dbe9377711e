import type { Caller } from '../../lib/access/identity';
import { addDays, todayInDistrict } from '../../lib/calendar';
import { demoCallers } from '../../scripts/demo/callers';
import { demoBankOrganisation, demoWorld, type DemoSubject } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';

/**
 * A subject recording a consent by `subjectCode` must not learn whether a code or citizen ID
 * number it types in is registered (probe finding 1): to a request scoped to one subject, another
 * subject's code and a code nobody has are answered alike, as every other path answers them. Only
 * the credit office's window, which records for any subject, is told that no subject has a code.
 */
const world = demoWorld({ subjects: 12 });
const [enterprise] = world.subjects;
const otherEnterprise = world.subjects.find((s) => s !== enterprise && s.kind === 'ENTERPRISE')!;
const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
const otherPerson = world.subjects.find((s) => s !== person && s.kind === 'NATURAL_PERSON')!;
/** Well-formed, and nobody's in this world: the standard's example number and a real enterprise's code. */
const unregisteredIdNumber = '11010519491231002X';
const unregisteredCreditCode = '914403001922038216';

const itself = (subject: DemoSubject): As => {
  const caller: Caller = { id: `self-${subject.id.slice(0, 8)}`, organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id };
  return { caller, headers: { 'x-credit-matter': 'SELF_INQUIRY' } };
};
const windowOfficer: As = { caller: demoCallers(world).find((c) => c.label.startsWith('Credit office window officer'))!.caller };

const GRANT = /* GraphQL */ `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`;
const terms = { granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: addDays(todayInDistrict(), 30) };

describe.each(testDatabases)('grantConsent by a code, to a request scoped to one subject, on $label', (database) => {
  const platform = usePlatform(database, 'consentprobe', { seedSubjects: world.subjects.length });
  const consentCount = async () => Number(((await platform.databases.entities.query('SELECT COUNT(*) AS n FROM consent')) as { n: number | string }[])[0].n);

  /** The whole answer the client gets: HTTP status, data and errors (message, path, every extension). */
  async function answer(as: As, input: Record<string, unknown>) {
    const before = await consentCount();
    const result = await platform.query(GRANT, { input: { ...terms, ...input } }, as);
    expect(await consentCount()).toBe(before);
    return { status: result.status, data: result.data, errors: result.errors };
  }

  it.each([
    ['an enterprise', enterprise, otherEnterprise.identifier, unregisteredCreditCode],
    ['an enterprise, by citizen ID number', enterprise, otherPerson.identifier, unregisteredIdNumber],
    ['a person', person, otherPerson.identifier, unregisteredIdNumber],
    ['a person, by unified social credit code', person, otherEnterprise.identifier, unregisteredCreditCode],
  ])("answers %s another subject's code and a code nobody has alike, FORBIDDEN, storing nothing", async (_label, caller, registered, unregistered) => {
    const another = await answer(itself(caller), { subjectCode: registered });
    const nobodys = await answer(itself(caller), { subjectCode: unregistered });
    expect(another.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', problem: 'OUTSIDE_SUBJECT_SCOPE' })]);
    expect(nobodys).toEqual(another);
    // In lower case, with spaces, as a form is typed: the same again.
    expect(await answer(itself(caller), { subjectCode: ` ${unregistered.toLowerCase()} ` })).toEqual(another);
  });

  it("answers another subject's id and an id nobody has alike, as the code", async () => {
    const byCode = await answer(itself(enterprise), { subjectCode: otherEnterprise.identifier });
    expect(await answer(itself(enterprise), { subjectId: otherEnterprise.id })).toEqual(byCode);
    expect(await answer(itself(enterprise), { subjectId: '00000000-0000-4000-8000-000000000000' })).toEqual(byCode);
  });

  it("still records a subject's own consent by its own code", async () => {
    const own = await platform.query<{ grantConsent: { id: string } }>(GRANT, { input: { ...terms, subjectCode: enterprise.identifier.toLowerCase() } }, itself(enterprise));
    expect(own.errors).toBeUndefined();
    expect(own.data?.grantConsent.id).toEqual(expect.any(String));
  });

  it('tells the window, which records for any subject, that no subject has the code', async () => {
    const unknown = await answer(windowOfficer, { subjectCode: unregisteredCreditCode });
    expect(unknown.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: 'subjectCode' })]);
  });

  // MySQL's collation found the subject, and stored a consent under an id that was not its
  // subject's: in none of its subject's lists, nor its grantee's, and unusable. An id in upper
  // case is the subject's id, on either database, and the consent is stored under it.
  it("records the window's consent for a subject named by its id in upper case, under the subject's id, on either database", async () => {
    const granted = await platform.query<{ grantConsent: { id: string } }>(GRANT, { input: { ...terms, subjectId: otherEnterprise.id.toUpperCase() } }, windowOfficer);
    expect(granted.errors).toBeUndefined();
    const stored = (await platform.databases.entities.query('SELECT subject_id FROM consent WHERE id = ?', [granted.data!.grantConsent.id])) as { subject_id: string }[];
    expect(stored).toEqual([{ subject_id: otherEnterprise.id }]);
  });
});
