import { testDatabases } from '../helpers/databases';
import { postGraphQL } from '../helpers/graphql';
import { supervisor, usePlatform } from '../helpers/platform';

/**
 * A document of several operations, as an editor or an IDE sends it whole with the `operationName`
 * to run. GraphQL asks a fragment's variables of the operations that spread it alone, so a
 * fragment only another operation spreads may use a variable the one run does not declare. The
 * query planner checked every fragment of the document against the operation run, and such a
 * request was answered 500 INTERNAL_SERVER_ERROR (found by the review of 2026-12-08).
 */
describe.each(testDatabases.filter((d) => d.label === 'sqlite'))('several operations in one document on $label', (database) => {
  const platform = usePlatform(database, 'several-operations');
  const send = async (operationName: string, variables: Record<string, unknown> = {}) =>
    postGraphQL(
      platform.gatewayUrl,
      {
        query: `
          query WithReports($n: Int) { more: creditServiceProviders(first: 1) { ...Reports } }
          query Count { creditServiceProviders(first: 1) { totalCount } }
          fragment Reports on CreditServiceProviderConnection { edges { node { issuedReports(first: $n) { totalCount } } } }`,
        variables,
        operationName,
      },
      { authorization: `Bearer ${await platform.token(supervisor.caller!)}`, ...supervisor.headers },
    );

  it('runs the operation named, though a fragment it does not spread takes a variable it does not declare', async () => {
    const count = await send('Count');
    expect(count.errors).toBeUndefined();
    expect(count.status).toBe(200);
    expect(count.data).toEqual({ creditServiceProviders: { totalCount: expect.any(Number) } });
  });

  it('runs the operation that spreads the fragment, with its variable', async () => {
    const reports = await send('WithReports', { n: 1 });
    expect(reports.errors).toBeUndefined();
    expect(reports.data).toEqual({ more: { edges: expect.any(Array) } });
  });
});
