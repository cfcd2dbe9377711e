import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants, type PurposeRefusal } from '../../../lib/access/policy';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * A field whose group the request lacks, asked under a purpose the gateway refused and signed so
 * (`purposeRefused`: a consent revoked, which only the gateway knows, from the consent register):
 * refused with that refusal's `problem` and `header`, as the gateway refuses a field it cuts and
 * the subgraphs' own readers do (assertPurposeGrants, purposeMismatch), not GROUP_NOT_GRANTED
 * pointing at x-credit-matter, which would send a front end to name a matter it did name. A group
 * no purpose the caller may name would grant stays GROUP_NOT_GRANTED, without `header`: mending the
 * consent would not open it. Asked of the subgraph directly, as a peer or a gateway of another
 * release may: this release's gateway cuts such fields itself.
 */
const bank: Caller = { id: 'banker-liu', organisation: 'BANK_HEBEI_BEIDAIHE', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' };
const consentId = '5c0e0000-0000-4000-8000-0000000d0e5d';
const revoked: PurposeRefusal = { problem: 'CONSENT_REVOKED', part: 'consentId', message: `consent ${consentId} is revoked` };
/** As the gateway signs it: the caller's standing grants alone, and why its purpose was refused. */
const underRevokedConsent: RequestIdentity = {
  caller: bank,
  purpose: { matter: 'FINANCIAL_SERVICES', consentId },
  purposeRefused: revoked,
  grants: decideGrants(bank, null).groups,
  scope: {},
  requestId: 'refused-consent',
};

describe.each(testDatabases)('a field whose group the request lacks, under a purpose the gateway refused, on $label', (database) => {
  const entities = useSubgraph(entitiesSubgraph, database, 'refusedgroups');

  it("is refused with the purpose's own refusal where a purpose the caller may name would grant its group", async () => {
    expect(underRevokedConsent.grants).not.toContain('SUBJECT_BASICS');
    const answer = await entities.queryAs(underRevokedConsent, `query($id: ID!) { subject(id: $id) { name } }`, { id: '00000000-0000-4000-8000-000000000001' });
    expect(answer.data).toEqual({ subject: null });
    expect(answer.errors?.map((e) => ({ message: e.message, ...e.extensions }))).toEqual([
      {
        message: `Query.subject needs the field group SUBJECT_BASICS; the request's purpose was refused: consent ${consentId} is revoked`,
        code: 'FORBIDDEN',
        problem: 'CONSENT_REVOKED',
        header: 'x-credit-consent',
        group: 'SUBJECT_BASICS',
      },
    ]);
  });

  // From the review: the subgraph's refusal (groupRefusal) and the gateway's of a field it cut
  // (deniedField) were written twice, and told a request without a token apart: the gateway named
  // its refused purpose, the subgraph "(present a bearer token)", AUTHENTICATION_REQUIRED, whatever
  // the purpose's fault. One function words both now.
  it.each([
    ['naming a matter not in the catalogue', { matter: 'LUNCH' }, { problem: 'UNKNOWN_MATTER', header: 'x-credit-matter' }, `; the request's purpose was refused: "LUNCH" is not a matter or purpose in the catalogue`],
    ['naming no matter', null, { problem: 'AUTHENTICATION_REQUIRED' }, ': present a bearer token'],
  ] as const)('is refused to a request without a token %s as the gateway refuses the field', async (_label, purpose, details, advice) => {
    const decision = decideGrants(null, purpose);
    const anonymous: RequestIdentity = { caller: null, purpose, ...(decision.purposeRefused ? { purposeRefused: decision.purposeRefused } : {}), grants: decision.groups, scope: {}, requestId: 'no-token' };
    const answer = await entities.queryAs(anonymous, `query($id: ID!) { subject(id: $id) { name } }`, { id: '00000000-0000-4000-8000-000000000001' });
    expect(answer.errors?.map((e) => ({ message: e.message, ...e.extensions }))).toEqual([
      { message: `Query.subject needs the field group SUBJECT_BASICS${advice}`, code: 'FORBIDDEN', group: 'SUBJECT_BASICS', ...details },
    ]);
  });

  it('is GROUP_NOT_GRANTED, without header, where no purpose the caller may name would grant its group', async () => {
    const answer = await entities.queryAs(underRevokedConsent, `query($id: ID!) { consent(id: $id) { id } }`, { id: consentId });
    expect(answer.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'GROUP_NOT_GRANTED', group: 'CONSENTS' }]);
    expect(answer.errors?.[0].message).toBe(`Query.consent needs the field group CONSENTS, which no matter grants to EXTERNAL_USER callers of ${bank.organisation}`);
  });
});
