import net from 'node:net';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { startPlatform, type As, type Platform } from '../helpers/platform';

/**
 * An officer on a mobile hotspot whose upload stalls: the body arrives after the request's
 * REQUEST_TIMEOUT_MS, well within the 60 s its arrival may take (requestArrivalLimitMillis).
 * Nothing is wrong with any subgraph. The request's time counts from when its body was read, so
 * it runs as any other: the upload's time was never the platform's to spend.
 */
const world = demoWorld({ subjects: 10 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const requestTimeoutMs = 1_000;
const finance: As = {
  caller: { id: 'test-finance-slow', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'SLOW-1' },
};
const RUN = `mutation Run($subjectId: ID!) { runCreditCheck(input: { subjectId: $subjectId, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "SLOW-1" }) { id } }`;

describe.each(testDatabases)('a mutation whose body arrives slowly ($label)', (database) => {
  const suite = 'slowup';
  let platform: Platform;
  beforeAll(async () => {
    await database.cleanUp(suite);
    platform = await startPlatform(database.target(suite), { seedSubjects: world.subjects.length, gateway: { requestTimeoutMs } });
  });
  afterAll(async () => {
    await platform?.stop();
    await database.cleanUp(suite);
  });

  it('runs once its body has arrived, with the whole of its time, and no subgraph is counted as timing out', async () => {
    const url = new URL(platform.gatewayUrl);
    const body = Buffer.from(JSON.stringify({ query: RUN, variables: { subjectId: subject.id } }));
    const headers = { ...finance.headers, authorization: `Bearer ${await platform.token(finance.caller!)}`, 'content-type': 'application/json', 'content-length': String(body.length), connection: 'close' };
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    // The body in two halves, the second after the request's whole budget: a stalled uplink.
    socket.write(body.subarray(0, body.length >> 1));
    await new Promise((resolve) => setTimeout(resolve, requestTimeoutMs + 500));
    socket.write(body.subarray(body.length >> 1));
    await closed;
    const text = Buffer.concat(chunks).toString('utf8');
    const answer = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { data?: { runCreditCheck: { id: string } | null }; errors?: unknown[] };
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.runCreditCheck?.id).toEqual(expect.any(String));
    const [row] = await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check WHERE case_number = ?', ['SLOW-1']);
    expect(Number((row as { n: unknown }).n)).toBe(1);
    expect(await platform.metrics.registry.metrics()).not.toMatch(/credit_gateway_subgraph_fetches_total\{[^}]*outcome="timeout"/);
  });
});
