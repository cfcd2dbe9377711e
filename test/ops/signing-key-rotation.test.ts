import { randomBytes } from 'node:crypto';
import { identityHeader, signIdentity } from '../../lib/access/identity';
import { subgraphNames } from '../../schema/subgraphs';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { startSubgraph, type StartedSubgraph } from '../../subgraphs/shared/subgraph';
import { financeOfficer, startOpsPlatform, type OpsPlatform } from './ops-platform';

interface Readiness {
  status: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

const SEARCH = /* GraphQL */ `
  query RotationSearch($after: String) { searchSubjects(name: "北戴河", first: 2, after: $after) { totalCount edges { node { id } } pageInfo { endCursor hasNextPage } } }
`;

interface Search {
  searchSubjects: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
}

/**
 * A change of GATEWAY_SIGNING_KEY, rolled one process at a time (README "Changing the signing
 * key"): a subgraph restarted with the next key and the one every other process still signs with
 * in GATEWAY_SIGNING_KEYS_ACCEPTED answers them all, opens the page cursors they issued, and is
 * ready to the gateways that still sign with the old key.
 */
describe('a change of signing key, one process at a time', () => {
  let platform: OpsPlatform;
  let restarted: StartedSubgraph;
  const next = new Uint8Array(randomBytes(32));
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 12 });
    // A replica of the entities subgraph restarted with the next key, the platform's key accepted.
    restarted = await startSubgraph(subgraphDefinitions.entities, platform.databases.entities, { port: 0, signingKey: next, acceptedKeys: [platform.secrets.signing] });
  });
  afterAll(async () => {
    await restarted?.stop();
    await platform?.stop();
  });

  const subgraphUrls = () => ({ ...Object.fromEntries(subgraphNames.map((n) => [n, platform.subgraphs[n].url])), entities: restarted.url });

  it('answers a gateway still signing with the old key: ready, not degraded, and every field served', async () => {
    const gateway = await platform.serveGateway({ subgraphUrls: subgraphUrls() });
    const ready = await fetch(`${new URL(gateway.url).origin}/ready`, { signal: AbortSignal.timeout(10_000) });
    const body = (await ready.json()) as Readiness;
    expect({ status: ready.status, body: body.status, entities: body.checks.entities }).toEqual({ status: 200, body: 'ready', entities: { ok: true } });
    // Page one from a replica holding the old key alone, page two from the restarted one: the cursor opens.
    const first = await platform.query<Search>(SEARCH, {}, financeOfficer);
    expect(first.errors).toBeUndefined();
    expect(first.data?.searchSubjects.pageInfo.hasNextPage).toBe(true);
    const token = await platform.token(financeOfficer.caller);
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...financeOfficer.headers },
      body: JSON.stringify({ query: SEARCH, variables: { after: first.data?.searchSubjects.pageInfo.endCursor } }),
      signal: AbortSignal.timeout(10_000),
    });
    const second = (await response.json()) as { data?: Search; errors?: unknown[] };
    expect(second.errors).toBeUndefined();
    expect(second.data?.searchSubjects.edges).toHaveLength(2);
    expect(second.data?.searchSubjects.edges.map((e) => e.node.id)).not.toContain(first.data?.searchSubjects.edges[0].node.id);
  });

  it('answers a peer signing with either key, and refuses one signing with a key neither held nor accepted', async () => {
    const anonymous = { caller: null, purpose: null, grants: [], scope: {} };
    const ask = async (key: Uint8Array) =>
      (await fetch(restarted.url, { method: 'POST', headers: { 'content-type': 'application/json', [identityHeader]: await signIdentity(anonymous, key) }, body: '{"query":"{ __schema { queryType { name } } }"}', signal: AbortSignal.timeout(10_000) })).status;
    expect(await ask(platform.secrets.signing)).toBe(200);
    expect(await ask(next)).toBe(200);
    expect(await ask(new Uint8Array(randomBytes(32)))).toBe(401);
  });
});
