import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As, type PlatformOptions } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';

/**
 * A credit check run through the gateway while the entities subgraph, which the records subgraph
 * asks whether the subject exists, answers with an outage of its own (its subject table locked
 * past its lock wait): the client is told that outage, DATABASE_UNAVAILABLE in the entities
 * subgraph's words and naming it, on the records subgraph's field (README, Errors), not a
 * SUBGRAPH_UNAVAILABLE without a reason. The records subgraph reaches the entities subgraph through
 * a stand-in; the gateway reaches it directly.
 */
const world = demoWorld({ subjects: 6 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const officer: As = {
  caller: { id: 'officer-records-peer', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0702' },
};
const CHECK = /* GraphQL */ `mutation Check($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`;

/** What the entities subgraph answers when its subject table stays locked past its lock wait (subgraphs/shared/subgraph.ts). */
const subjectsLocked = {
  kind: 'answer' as const,
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify({
    errors: [{ message: "the entities subgraph's database was too slow (a lock another change holds was waited for too long): retry later", path: ['subjects'], extensions: { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 } }],
    data: { subjects: null },
  }),
};

describe.each(testDatabases)("a credit check while the entities subgraph's database cannot answer the records subgraph, on $label", (database) => {
  const options: PlatformOptions = { seedSubjects: world.subjects.length, peerUrls: {} };
  let entities: StandInSubgraph;
  beforeAll(async () => {
    entities = await StandInSubgraph.start();
    options.peerUrls!.entities = entities.url;
  });
  const platform = usePlatform(database, 'recpeer', options);
  beforeAll(() => {
    entities.upstream = platform.subgraphs.entities.url;
  });
  afterAll(async () => {
    await entities?.stop();
  });

  it("answers DATABASE_UNAVAILABLE naming the entities subgraph, in its words, and stores no check", async () => {
    const checks = async () => Number(((await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check')) as { n: unknown }[])[0].n);
    const before = await checks();
    entities.behaviour = subjectsLocked;
    const result = await platform.query<{ runCreditCheck: unknown }>(CHECK, { input: { subjectId: enterprise.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0702' } }, officer);
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ runCreditCheck: null });
    expect(result.errors?.map((e) => [e.path, e.message, e.extensions?.code, e.extensions?.serviceName, e.extensions?.retryAfterSeconds])).toEqual([
      [['runCreditCheck'], "the entities subgraph's database was too slow (a lock another change holds was waited for too long): retry later", 'DATABASE_UNAVAILABLE', 'entities', 5],
    ]);
    expect(await checks()).toBe(before);
  });
});
