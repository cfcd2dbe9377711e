import { subgraphNames } from '../../schema/subgraphs';
import { startOpsPlatform, type OpsPlatform } from './ops-platform';

interface Readiness {
  status: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

async function get(url: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
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
    expect(body).toEqual({ status: 'ready', checks: { database: { ok: true } } });
  });

  it('reports the gateway ready when the supergraph is loaded and every subgraph is ready', async () => {
    const { status, body } = await get(`${platform.origin}/ready`);
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['supergraph', ...subgraphNames].sort());
    expect(Object.values(body.checks).every((c) => c.ok)).toBe(true);
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
      expect(gateway.body.checks.providers).toEqual({ ok: false, degraded: true, detail: '/ready answered 503' });
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
