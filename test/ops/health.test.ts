import { randomBytes } from 'node:crypto';
import { identityHeader, signIdentity } from '../../lib/access/identity';
import { catalogueFingerprint } from '../../lib/catalogue/fingerprint';
import { subgraphNames } from '../../schema/subgraphs';
import { postGraphQL } from '../helpers/graphql';
import { financeOfficer, startOpsPlatform, type OpsPlatform } from './ops-platform';

interface Readiness {
  status: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe('health and readiness', () => {
  let platform: OpsPlatform;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('answers /health on the gateway and on every subgraph', async () => {
    const origins = [platform.origin, ...subgraphNames.map((n) => new URL(platform.subgraphs[n].url).origin)];
    for (const origin of origins) {
      const response = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('answers /health, /ready and /metrics with a query string a probe may add', async () => {
    for (const origin of [platform.origin, new URL(platform.subgraphs.records.url).origin]) {
      for (const route of ['/health?from=lb', '/ready?probe=1', '/metrics?x']) {
        const response = await fetch(`${origin}${route}`, { signal: AbortSignal.timeout(10_000) });
        expect([`${origin}${route}`, response.status]).toEqual([`${origin}${route}`, 200]);
        await response.arrayBuffer();
      }
    }
  });

  it('reports a subgraph ready when its database answers', async () => {
    const { status, body } = await get(`${new URL(platform.subgraphs.records.url).origin}/ready`);
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ready', catalogueFingerprint, checks: { database: { ok: true } } });
  });

  it('reports the gateway ready when the supergraph is loaded and every subgraph is ready', async () => {
    const { status, body } = await get(`${platform.origin}/ready`);
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['supergraph', ...subgraphNames].sort());
    expect(Object.values(body.checks).every((c) => c.ok)).toBe(true);
  });

  it("reports the gateway not ready while the subgraphs refuse its signed identity, naming each and saying the signing keys differ", async () => {
    // platform.stop() stops it.
    const otherKey = await platform.serveGateway({ signingKey: new Uint8Array(randomBytes(32)) });
    const { status, body } = await get(`${new URL(otherKey.url).origin}/ready`);
    expect(status).toBe(503);
    expect(body.status).toBe('not ready');
    expect(body.checks.supergraph).toEqual({ ok: true });
    for (const name of subgraphNames) {
      expect(body.checks[name]).toEqual({ ok: false, detail: expect.stringContaining(`the ${name} subgraph refused the gateway's signed identity: the signing keys differ`) });
    }
  });

  /**
   * Every call such a gateway makes is refused; each refusal once logged an error line with
   * Apollo's stack trace (1.7 KB), one a subgraph call. Now one line a subgraph in ten seconds
   * (test/unit/outage-log.test.ts), while the client is answered as before.
   */
  it('answers requests through a gateway the subgraphs refuse with SUBGRAPH_UNAVAILABLE, logging the refusal once, without a stack', async () => {
    const otherKey = await platform.serveGateway({ signingKey: new Uint8Array(randomBytes(32)) });
    const token = await platform.token(financeOfficer.caller);
    const from = platform.logs.gateway.lines.length;
    for (let i = 0; i < 3; i++) {
      const result = await postGraphQL(otherKey.url, { query: '{ subjectByCode(code: "91130304MA0A1B2C3D") { name } }' }, { ...financeOfficer.headers, authorization: `Bearer ${token}` });
      expect(result.data).toEqual({ subjectByCode: null });
      expect(result.errors).toEqual([
        {
          message: "the entities subgraph refused the platform's own credentials for this call (a fault of the platform's configuration, not of your token)",
          path: ['subjectByCode'],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', reason: 'IDENTITY_REFUSED', serviceName: 'entities' },
        },
      ]);
    }
    const refusals = platform.logs.gateway.lines.slice(from).filter((l) => l.level !== 'info');
    expect(refusals).toEqual([expect.objectContaining({ level: 'error', subgraph: 'entities', outcome: 'identity_refused', callsSinceLastLine: 1 })]);
    expect(refusals[0]).not.toHaveProperty('err');
  });

  it("answers a subgraph's /ready 401 when it carries an identity that does not verify, in the words a GraphQL request gets, and as without one when it verifies", async () => {
    const origin = new URL(platform.subgraphs.records.url).origin;
    const anonymous = { caller: null, purpose: null, grants: [], scope: {} };
    const forged = await signIdentity(anonymous, new Uint8Array(randomBytes(32)));
    const refused = await get(`${origin}/ready`, { [identityHeader]: forged });
    expect(refused).toEqual({ status: 401, body: { status: 'not ready', checks: { gatewayIdentity: { ok: false, detail: 'the gateway identity on this request is invalid or expired' } } } });
    const graphql = await fetch(platform.subgraphs.records.url, { method: 'POST', headers: { 'content-type': 'application/json', [identityHeader]: forged }, body: '{"query":"{ __schema { queryType { name } } }"}' });
    expect(graphql.status).toBe(401);
    expect(((await graphql.json()) as { errors: { message: string }[] }).errors[0].message).toBe(refused.body.checks.gatewayIdentity.detail);
    const signed = await get(`${origin}/ready`, { [identityHeader]: await signIdentity(anonymous, platform.secrets.signing) });
    expect(signed).toEqual({ status: 200, body: { status: 'ready', catalogueFingerprint, checks: { database: { ok: true } } } });
  });

  it('reports a subgraph not ready when its database is closed, and the gateway ready but degraded, naming it: it serves the rest', async () => {
    await platform.databases.providers.destroy();
    try {
      const subgraph = await get(`${new URL(platform.subgraphs.providers.url).origin}/ready`);
      expect(subgraph.status).toBe(503);
      expect(subgraph.body.checks.database.ok).toBe(false);
      expect(subgraph.body.checks.database.detail).toMatch(/^the database did not answer/);
      const gateway = await get(`${platform.origin}/ready`);
      expect(gateway.status).toBe(200);
      expect(gateway.body.status).toBe('degraded');
      expect(gateway.body.checks.providers).toEqual({ ok: false, degraded: true, detail: `${new URL(platform.subgraphs.providers.url).origin}/ready answered 503` });
    } finally {
      await platform.databases.providers.initialize();
    }
    expect((await get(`${platform.origin}/ready`)).status).toBe(200);
  });

  it('keeps the gateway ready, degraded, when a subgraph stops, and /health live', async () => {
    await platform.stopSubgraph('records');
    const { status, body } = await get(`${platform.origin}/ready`);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.checks.records).toMatchObject({ ok: false, degraded: true });
    expect(body.checks.records.detail).toMatch(/^unreachable/);
    expect(body.checks.entities).toEqual({ ok: true });
    expect((await fetch(`${platform.origin}/health`)).status).toBe(200);
  });
});
