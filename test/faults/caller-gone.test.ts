import net from 'node:net';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { startPlatform, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';
import { requestIdOf } from '../helpers/graphql';

/**
 * The gateway's client gives up (its own timeout) while a subgraph is slow: the gateway stops its
 * calls to the subgraphs, so that a subgraph that has not committed stores nothing, and audits
 * nothing as disclosed, as it releases nothing. The slow subgraphs are stand-ins that hold calls:
 * the entities subgraph as the gateway reaches it (a read's first fetch) and as the records
 * subgraph reaches it (whether a checked subject exists), and the reports subgraph as the gateway
 * reaches it (a check's verdict, read after the check is stored). On SQLite and MySQL: what is under
 * test ends in a commit, or in none.
 */
const world = demoWorld({ subjects: 10 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const finance: As = {
  caller: { id: 'test-finance-gone', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'GONE-1' },
};
const READ = /* GraphQL */ `query Read($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } }`;
const RUN = /* GraphQL */ `
  mutation Run($subjectId: ID!, $key: String) { runCreditCheck(input: { subjectId: $subjectId, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "GONE-1", idempotencyKey: $key }) { id } }
`;
const RUN_WITH_VERDICT = /* GraphQL */ `
  mutation RunWithVerdict($subjectId: ID!, $key: String) { runCreditCheck(input: { subjectId: $subjectId, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "GONE-1", idempotencyKey: $key }) { id verdict } }
`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDatabases)('a request whose client gives up while a subgraph is slow ($label)', (database) => {
  const suite = 'gone';
  let platform: Platform;
  let entities: StandInSubgraph;
  let entitiesPeer: StandInSubgraph;
  let reports: StandInSubgraph;
  let audit: StandInSubgraph;

  beforeAll(async () => {
    await database.cleanUp(suite);
    [entities, entitiesPeer, reports, audit] = await Promise.all([StandInSubgraph.start(), StandInSubgraph.start(), StandInSubgraph.start(), StandInSubgraph.start()]);
    platform = await startPlatform(database.target(suite), {
      seedSubjects: world.subjects.length,
      // The records subgraph reaches the reports subgraph through the gateway's stand-in for it: a check's verdict is sealed with its findings.
      peerUrls: { entities: entitiesPeer.url, reports: reports.url },
      gateway: { subgraphUrls: { entities: entities.url, reports: reports.url, audit: audit.url } },
    });
    for (const standIn of [entities, entitiesPeer]) standIn.upstream = platform.subgraphs.entities.url;
    reports.upstream = platform.subgraphs.reports.url;
    audit.upstream = platform.subgraphs.audit.url;
  });
  afterAll(async () => {
    for (const standIn of [entities, entitiesPeer, reports, audit]) standIn?.release();
    await platform?.stop();
    await Promise.all([entities, entitiesPeer, reports, audit].map((standIn) => standIn?.stop()));
    await database.cleanUp(suite);
  });
  afterEach(() => [entities, entitiesPeer, reports, audit].forEach((standIn) => standIn.release()));

  /**
   * Sends the operation as `finance`, and gives up (a TimeoutError, as a client's own timeout) once
   * `held` has received the call the request is waiting on. Its answer never read, the request's id
   * is read from that call, which carries the gateway's id as every call it makes for the request. It gave up after a
   * fixed second once, which a pause of this process (CI's one jest process, some GB of heap) let
   * pass before the gateway had made that call: the test then saw no call held, not what it is about.
   */
  async function sendAndGiveUp(query: string, variables: Record<string, unknown>, held: StandInSubgraph): Promise<{ outcome: unknown; requestId: string }> {
    const seen = held.received.length;
    const client = new AbortController();
    const response = fetch(platform.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await platform.token(finance.caller!)}`, ...finance.headers },
      body: JSON.stringify({ query, variables }),
      signal: client.signal,
    }).then(
      (answered) => answered.status,
      (error: Error) => error.name,
    );
    // Bounded (10 s): a call never made fails the test here, naming the stand-in.
    await Promise.race([held.receivedAtLeast(seen + 1), response]);
    client.abort(new DOMException('the client stopped waiting', 'TimeoutError'));
    return { outcome: await response, requestId: requestIdOf(held.received[seen]) };
  }

  /** The audit entries of `requestId`, by outcome. */
  async function audited(requestId: string): Promise<Record<string, number>> {
    const rows = (await platform.databases.audit.query('SELECT outcome, COUNT(*) AS n FROM audit_entry WHERE request_id = ? GROUP BY outcome', [requestId])) as { outcome: string; n: unknown }[];
    return Object.fromEntries(rows.map((row) => [row.outcome, Number(row.n)]));
  }

  const storedChecks = async () => {
    const [row] = await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check WHERE subject_id = ?', [subject.id]);
    return Number((row as { n: unknown }).n);
  };

  /** Lets `standIn`'s held call through once the client has given up, and gives what it set off time to finish. */
  async function releaseAfterTheClientLeft(standIn: StandInSubgraph): Promise<void> {
    await pause(500);
    standIn.release();
    await pause(2_000);
  }

  it('audits as disclosed what a client that waits for its answer reads (the stand-ins pass calls on)', async () => {
    const read = await platform.query(READ, { id: subject.id }, finance);
    expect(read.errors).toBeUndefined();
    const run = await platform.query(RUN, { subjectId: subject.id, key: 'gone-run-waited' }, finance);
    expect(run.errors).toBeUndefined();
    expect(await audited(requestIdOf(read))).toEqual({ DISCLOSED: 1 });
    expect(await audited(requestIdOf(run))).toEqual({ DISCLOSED: 1 });
  });

  it('stops a read whose client gave up, and audits nothing of it as disclosed', async () => {
    entities.behaviour = { kind: 'hold' };
    const seen = entities.received.length;
    const { outcome, requestId } = await sendAndGiveUp(READ, { id: subject.id }, entities);
    expect(outcome).toBe('TimeoutError');
    expect(entities.received.length).toBe(seen + 1);
    await releaseAfterTheClientLeft(entities);
    expect(await audited(requestId)).toEqual({});
  });

  it('stores no check whose client gave up before it was committed, and audits nothing of it as disclosed', async () => {
    const before = await storedChecks();
    entitiesPeer.behaviour = { kind: 'hold' };
    const seen = entitiesPeer.received.length;
    const { outcome, requestId } = await sendAndGiveUp(RUN, { subjectId: subject.id, key: 'gone-run' }, entitiesPeer);
    expect(outcome).toBe('TimeoutError');
    // The records subgraph was asking the entities subgraph about the subject when the client left.
    expect(entitiesPeer.received.length).toBeGreaterThan(seen);
    await releaseAfterTheClientLeft(entitiesPeer);
    expect(await storedChecks()).toBe(before);
    expect(await audited(requestId)).toEqual({});
  });

  it('keeps a check committed before its client gave up, and audits nothing of its unreleased answer as disclosed', async () => {
    const before = await storedChecks();
    // The check is stored by the records subgraph, which then asks the reports subgraph for the findings its verdict is sealed with.
    reports.behaviour = { kind: 'hold' };
    const seen = reports.received.length;
    const { outcome, requestId } = await sendAndGiveUp(RUN_WITH_VERDICT, { subjectId: subject.id, key: 'gone-after-commit' }, reports);
    expect(outcome).toBe('TimeoutError');
    expect(reports.received.length).toBeGreaterThan(seen);
    await releaseAfterTheClientLeft(reports);
    // In the ledger, as any check is: reading it back (the same request again, with its key) is what discloses it.
    expect(await storedChecks()).toBe(before + 1);
    expect(await audited(requestId)).toEqual({});
    const again = await platform.query<{ runCreditCheck: { id: string; verdict: string } | null }>(RUN_WITH_VERDICT, { subjectId: subject.id, key: 'gone-after-commit' }, finance);
    expect(again.errors).toBeUndefined();
    expect(await storedChecks()).toBe(before + 1);
    expect(await audited(requestIdOf(again))).toEqual({ DISCLOSED: 1 });
  });

  // A client whose going leaves its DISCLOSED entries out must never read the answer: Node's HTTP
  // server (httpAllowHalfOpen false) closes a connection whose client half-closed, so one that
  // closed only its sending side, still reading, gets nothing either.
  it('releases nothing to a client that closed its sending side after its data was read, as its entries then say nothing was disclosed', async () => {
    // The audit log's writes held: another request's write is under way, so this one's entries wait in the queue after its data is read.
    audit.behaviour = { kind: 'hold' };
    const writes = audit.received.length;
    const first = platform.query(READ, { id: subject.id }, finance);
    for (let waited = 0; waited < 5_000 && audit.received.length === writes; waited += 50) await pause(50);
    expect(audit.received.length).toBe(writes + 1);
    const url = new URL(platform.gatewayUrl);
    const body = JSON.stringify({ query: READ, variables: { id: subject.id } });
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const token = await platform.token(finance.caller!);
    const headers = Object.entries({ ...finance.headers, authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    const reads = entities.received.length;
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
    // Its data read: then the client half-closes, still reading.
    for (let waited = 0; waited < 5_000 && entities.received.length === reads; waited += 50) await pause(50);
    // Its answer never read: its id is the one the gateway's call for it carries.
    const halfClosed = requestIdOf(entities.received[reads]);
    await pause(700);
    socket.end();
    await pause(300);
    audit.release();
    expect((await first).errors).toBeUndefined();
    await Promise.race([closed, pause(5_000)]);
    socket.destroy();
    const answered = Buffer.concat(chunks).toString('utf8');
    expect(answered).toBe('');
    expect(await audited(halfClosed)).toEqual({});
    expect(await audited(requestIdOf(await first))).toEqual({ DISCLOSED: 1 });
  });
});
