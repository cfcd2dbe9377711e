import { todayInDistrict } from '../../../lib/calendar';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { ProviderFilingEvent } from '../../../subgraphs/providers/entities/provider-filing-event.entity';
import { providersSubgraph } from '../../../subgraphs/providers/subgraph';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { identityOf, providerUser, registryAdmin } from './callers';

const admin = identityOf(registryAdmin);
const anonymous = identityOf(null);

const decideMutation = /* GraphQL */ `
  mutation ($id: ID!, $decision: FilingDecision!, $reason: String!) { decideProviderFiling(id: $id, decision: $decision, reason: $reason) { id filingStatus } }
`;
const providerQuery = /* GraphQL */ `
  query ($id: ID!) { creditServiceProvider(id: $id) { filingStatus inGoodStanding mayCollectPublicCreditData filingHistory { action fromStatus toStatus reason } } }
`;
const issuerStandingQuery = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on CreditReport { issuerStanding { filingStatusOnIssueDate acceptedOnIssueDate currentFilingStatus stillAccepted revokedOn } } }
  }
`;
const applyMutation = /* GraphQL */ `
  mutation ($input: ProviderApplicationInput!) { applyForProviderFiling(input: $input) { id } }
`;

/** The day the tests' providers were filed, well before today, so that a report of it precedes the de-registration. */
const filedOn = '2026-01-10';
const reportIssuedWhileFiled = '2026-01-15';
/** The day a test back-dates a de-registration to, so that reports of the days after it can be judged. */
const deregisteredOn = '2026-02-20';
const reason = '本机构已停止信用服务业务，依其2026年第3号书面申请注销备案';

describe.each(testDatabases)('de-registration of a provider at its own request (注销备案) on $label', (database) => {
  const { db, query, queryAs } = useSubgraph(providersSubgraph, database, 'deregistration');
  let sequence = 0;

  function ok<T>(result: GraphQLResponse<T>): T {
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  function details(code: string, name: string) {
    return { unifiedSocialCreditCode: code, name, registeredAddress: '河北省秦皇岛市北戴河区注销路1号', legalRepresentative: '测试人', businessScope: '企业征信业务' };
  }

  function newCode(): string {
    sequence += 1;
    return unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `DR${String(sequence).padStart(6, '0')}` });
  }

  /** A provider filed on `filedOn`, and its name. */
  async function filedProvider(): Promise<{ id: string; name: string }> {
    const code = newCode();
    const name = `注销测试信用服务有限公司${sequence}`;
    const { id } = ok(await queryAs<{ applyForProviderFiling: { id: string } }>(identityOf(providerUser(code)), applyMutation, { input: details(code, name) })).applyForProviderFiling;
    ok(await decide(id, 'FILE', '材料齐全，予以备案'));
    // Back-dated, as a provider filed months ago: its history is what its reports are judged by.
    const events = db().getRepository(ProviderFilingEvent);
    await events.update({ providerId: id, action: 'APPLY' }, { occurredAt: new Date(`${filedOn}T01:00:00.000Z`) });
    await events.update({ providerId: id, action: 'FILE' }, { occurredAt: new Date(`${filedOn}T02:00:00.000Z`) });
    return { id, name };
  }

  function decide(id: string, decision: string, why = reason) {
    return queryAs<{ decideProviderFiling: { id: string; filingStatus: string } | null }>(admin, decideMutation, { id, decision, reason: why });
  }

  async function provider(id: string) {
    return ok(await query<{ creditServiceProvider: { filingStatus: string; inGoodStanding: boolean; mayCollectPublicCreditData: boolean; filingHistory: { action: string; fromStatus: string | null; toStatus: string; reason: string }[] } }>(providerQuery, { id })).creditServiceProvider;
  }

  async function issuerStanding(providerId: string, issuedOn: string) {
    const answer = ok(await query<{ _entities: { issuerStanding: Record<string, unknown> }[] }>(issuerStandingQuery, { representations: [{ __typename: 'CreditReport', id: 'r', issuedOn, issuer: { id: providerId } }] }));
    return answer._entities[0].issuerStanding;
  }

  it('ends the filing with the reason on record: the reports issued while filed stay accepted, none issued since, and it may no longer collect', async () => {
    const { id } = await filedProvider();
    expect(ok(await decide(id, 'DEREGISTER')).decideProviderFiling).toEqual({ id, filingStatus: 'DEREGISTERED' });
    expect(await provider(id)).toEqual({
      filingStatus: 'DEREGISTERED',
      inGoodStanding: false,
      mayCollectPublicCreditData: false,
      filingHistory: [
        expect.objectContaining({ action: 'APPLY' }),
        expect.objectContaining({ action: 'FILE' }),
        { action: 'DEREGISTER', fromStatus: 'FILED', toStatus: 'DEREGISTERED', reason },
      ],
    });
    expect(await issuerStanding(id, reportIssuedWhileFiled)).toEqual({ filingStatusOnIssueDate: 'FILED', acceptedOnIssueDate: true, currentFilingStatus: 'DEREGISTERED', stillAccepted: true, revokedOn: null });
    // Its report dated the day of the de-registration: the registry cannot tell whether it was
    // issued before the de-registration that day, so it was issued while filed.
    expect(await issuerStanding(id, todayInDistrict())).toEqual({ filingStatusOnIssueDate: 'DEREGISTERED', acceptedOnIssueDate: true, currentFilingStatus: 'DEREGISTERED', stillAccepted: true, revokedOn: null });
  });

  it('accepts none of its reports issued the days after the de-registration', async () => {
    const { id } = await filedProvider();
    ok(await decide(id, 'DEREGISTER'));
    await db().getRepository(ProviderFilingEvent).update({ providerId: id, action: 'DEREGISTER' }, { occurredAt: new Date(`${deregisteredOn}T03:00:00.000Z`) });
    expect(await issuerStanding(id, deregisteredOn)).toMatchObject({ filingStatusOnIssueDate: 'DEREGISTERED', acceptedOnIssueDate: true, stillAccepted: true });
    expect(await issuerStanding(id, '2026-02-21')).toMatchObject({ filingStatusOnIssueDate: 'DEREGISTERED', acceptedOnIssueDate: false, stillAccepted: false });
    expect(await issuerStanding(id, todayInDistrict())).toMatchObject({ filingStatusOnIssueDate: 'DEREGISTERED', acceptedOnIssueDate: false, stillAccepted: false });
  });

  it('lists a de-registered provider in the public registry, and keeps its name its own', async () => {
    const { id, name } = await filedProvider();
    ok(await decide(id, 'DEREGISTER'));
    const listed = ok(await queryAs<{ creditServiceProviders: { edges: { node: { id: string } }[] } }>(anonymous, 'query ($name: String!) { creditServiceProviders(name: $name, filingStatus: DEREGISTERED) { edges { node { id } } } }', { name })).creditServiceProviders;
    expect(listed.edges.map((e) => e.node.id)).toEqual([id]);
    const code = newCode();
    const namesake = await queryAs(identityOf(providerUser(code)), applyMutation, { input: details(code, name) });
    expect(namesake.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name', problem: 'NAME_OF_ANOTHER_PROVIDER', providerId: id });
  });

  it('answers the same de-registration sent again as it left the provider, recording it once', async () => {
    const { id } = await filedProvider();
    const answers = await Promise.all([decide(id, 'DEREGISTER'), decide(id, 'DEREGISTER')]);
    for (const answer of answers) expect(ok(answer).decideProviderFiling).toEqual({ id, filingStatus: 'DEREGISTERED' });
    expect((await provider(id)).filingHistory.map((e) => e.action)).toEqual(['APPLY', 'FILE', 'DEREGISTER']);
  });

  it('refuses to de-register a suspended provider, whose reports are not relied on meanwhile, and changes nothing', async () => {
    const { id } = await filedProvider();
    ok(await decide(id, 'SUSPEND', '调查期间暂停备案'));
    const refused = await decide(id, 'DEREGISTER');
    expect(refused.data?.decideProviderFiling).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'decision', problem: 'TRANSITION_NOT_ALLOWED' });
    expect(await provider(id)).toMatchObject({ filingStatus: 'SUSPENDED' });
    expect(await issuerStanding(id, reportIssuedWhileFiled)).toMatchObject({ stillAccepted: false });
  });

  it.each(['REINSTATE', 'SUSPEND', 'FILE'])('refuses %s of a de-registered provider, and changes nothing', async (decision) => {
    const { id } = await filedProvider();
    ok(await decide(id, 'DEREGISTER'));
    const refused = await decide(id, decision, '测试');
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'decision', problem: 'TRANSITION_NOT_ALLOWED' });
    expect((await provider(id)).filingHistory.map((e) => e.action)).toEqual(['APPLY', 'FILE', 'DEREGISTER']);
  });

  it('still revokes a de-registered provider for what it did while filed, and then none of its reports is accepted', async () => {
    const { id } = await filedProvider();
    ok(await decide(id, 'DEREGISTER'));
    expect(ok(await decide(id, 'REVOKE', '备案期间出具的报告引用虚假信息')).decideProviderFiling).toEqual({ id, filingStatus: 'REVOKED' });
    expect(await issuerStanding(id, reportIssuedWhileFiled)).toMatchObject({ acceptedOnIssueDate: true, currentFilingStatus: 'REVOKED', stillAccepted: false, revokedOn: todayInDistrict() });
  });

  it('publishes the de-registration in the supervision scheme', async () => {
    const scheme = ok(
      await queryAs<{ providerSupervisionScheme: { transitions: unknown[]; filingStatuses: unknown[] } }>(
        anonymous,
        'query { providerSupervisionScheme { transitions { action from to by } filingStatuses { status publiclyListed mayCollectPublicCreditData mayIssueAcceptedReports earlierReportsAccepted } } }',
      ),
    ).providerSupervisionScheme;
    expect(scheme.transitions).toContainEqual({ action: 'DEREGISTER', from: ['FILED'], to: 'DEREGISTERED', by: 'REGISTRY' });
    expect(scheme.transitions).toContainEqual({ action: 'REVOKE', from: ['FILED', 'SUSPENDED', 'DEREGISTERED'], to: 'REVOKED', by: 'REGISTRY' });
    expect(scheme.filingStatuses).toContainEqual({ status: 'DEREGISTERED', publiclyListed: true, mayCollectPublicCreditData: false, mayIssueAcceptedReports: false, earlierReportsAccepted: true });
  });
});
