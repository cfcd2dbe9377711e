import net from 'node:net';
import { demoWorld } from '../../../scripts/demo/world';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import { createReportsSubgraph } from '../../../subgraphs/reports/subgraph';
import { EntitiesSubjectDirectory } from '../../../subgraphs/shared/subject-directory';
import { testDatabases } from '../../helpers/databases';
import { testSigningKey } from '../../helpers/identity';
import { useSubgraph } from '../../helpers/subgraph';
import { creditOffice, officerOf } from './records-harness';

/**
 * A subgraph that cannot ask its peer tells the client SUBGRAPH_UNAVAILABLE in words about its
 * request, and the operator, in its own log, what went wrong and where: the gateway sees only that
 * this subgraph answered, so a peer address mistyped in SUBGRAPH_ENTITIES_URL would otherwise show
 * nowhere, while every submission failed. Logged without a logger to console.warn, which the test
 * reads; with one (production), as a warn line with the same fields.
 */

/** A port that was free a moment ago and that nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(testDatabases)('a peer that cannot be asked, in the log of the subgraph that asked it, on $label', (database) => {
  let deadPeer = 'http://127.0.0.1:9/graphql';
  const world = demoWorld({ subjects: 4 });
  const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  const records = useSubgraph(createRecordsSubgraph({ subjects: new EntitiesSubjectDirectory(() => ({ url: deadPeer, signingKey: testSigningKey })) }), database, 'peerlog_records');
  const reports = useSubgraph(createReportsSubgraph({ url: () => deadPeer, timeoutMs: 2_000 }), database, 'peerlog_reports');
  let logged: unknown[][];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    deadPeer = `http://127.0.0.1:${await closedPort()}/graphql`;
  });
  beforeEach(() => {
    logged = [];
    spy = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void logged.push(args));
  });
  afterEach(() => spy.mockRestore());

  const peerLines = (subgraph: string) => logged.filter(([message]) => message === `[${subgraph}] a peer subgraph could not be asked`).map(([, fields]) => fields);

  it('logs the records subgraph’s failed subject check with the entities address and the refused connection; the client is not told the address', async () => {
    const market = officerOf('MARKET_REGULATION');
    const result = await records.queryAs(market, /* GraphQL */ `mutation ($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome } }`, {
      input: { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕7001号', decisionDate: '2026-11-01', summary: '罚款1000元' },
    });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', retryAfterSeconds: 5 }]);
    expect(JSON.stringify(result)).not.toContain(deadPeer);
    expect(peerLines('records')).toEqual([{ peer: 'entities', reason: undefined, cause: expect.stringContaining(deadPeer), requestId: expect.any(String) }]);
    expect((peerLines('records')[0] as { cause: string }).cause).toMatch(/ECONNREFUSED/);
  });

  it('logs the reports subgraph’s failed call with the peer’s address and why, the reason the client is told beside it', async () => {
    const result = await reports.queryAs(creditOffice, /* GraphQL */ `mutation ($subjectId: ID!) { generateCreditReport(subjectId: $subjectId) { id } }`, { subjectId: enterprise.id });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'UNREACHABLE' });
    expect(JSON.stringify(result)).not.toContain(deadPeer);
    const [line] = peerLines('reports') as { peer: string; reason: string; cause: string }[];
    expect(line).toMatchObject({ peer: result.errors?.[0].extensions?.serviceName, reason: 'UNREACHABLE', cause: expect.stringContaining(deadPeer) });
  });
});
