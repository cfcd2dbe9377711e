import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayReadiness } from '../../gateway/readiness';
import { catalogueFingerprint } from '../../lib/catalogue/fingerprint';
import { readinessRoute } from '../../lib/readiness';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { testDatabases } from '../helpers/databases';
import { testSigningKey } from '../helpers/identity';
import { useSubgraph } from '../helpers/subgraph';

/**
 * The catalogue is code, compiled into every process, so a catalogue change is a release. A
 * gateway restarted alone (or left behind) on another release's catalogue than its subgraphs' was
 * ready all the same, while the audit subgraph refused its departments (AUDIT_UNAVAILABLE,
 * CATALOGUE_MISMATCH) and `viewer` answered `department: null`. Every `/ready` now names the
 * catalogue its process was built with, and the gateway's compares it with each subgraph's.
 */
describe.each(testDatabases)("the catalogue's fingerprint on /ready, on $label", (database) => {
  const entities = useSubgraph(entitiesSubgraph, database, 'catalogueprint');
  /** A stand-in subgraph, ready, built on another release's catalogue. */
  let apart: http.Server;
  const otherFingerprint = catalogueFingerprint.replace(/^./, (digit) => (digit === '0' ? '1' : '0'));

  beforeAll(async () => {
    apart = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ready', catalogueFingerprint: otherFingerprint, checks: { database: { ok: true } } }));
    });
    await new Promise<void>((resolve) => apart.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => apart.close(resolve)));

  /** A gateway's `/ready` over these subgraphs, as gateway/serve.ts builds it, served on a free port: its answer. */
  async function gatewayReady(subgraphUrls: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const route = readinessRoute(gatewayReadiness(subgraphUrls, () => true, { kind: 'ready-route', signingKey: testSigningKey }), () => false);
    const server = http.createServer((req, res) => void route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`, { signal: AbortSignal.timeout(10_000) });
      return { status: response.status, body: await response.json() };
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it("answers a subgraph's /ready and /metrics with the fingerprint of the catalogue it was built with", async () => {
    expect(catalogueFingerprint).toMatch(/^[0-9a-f]{16}$/);
    const origin = new URL(entities.url()).origin;
    const ready = await fetch(`${origin}/ready`, { signal: AbortSignal.timeout(10_000) });
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', catalogueFingerprint, checks: { database: { ok: true } } }]);
    const metrics = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    expect(metrics).toContain(`credit_catalogue_info{fingerprint="${catalogueFingerprint}",service="entities"} 1`);
  });

  it("answers the gateway's /ready ready, naming its own fingerprint, when its subgraphs' agree", async () => {
    expect(await gatewayReady({ entities: entities.url() })).toEqual({ status: 200, body: { status: 'ready', catalogueFingerprint, checks: { supergraph: { ok: true }, entities: { ok: true } } } });
  });

  it("answers the gateway's /ready degraded, still in service, naming a subgraph on another catalogue, both fingerprints and what to do", async () => {
    const apartUrl = `http://127.0.0.1:${(apart.address() as AddressInfo).port}/graphql`;
    expect(await gatewayReady({ entities: entities.url(), audit: apartUrl })).toEqual({
      status: 200,
      body: {
        status: 'degraded',
        catalogueFingerprint,
        checks: {
          supergraph: { ok: true },
          entities: { ok: true },
          audit: {
            ok: false,
            degraded: true,
            detail: `the audit subgraph runs catalogue ${otherFingerprint}, this gateway ${catalogueFingerprint}: they were built on different releases, so departments, matters or grants one knows the other may not (viewer's department null, AUDIT_UNAVAILABLE with reason CATALOGUE_MISMATCH): restart every process on one release, subgraphs first`,
          },
        },
      },
    });
  });
});
