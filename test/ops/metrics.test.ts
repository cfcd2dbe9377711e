import { SignJWT } from 'jose';
import { testDatabases } from '../helpers/databases';
import { eventually } from '../helpers/processes';
import { financeOfficer, sample, startOpsPlatform, type OpsPlatform } from './ops-platform';

async function scrape(origin: string): Promise<string> {
  const response = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return await response.text();
}

const LOOKUP = /* GraphQL */ `
  query MetricsLookup($id: ID!) { subject(id: $id) { name creditRecords(first: 1) { totalCount } } }
`;

describe('metrics', () => {
  let platform: OpsPlatform;
  let subjectId: string;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 5 });
    const { demoWorld } = await import('../../scripts/demo/world');
    subjectId = demoWorld({ subjects: 5 }).subjects.find((s) => s.kind === 'ENTERPRISE')!.id;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('exposes every family on the gateway before any request', async () => {
    const text = await scrape(platform.origin);
    for (const family of [
      'credit_http_requests_total',
      'credit_graphql_requests_total',
      'credit_graphql_errors_total',
      'credit_graphql_request_duration_seconds',
      'credit_gateway_subgraph_fetch_duration_seconds',
      'credit_gateway_subgraph_fetches_total',
      'credit_gateway_audit_batch_entries',
      'credit_gateway_audit_write_duration_seconds',
      'credit_process_resident_memory_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${family} `);
    }
  });

  it('moves requests, latency, subgraph fetches and audit batches after a query', async () => {
    const before = await scrape(platform.origin);
    const result = await platform.query(LOOKUP, { id: subjectId }, financeOfficer);
    expect(result.errors).toBeUndefined();
    const after = await scrape(platform.origin);
    const delta = (name: string, labels: Record<string, string> = {}) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);

    expect(delta('credit_graphql_requests_total', { operation: 'MetricsLookup', type: 'query', service: 'gateway' })).toBe(1);
    expect(delta('credit_graphql_request_duration_seconds_count', { operation: 'MetricsLookup', type: 'query' })).toBe(1);
    expect(delta('credit_http_requests_total', { route: '/graphql', method: 'POST', status: '200' })).toBe(1);
    expect(delta('credit_gateway_subgraph_fetches_total', { subgraph: 'entities', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(delta('credit_gateway_subgraph_fetches_total', { subgraph: 'records', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(delta('credit_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'entities' })).toBeGreaterThanOrEqual(1);
    // The disclosure is audited: one write of one entry at least.
    expect(delta('credit_gateway_audit_batch_entries_count')).toBeGreaterThanOrEqual(1);
    expect(delta('credit_gateway_audit_batch_entries_sum')).toBeGreaterThanOrEqual(1);
    expect(delta('credit_gateway_audit_write_duration_seconds_count', { stored: 'true' })).toBeGreaterThanOrEqual(1);
  });

  it('counts errors by code', async () => {
    const before = await scrape(platform.origin);
    await platform.query('query Broken { nope }');
    await platform.query(LOOKUP, { id: subjectId }, { headers: { authorization: 'Bearer not-a-token' } });
    const after = await scrape(platform.origin);
    const delta = (labels: Record<string, string>) => (sample(after, 'credit_graphql_errors_total', labels) ?? 0) - (sample(before, 'credit_graphql_errors_total', labels) ?? 0);
    expect(delta({ code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    // A refused token never reaches Apollo's pipeline, so it has no operation name, but it is counted.
    expect(delta({ operation: '(unresolved)', code: 'UNAUTHENTICATED' })).toBe(1);
  });

  // A replica with another AUTH_JWT_SECRET refuses every token as TOKEN_INVALID; expired ones mean clients that do not refresh.
  it('counts refused tokens by why they were refused', async () => {
    const before = await scrape(platform.origin);
    const expired = await new SignJWT({ org: 'FINANCE', org_kind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }).setProtectedHeader({ alg: 'HS256' }).setSubject('officer-test').setIssuer('beidaihe-credit-platform').setAudience('beidaihe-credit-api').setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(platform.secrets.tokens);
    for (const authorization of ['Bearer not-a-token', 'Bearer not-a-token', `Bearer ${expired}`, 'Basic b2ZmaWNlcjpwYXNz']) await platform.query(LOOKUP, { id: subjectId }, { headers: { authorization } });
    const after = await scrape(platform.origin);
    const delta = (problem: string) => (sample(after, 'credit_gateway_tokens_refused_total', { problem }) ?? 0) - (sample(before, 'credit_gateway_tokens_refused_total', { problem }) ?? 0);
    expect([delta('TOKEN_INVALID'), delta('TOKEN_EXPIRED'), delta('AUTHORIZATION_MALFORMED')]).toEqual([2, 1, 1]);
  });

  it('counts a subgraph that cannot be reached as unreachable', async () => {
    await platform.stopSubgraph('reports');
    const before = await scrape(platform.origin);
    const result = await platform.query(/* GraphQL */ `query WithReports($id: ID!) { subject(id: $id) { name creditReports { totalCount } } }`, { id: subjectId }, financeOfficer);
    expect(result.errors?.[0].extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    const after = await scrape(platform.origin);
    const labels = { subgraph: 'reports', outcome: 'unreachable' };
    expect((sample(after, 'credit_gateway_subgraph_fetches_total', labels) ?? 0) - (sample(before, 'credit_gateway_subgraph_fetches_total', labels) ?? 0)).toBe(1);
    // Its warning names the address and what went wrong, as a register call's does.
    const { port } = new URL(platform.subgraphs.reports.url);
    const warned = platform.logs.gateway.lines.filter((l) => l.subgraph === 'reports' && l.outcome === 'unreachable');
    expect(warned).toEqual([expect.objectContaining({ cause: `${platform.subgraphs.reports.url}: connect ECONNREFUSED 127.0.0.1:${port}` })]);
  });

  // The gateway's appends carry the platform's identity, without a caller: they were counted as
  // `(other)`, as a client's fetch whose name could not be labelled is. The append's line on audit
  // is written when its response closes, which may come after the gateway has its answer.
  it('counts the platform’s own calls on a subgraph’s /metrics by their names: the gateway’s audit appends', async () => {
    const origin = new URL(platform.subgraphs.audit.url).origin;
    const appends = (text: string) => sample(text, 'credit_graphql_requests_total', { operation: 'AppendAuditEntries', type: 'mutation', service: 'audit' }) ?? 0;
    const before = appends(await scrape(origin));
    expect((await platform.query(LOOKUP, { id: subjectId }, financeOfficer)).errors).toBeUndefined();
    await eventually('the audit subgraph counting the gateway’s append', async () => appends(await scrape(origin)) > before, 5_000);
    expect(sample(await scrape(origin), 'credit_graphql_requests_total', { operation: '(other)' })).toBeUndefined();
  });

  it('exposes a subgraph’s own requests on its /metrics', async () => {
    const origin = new URL(platform.subgraphs.entities.url).origin;
    const before = await scrape(origin);
    await platform.query(LOOKUP, { id: subjectId }, financeOfficer);
    const after = await scrape(origin);
    const total = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('credit_graphql_requests_total{') && l.includes('service="entities"'))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    expect(total(after) - total(before)).toBeGreaterThanOrEqual(1);
  });
});

describe.each(testDatabases)('database pool metrics on $label', (database) => {
  let platform: OpsPlatform;
  beforeAll(async () => {
    await database.cleanUp('ops_pool');
    platform = await startOpsPlatform(database.target('ops_pool'));
  });
  afterAll(async () => {
    await platform?.stop();
    await database.cleanUp('ops_pool');
  });

  it(database.label === 'mysql' ? 'reports the pool’s connections and limit' : 'reports no pool gauges, SQLite having no pool', async () => {
    await platform.databases.entities.query('SELECT 1');
    const text = await scrape(new URL(platform.subgraphs.entities.url).origin);
    if (database.label === 'mysql') {
      expect(text).toContain('# TYPE credit_db_pool_connections gauge');
      expect(sample(text, 'credit_db_pool_max_connections')).toBe(10);
      expect(sample(text, 'credit_db_pool_connections', { state: 'open' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'credit_db_pool_connections', { state: 'in_use' })).toBe(0);
      expect(sample(text, 'credit_db_pool_queued_requests')).toBe(0);
    } else {
      expect(text).not.toContain('credit_db_pool');
    }
  });
});
