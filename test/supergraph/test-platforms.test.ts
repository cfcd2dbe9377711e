import { requestIdOf } from '../helpers/graphql';
import { startPlatform, supervisor, type Platform } from '../helpers/platform';
import { startOpsPlatform, type OpsPlatform } from '../ops/ops-platform';

/**
 * The platforms the suites start serve the gateway as production does (gateway/serve.ts
 * serveGateway, which gateway/index.ts boots): a platform that wired it by hand tested a path
 * production does not have. It took a client's `x-request-id` as the request's id, which
 * production never does, and some 39 suites found their audit entries by an id they sent. The
 * database is beside the point: one in memory.
 */
describe.each([
  ['startPlatform', (): Promise<Platform | OpsPlatform> => startPlatform({ kind: 'sqlite', directory: ':memory:' })],
  ['startOpsPlatform', (): Promise<Platform | OpsPlatform> => startOpsPlatform({ kind: 'sqlite', directory: ':memory:' })],
])('the gateway %s serves', (_name, start) => {
  let platform: Platform | OpsPlatform;
  beforeAll(async () => {
    platform = await start();
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it("gives each request an id of its own, never the client's, and answers it in x-request-id", async () => {
    const sent = 'chosen-by-the-client';
    const answer = await platform.query('{ __typename }', {}, { ...supervisor, headers: { ...supervisor.headers, 'x-request-id': sent } });
    expect(answer.status).toBe(200);
    expect(requestIdOf(answer)).not.toBe(sent);
  });

  it('has the routes production serves beside GraphQL: readiness and metrics', async () => {
    const origin = new URL(platform.gatewayUrl).origin;
    const ready = await fetch(`${origin}/ready`, { signal: AbortSignal.timeout(10_000) });
    await ready.text();
    // Ready or not (it asks the subgraphs), the route is there: no 404.
    expect([200, 503]).toContain(ready.status);
    const metrics = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('credit_gateway_');
  });
});
