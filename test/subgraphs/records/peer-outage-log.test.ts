import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { demoWorld } from '../../../scripts/demo/world';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import { createReportsSubgraph } from '../../../subgraphs/reports/subgraph';
import { EntitiesSubjectDirectory } from '../../../subgraphs/shared/subject-directory';
import { testDatabases } from '../../helpers/databases';
import { sparePorts } from '../../helpers/processes';
import { useSubgraph } from '../../helpers/subgraph';
import { creditOffice, officerOf } from './records-harness';

/**
 * A subgraph that cannot ask its peer tells the client SUBGRAPH_UNAVAILABLE in words about its
 * request, and the operator, in its own log, what went wrong and where: the gateway sees only that
 * this subgraph answered, so a peer address mistyped in SUBGRAPH_ENTITIES_URL would otherwise show
 * nowhere, while every submission failed. Logged without a logger to console.warn, which the test
 * reads; with one (production), as a warn line with the same fields.
 */

const otherKey = new Uint8Array(randomBytes(32));
/** A peer's address with a proxy's user and password, and a token in its query: the operator's secrets, never in a log line. */
const withProxyCredentials = (url: string) => `${url.replace('http://', 'http://probeuser:S3cretProxyPass@')}?access_token=S3cretQueryToken`;
/** A peer's address as an operator mistyped it, one letter short (/graphq): the peer answers 404, with a JSON body. */
const mistyped = (url: string) => url.replace(/\/graphql$/, '/graphq');

describe.each(testDatabases)('a peer that cannot be asked, in the log of the subgraph that asked it, on $label', (database) => {
  let deadPeer = 'http://127.0.0.1:9/graphql';
  const world = demoWorld({ subjects: 4 });
  const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  let entitiesUrl = deadPeer;
  // Signed with another key than the subgraphs hold: the entities subgraph refuses it, 401.
  const records = useSubgraph(createRecordsSubgraph({ subjects: new EntitiesSubjectDirectory(() => ({ url: entitiesUrl, signingKey: otherKey })) }), database, 'peerlog_records');
  const entities = useSubgraph(entitiesSubgraph, database, 'peerlog_entities');
  let html: http.Server;
  let htmlPeer = '';
  let stale: http.Server;
  let stalePeer = '';
  const reports = useSubgraph(createReportsSubgraph({ url: () => withProxyCredentials(deadPeer), timeoutMs: 2_000 }), database, 'peerlog_reports');
  const reportsMistyped = useSubgraph(createReportsSubgraph({ url: () => mistyped(entities.url()), timeoutMs: 2_000 }), database, 'peerlog_reports_mistyped');
  let logged: unknown[][];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    // A port that was free a moment ago and that nothing listens on: connections to it are refused.
    deadPeer = `http://127.0.0.1:${(await sparePorts(1))[0]}/graphql`;
    html = http.createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    htmlPeer = `http://127.0.0.1:${(html.address() as net.AddressInfo).port}/graphql`;
    // A peer of another version, which does not know what it was asked: its 400 is no refusal of the subjects.
    stale = http.createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Cannot query field "lookUpSubjects" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }));
    });
    await new Promise<void>((resolve) => stale.listen(0, '127.0.0.1', resolve));
    stalePeer = `http://127.0.0.1:${(stale.address() as net.AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => html.close(() => resolve()));
    await new Promise<void>((resolve) => stale.close(() => resolve()));
  });
  beforeEach(() => {
    logged = [];
    spy = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void logged.push(args));
  });
  afterEach(() => spy.mockRestore());

  const peerLines = (subgraph: string) => logged.filter(([message]) => message === `[${subgraph}] a peer subgraph could not be asked`).map(([, fields]) => fields);

  const submit = (documentNumber: string) =>
    records.queryAs(officerOf('MARKET_REGULATION'), /* GraphQL */ `mutation ($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome } }`, {
      input: { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber, decisionDate: '2026-11-01', summary: '罚款1000元' },
    });

  it.each([
    ['refuses connections', () => withProxyCredentials(deadPeer), 'UNREACHABLE', /ECONNREFUSED/],
    ['answers an HTML page', () => htmlPeer, 'BAD_RESPONSE', /answered 502 with no GraphQL response/],
    // SUBGRAPH_ENTITIES_URL with a mistyped path: the entities subgraph's 404 (a JSON body, code ROUTE_NOT_FOUND) is no GraphQL answer to the call.
    ['answers 404 at a mistyped path', () => mistyped(entities.url()), 'BAD_RESPONSE', /answered 404 with no GraphQL response: .*no route for \/graphq/],
    ['refuses the platform’s signed identity (another key)', () => entities.url(), 'IDENTITY_REFUSED', /answered 401/],
    // Two versions out of step: the call is the platform's fault, not a refusal of what was sent.
    ['does not know what it was asked (another version)', () => stalePeer, 'BAD_RESPONSE', /answered 400: Cannot query field/],
  ])('logs the records subgraph’s failed subject check when the entities subgraph %s, with its address and why; the client is told the reason, not the address', async (_label, url, reason, cause) => {
    entitiesUrl = url();
    const result = await submit(`北戴河市监罚〔2026〕70${reason.length}号`);
    // No retry mends a refused identity (an operator makes the keys agree): no retryAfterSeconds then.
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', reason, ...(reason === 'IDENTITY_REFUSED' ? {} : { retryAfterSeconds: 5 }), outcome: 'NOT_STORED' }]);
    expect(JSON.stringify(result)).not.toContain(entitiesUrl);
    const [line] = peerLines('records') as { peer: string; reason: string; cause: string }[];
    expect(peerLines('records')).toHaveLength(1);
    expect(line).toEqual({ peer: 'entities', reason, cause: expect.stringContaining(new URL(entitiesUrl).host), requestId: expect.any(String) });
    expect(line.cause).toMatch(cause);
    expect(line.cause).not.toMatch(/S3cretProxyPass|S3cretQueryToken/);
  });

  it('logs the reports subgraph’s failed call with the peer’s address and why, the reason the client is told beside it', async () => {
    const result = await reports.queryAs(creditOffice, /* GraphQL */ `mutation ($subjectId: ID!) { generateCreditReport(subjectId: $subjectId) { id } }`, { subjectId: enterprise.id });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'UNREACHABLE' });
    expect(JSON.stringify(result)).not.toContain(deadPeer);
    const [line] = peerLines('reports') as { peer: string; reason: string; cause: string }[];
    expect(line).toMatchObject({ peer: result.errors?.[0].extensions?.serviceName, reason: 'UNREACHABLE', cause: expect.stringContaining(new URL(deadPeer).host) });
    expect(line.cause).not.toMatch(/S3cretProxyPass|S3cretQueryToken/);
  });

  it('logs the reports subgraph’s call to a peer at a mistyped path as BAD_RESPONSE, the 404 in its cause; the client is told SUBGRAPH_UNAVAILABLE, not the peer’s ROUTE_NOT_FOUND', async () => {
    const result = await reportsMistyped.queryAs(creditOffice, /* GraphQL */ `mutation ($subjectId: ID!) { generateCreditReport(subjectId: $subjectId) { id } }`, { subjectId: enterprise.id });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', reason: 'BAD_RESPONSE', retryAfterSeconds: 5, outcome: 'NOT_STORED' }]);
    expect(JSON.stringify(result)).not.toContain('no route');
    expect(peerLines('reports')).toEqual([{ peer: 'entities', reason: 'BAD_RESPONSE', cause: expect.stringMatching(/\/graphq answered 404: .*no route for \/graphq/), requestId: expect.any(String) }]);
  });
});
