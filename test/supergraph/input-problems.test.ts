import type { Caller } from '../../lib/access/identity';
import { addDays, todayInDistrict } from '../../lib/calendar';
import { subgraphNames } from '../../schema/subgraphs';
import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';

/**
 * A form's input with several problems is told all of them at once, in `extensions.problems`
 * (README, Errors), in every subgraph as in records: the first problem's code, field, `problem`
 * and message stay at the top, as a client reading one problem has always read them.
 */
const world = demoWorld({ subjects: 6 });
const callers = demoCallers(world);
const as = (label: string): As => callers.find((c) => c.label.startsWith(label))!;
const registrar = as('Administrative approval bureau officer');
const windowOfficer = as('Credit office window officer');
const financeOfficer = as('Finance bureau officer');
const registryAdmin = as('Provider registry admin');
const provider = world.providers.find((p) => p.filingStatus === 'FILED')!;
const providerUser: As = { caller: { id: 'provider-user', organisation: provider.unifiedSocialCreditCode, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER' } satisfies Caller };
/** One entry of `extensions.problems`. */
interface InputProblem {
  field: string;
  reason: string;
  problem?: string;
}
/** The README's example code with its check character mistyped (12Y is right). */
const wrongCheck = '91130304MA0TEXT12X';

describe.each(testDatabases)('every problem of a form at once on $label', (database) => {
  const platform = usePlatform(database, 'problems', { seedSubjects: world.subjects.length });
  const today = todayInDistrict();

  /** The refusal's message and extensions, having checked that it stored nothing in any subgraph. */
  async function refusal(query: string, variables: Record<string, unknown>, caller: As): Promise<Record<string, unknown> & { problems?: InputProblem[] }> {
    for (const name of subgraphNames) platform.sql[name].reset();
    const result = await platform.query(query, variables, caller);
    // The audit subgraph records the refusal; no other writes.
    const writes = subgraphNames.filter((name) => name !== 'audit').flatMap((name) => platform.sql[name].statements.filter((s) => /^\s*(INSERT|UPDATE|DELETE)/i.test(s)));
    expect(writes).toEqual([]);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors!;
    return { message: error.message, ...error.extensions };
  }

  const fieldsOf = (refused: { problems?: InputProblem[] }) => refused.problems?.map((p) => p.field);

  it('registerSubject: a blank name, a code with a wrong check character and a registration date to come', async () => {
    const refused = await refusal(`mutation ($input: RegisterSubjectInput!) { registerSubject(input: $input) { id } }`, { input: { kind: 'ENTERPRISE', name: '  ', code: wrongCheck, registrationDate: '2099-01-01' } }, registrar);
    expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name', problem: 'EMPTY', message: 'name must not be empty, got "" (and 2 more problems)' });
    expect(refused.problems).toEqual([
      { field: 'name', reason: 'name must not be empty, got ""', problem: 'EMPTY' },
      { field: 'code', reason: expect.stringContaining('invalid unified social credit code'), problem: 'WRONG_CHECK_CHARACTER' },
      { field: 'registrationDate', reason: `registration date must be today (${today}) or earlier, got 2099-01-01` },
    ]);
  });

  it('registerSubject: the kind is judged against a valid code only, and a lone problem is told as before', async () => {
    const alone = await refusal(`mutation ($input: RegisterSubjectInput!) { registerSubject(input: $input) { id } }`, { input: { kind: 'INDIVIDUAL_BUSINESS', name: '某某商行', code: wrongCheck, registrationDate: '2015-01-01' } }, registrar);
    expect(alone).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'code', problem: 'WRONG_CHECK_CHARACTER' });
    expect(alone.message).not.toContain('more problem');
    expect(fieldsOf(alone)).toEqual(['code']);
  });

  it('grantConsent: a blank grantee, an unknown purpose and a validUntil already past', async () => {
    const input = { subjectCode: world.subjects[0].identifier, granteeOrganisation: ' ', granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'NO_SUCH_PURPOSE', validUntil: addDays(today, -3) };
    const refused = await refusal(`mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, { input }, windowOfficer);
    expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'granteeOrganisation', message: expect.stringMatching(/^granteeOrganisation must not be empty.* \(and 2 more problems\)$/) });
    expect(fieldsOf(refused)).toEqual(['granteeOrganisation', 'purpose', 'validUntil']);
  });

  it('grantConsent: naming the subject twice and a malformed code go with the terms', async () => {
    const input = { subjectCode: wrongCheck, subjectId: world.subjects[0].id, granteeOrganisation: 'BANK_X', granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: addDays(today, 400) };
    const both = await refusal(`mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, { input }, windowOfficer);
    expect(fieldsOf(both)).toEqual(['subjectCode', 'validUntil']);
    const malformed = await refusal(`mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, { input: { ...input, subjectId: null } }, windowOfficer);
    expect(malformed).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validUntil' });
    expect(malformed.problems).toEqual([expect.objectContaining({ field: 'validUntil' }), expect.objectContaining({ field: 'subjectCode', problem: 'WRONG_CHECK_CHARACTER' })]);
  });

  it('registerCreditReport: a verification code too short and a hash that is none, both told', async () => {
    const input = { subjectId: world.subjects[1].id, source: 'CREDIT_CHINA', reportNumber: 'PRB-R2', issuedOn: addDays(today, -5), validUntil: addDays(today, 175), verificationCode: 'abc', documentSha256: 'xyz' };
    const refused = await refusal(`mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id } }`, { input }, financeOfficer);
    expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'verificationCode', message: expect.stringMatching(/^verificationCode must be 4 to 32 .* \(and 1 more problem\)$/) });
    expect(fieldsOf(refused)).toEqual(['verificationCode', 'documentSha256']);
    // Rules between fields wait for the fields they read: validUntil is judged against a valid issuedOn only.
    const dates = await refusal(`mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id } }`, { input: { ...input, issuedOn: addDays(today, 1), validUntil: addDays(today, -400), grade: 'Z' } }, financeOfficer);
    expect(fieldsOf(dates)).toEqual(['issuedOn', 'grade', 'verificationCode', 'documentSha256']);
  });

  it('applyForProviderFiling: an invalid code is told with the application’s other problems', async () => {
    const input = { unifiedSocialCreditCode: wrongCheck, name: ' ', registeredAddress: '河北省秦皇岛市北戴河区', legalRepresentative: '王伟', businessScope: '' };
    const refused = await refusal(`mutation ($input: ProviderApplicationInput!) { applyForProviderFiling(input: $input) { id } }`, { input }, providerUser);
    expect(refused).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'unifiedSocialCreditCode', problem: 'WRONG_CHECK_CHARACTER' });
    expect(fieldsOf(refused)).toEqual(['unifiedSocialCreditCode', 'name', 'businessScope']);
  });

  it('applyForProviderFilingChange and recordProviderViolation: every field of the form', async () => {
    const change = await refusal(
      `mutation ($id: ID!, $input: ProviderFilingChangeInput!) { applyForProviderFilingChange(id: $id, input: $input) { id } }`,
      { id: provider.id, input: { particulars: { name: ' ', contact: '0335-1234567' }, reason: '', supportingMaterial: ' ' } },
      providerUser,
    );
    expect(fieldsOf(change)).toEqual(['particulars.name', 'reason', 'supportingMaterial']);
    const violation = await refusal(
      `mutation ($input: ProviderViolationInput!) { recordProviderViolation(input: $input) { id } }`,
      { input: { providerId: provider.id, kind: 'OTHER', description: ' ', evidence: ['北戴河信用办核查〔2026〕1号', ' '], occurredOn: addDays(today, 2) } },
      registryAdmin,
    );
    expect(fieldsOf(violation)).toEqual(['description', 'evidence[1]', 'occurredOn']);
  });
});
