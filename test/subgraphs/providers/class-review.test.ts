import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { providersSubgraph } from '../../../subgraphs/providers/subgraph';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { identityOf, providerUser, registryAdmin } from './callers';

const admin = identityOf(registryAdmin);

const classMutation = /* GraphQL */ `
  mutation ($id: ID!, $class: SupervisionClass!, $reason: String!, $reviewedEventId: ID) {
    setProviderSupervisionClass(id: $id, supervisionClass: $class, reason: $reason, reviewedEventId: $reviewedEventId) { id supervisionClass }
  }
`;
const historyQuery = /* GraphQL */ `
  query ($id: ID!) { creditServiceProvider(id: $id) { supervisionClass filingHistory { id action } classHistory { id toClass reason } } }
`;

interface History {
  supervisionClass: string | null;
  filingHistory: { id: string; action: string }[];
  classHistory: { id: string; toClass: string; reason: string }[];
}

describe.each(testDatabases)('Mutation.setProviderSupervisionClass with the step the admin reviewed (reviewedEventId) on $label', (database) => {
  const { queryAs } = useSubgraph(providersSubgraph, database, 'classreview');
  let sequence = 0;

  function ok<T>(result: GraphQLResponse<T>): T {
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  async function filedProvider(): Promise<string> {
    sequence += 1;
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `CR${String(sequence).padStart(6, '0')}` });
    const input = { unifiedSocialCreditCode: code, name: `分类测试信用服务有限公司${sequence}`, registeredAddress: '河北省秦皇岛市北戴河区分类路1号', legalRepresentative: '测试人', businessScope: '企业征信业务' };
    const { id } = ok(await queryAs<{ applyForProviderFiling: { id: string } }>(identityOf(providerUser(code)), 'mutation ($input: ProviderApplicationInput!) { applyForProviderFiling(input: $input) { id } }', { input })).applyForProviderFiling;
    ok(await queryAs(admin, 'mutation ($id: ID!) { decideProviderFiling(id: $id, decision: FILE, reason: "材料齐全，予以备案") { id } }', { id }));
    return id;
  }

  async function history(id: string): Promise<History> {
    return ok(await queryAs<{ creditServiceProvider: History }>(admin, historyQuery, { id })).creditServiceProvider;
  }

  function classify(id: string, supervisionClass: string, reason: string, reviewedEventId: string | null, as = admin) {
    return queryAs<{ setProviderSupervisionClass: { id: string; supervisionClass: string } | null }>(as, classMutation, { id, class: supervisionClass, reason, reviewedEventId });
  }

  it('of four admins classifying a provider at once from what they read, sets the first and refuses the others as CONCURRENT_CHANGE, storing nothing for them', async () => {
    const id = await filedProvider();
    const filed = (await history(id)).filingHistory.at(-1)!.id;
    const wanted = ['A', 'B', 'C', 'D'];
    const answers = await Promise.all(wanted.map((c, i) => classify(id, c, `评价意见${i}`, filed, identityOf({ ...registryAdmin, id: `registrar-${i}` }))));
    const set = answers.filter((a) => !a.errors);
    expect(set).toHaveLength(1);
    for (const refused of answers.filter((a) => a.errors)) {
      expect(refused.data?.setProviderSupervisionClass).toBeNull();
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewedEventId', problem: 'CONCURRENT_CHANGE' });
    }
    const after = await history(id);
    expect(after.classHistory).toHaveLength(1);
    expect(after.supervisionClass).toBe(set[0].data?.setProviderSupervisionClass?.supervisionClass);
  });

  it('sets the class when nothing changed since the step reviewed, of either history, and answers a retry of it unchanged', async () => {
    const id = await filedProvider();
    ok(await classify(id, 'B', '年度评价', (await history(id)).filingHistory.at(-1)!.id));
    const classified = (await history(id)).classHistory.at(-1)!.id;
    const answers = await Promise.all([classify(id, 'A', '年度评价优秀', classified), classify(id, 'A', '年度评价优秀', classified)]);
    for (const answer of answers) expect(ok(answer).setProviderSupervisionClass).toEqual({ id, supervisionClass: 'A' });
    expect((await history(id)).classHistory.map((c) => c.toClass)).toEqual(['B', 'A']);
  });

  it('refuses a class decided on a history a suspension has changed since, and stores nothing', async () => {
    const id = await filedProvider();
    const filed = (await history(id)).filingHistory.at(-1)!.id;
    ok(await queryAs(admin, 'mutation ($id: ID!) { decideProviderFiling(id: $id, decision: SUSPEND, reason: "调查期间暂停") { id } }', { id }));
    const refused = await classify(id, 'C', '投诉核实', filed);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewedEventId', problem: 'CONCURRENT_CHANGE' });
    expect((await history(id)).classHistory).toEqual([]);
  });

  it('refuses a step of another provider as reviewedEventId, and stores nothing', async () => {
    const id = await filedProvider();
    const other = await filedProvider();
    const refused = await classify(id, 'A', '年度评价优秀', (await history(other)).filingHistory.at(-1)!.id);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewedEventId' });
    expect(refused.errors?.[0].extensions?.problem).toBeUndefined();
    expect((await history(id)).classHistory).toEqual([]);
  });
});
