import { demoWorld } from '../../scripts/demo/world';
import { timeoutHeader } from '../../lib/deadline';
import { testDatabases } from '../helpers/databases';
import { startPlatform, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';

/**
 * A mutation whose subgraph waits on a slow peer: the gateway gives up after its subgraph timeout,
 * and the client must then be able to trust that nothing was stored. The records subgraph reaches
 * the entities subgraph (whether the subject exists) through a stand-in that holds the call; the
 * gateway reaches every subgraph directly. On SQLite and MySQL: what is under test ends in a commit.
 */
const world = demoWorld({ subjects: 10 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const timeoutMs = 1_500;
const finance: As = {
  caller: { id: 'test-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'DEADLINE-1' },
};
const RUN = /* GraphQL */ `
  mutation Run($subjectId: ID!, $key: String) { runCreditCheck(input: { subjectId: $subjectId, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "DEADLINE-1", idempotencyKey: $key }) { id } }
`;

describe.each(testDatabases)('a mutation whose peer call outlasts the gateway’s timeout ($label)', (database) => {
  const suite = 'deadline';
  let platform: Platform;
  let entities: StandInSubgraph;

  beforeAll(async () => {
    await database.cleanUp(suite);
    entities = await StandInSubgraph.start();
    platform = await startPlatform(database.target(suite), { seedSubjects: world.subjects.length, peerUrls: { entities: entities.url }, gateway: { subgraphTimeoutMs: timeoutMs } });
    entities.upstream = platform.subgraphs.entities.url;
    // Warmed up (the first request compiles what every later one uses), so that only the held call is slow.
    expect((await platform.query(RUN, { subjectId: subject.id, key: 'deadline-warm-up' }, finance)).errors).toBeUndefined();
  });
  afterAll(async () => {
    entities?.release();
    await platform?.stop();
    await entities?.stop();
    await database.cleanUp(suite);
  });
  afterEach(() => entities.release());

  const storedChecks = async () => {
    const [row] = await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check WHERE subject_id = ?', [subject.id]);
    return Number((row as { n: unknown }).n);
  };

  it('answers SUBGRAPH_UNAVAILABLE naming the slow peer, and stores nothing, even once the peer answers', async () => {
    const before = await storedChecks();
    entities.behaviour = { kind: 'hold' };
    const seen = entities.received.length;
    const result = await platform.query<{ runCreditCheck: { id: string } | null }>(RUN, { subjectId: subject.id, key: 'deadline-held' }, finance);

    // The peer answers after all: the held call goes through, and the records subgraph, were it
    // still waiting on it, would now store the check. Given time to, it stores none.
    await entities.receivedAtLeast(seen + 1);
    entities.release();
    const waitUntil = Date.now() + 2_000;
    while (Date.now() < waitUntil && (await storedChecks()) === before) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storedChecks()).toBe(before);

    expect(result.data).toEqual({ runCreditCheck: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', reason: 'TIMEOUT', serviceName: 'entities', retryAfterSeconds: 5, outcome: 'NOT_STORED' }]);
    expect(result.errors?.[0].message).toMatch(/^the entities subgraph did not answer within \d+ ms, the time the request had left; the subject could not be checked with the entities subgraph, so nothing was stored: retry later$/);
    expect(result.errors?.[0].path).toEqual(['runCreditCheck']);
  });

  it('tells the peer how long it has: the time the gateway gave, less what the records subgraph keeps to answer', async () => {
    const seen = entities.received.length;
    const result = await platform.query<{ runCreditCheck: { id: string } | null }>(RUN, { subjectId: subject.id, key: 'deadline-told' }, finance);
    expect(result.errors).toBeUndefined();
    const calls = entities.received.slice(seen);
    expect(calls.length).toBeGreaterThan(0);
    const granted = Number(calls[0].headers[timeoutHeader]);
    expect(granted).toBeGreaterThan(0);
    expect(granted).toBeLessThan(timeoutMs);
  });

  it('runs and stores a check as before when the peer answers in time', async () => {
    const before = await storedChecks();
    const result = await platform.query<{ runCreditCheck: { id: string } | null }>(RUN, { subjectId: subject.id, key: 'deadline-normal' }, finance);
    expect(result.errors).toBeUndefined();
    expect(result.data?.runCreditCheck?.id).toEqual(expect.any(String));
    expect(await storedChecks()).toBe(before + 1);
  });
});
