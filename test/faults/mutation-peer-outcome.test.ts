import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import type { GraphQLResponse } from '../helpers/graphql';
import { usePlatform, type As, type PlatformOptions } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';

/**
 * A mutation whose subgraph could not ask a peer it needs (a credit check's subject in the
 * entities subgraph, a generated report's records in the records subgraph), through the gateway:
 * answered SUBGRAPH_UNAVAILABLE naming the peer, or the peer's own DATABASE_UNAVAILABLE as it said
 * it, with `outcome: NOT_STORED` (README, Errors), as the gateway tells of a subgraph it could not
 * reach: each peer is asked before anything is stored. Nothing is stored, and the same request,
 * sent again once the peer answers, is run. Both subgraphs reach their peers through stand-ins;
 * the gateway reaches every subgraph directly.
 */
const world = demoWorld({ subjects: 8 });
const enterprises = world.subjects.filter((s) => s.kind === 'ENTERPRISE');
const caseNumber = 'BDH-CG-2026-0733';
const officer: As = {
  caller: { id: 'officer-peer-outcome', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': caseNumber },
};
const RUN = /* GraphQL */ `mutation Run($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`;
const GENERATE = /* GraphQL */ `mutation Generate($id: ID!, $key: String) { generateCreditReport(subjectId: $id, idempotencyKey: $key) { id } }`;

/** What the records subgraph answers a read while its database is gone (subgraphs/shared/subgraph.ts). */
const recordsDatabaseGone = {
  kind: 'answer' as const,
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify({
    errors: [{ message: 'the records subgraph lost its database connection: retry later', path: ['_entities'], extensions: { code: 'DATABASE_UNAVAILABLE', reason: 'CONNECTION_LOST', retryAfterSeconds: 5 } }],
    data: { _entities: null },
  }),
};

describe.each(testDatabases)("a mutation whose subgraph's peer cannot answer, on $label", (database) => {
  const options: PlatformOptions = { seedSubjects: world.subjects.length, peerUrls: {} };
  let entities: StandInSubgraph;
  let records: StandInSubgraph;
  beforeAll(async () => {
    entities = await StandInSubgraph.start();
    records = await StandInSubgraph.start();
    options.peerUrls = { entities: entities.url, records: records.url };
  });
  const platform = usePlatform(database, 'peeroutcome', options);
  beforeAll(() => {
    entities.upstream = platform.subgraphs.entities.url;
    records.upstream = platform.subgraphs.records.url;
  });
  afterAll(async () => {
    await entities?.stop();
    await records?.stop();
  });
  afterEach(() => {
    records.behaviour = { kind: 'proxy' };
  });

  const checksUnder = async (key: string) => (await platform.databases.records.query('SELECT id FROM credit_check WHERE idempotency_key = ?', [key])) as { id: string }[];
  const reportsUnder = async (key: string) => (await platform.databases.reports.query('SELECT id FROM credit_report WHERE idempotency_key = ?', [key])) as { id: string }[];

  /**
   * `send` (a mutation answering `field`) while `peer` is down: refused SUBGRAPH_UNAVAILABLE naming
   * `serviceName`, NOT_STORED, with nothing `stored`; sent again as it was once the peer is up, it is
   * run, and what it stored is the one thing stored.
   */
  async function refusedWhileDownThenRun(peer: StandInSubgraph, serviceName: string, field: string, send: () => Promise<GraphQLResponse<Record<string, { id: string } | null>>>, stored: () => Promise<{ id: string }[]>) {
    await peer.down();
    try {
      const refused = await send();
      expect(refused.data).toEqual({ [field]: null });
      expect(refused.errors?.map((e) => [e.path, e.extensions])).toEqual([[[field], { code: 'SUBGRAPH_UNAVAILABLE', serviceName, reason: 'UNREACHABLE', retryAfterSeconds: 5, outcome: 'NOT_STORED' }]]);
      expect(refused.errors?.[0].message).toMatch(/nothing was stored/);
      expect(await stored()).toEqual([]);
    } finally {
      await peer.up();
    }
    const again = await send();
    expect(again.errors).toBeUndefined();
    expect(await stored()).toEqual([{ id: again.data![field]!.id }]);
  }

  it('answers a credit check while the entities subgraph is down SUBGRAPH_UNAVAILABLE naming it, NOT_STORED, stores no check, and runs it when sent again', async () => {
    const input = { subjectId: enterprises[0].id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber, idempotencyKey: 'outcome-check-1' };
    await refusedWhileDownThenRun(entities, 'entities', 'runCreditCheck', () => platform.query(RUN, { input }, officer), () => checksUnder('outcome-check-1'));
  });

  it('answers a report generated while the records subgraph is down SUBGRAPH_UNAVAILABLE naming it, NOT_STORED, stores no report, and generates it when sent again', async () => {
    await refusedWhileDownThenRun(records, 'records', 'generateCreditReport', () => platform.query(GENERATE, { id: enterprises[1].id, key: 'outcome-report-1' }, officer), () => reportsUnder('outcome-report-1'));
  });

  it("passes on the records subgraph's DATABASE_UNAVAILABLE to a report's generation with NOT_STORED, and stores no report", async () => {
    records.behaviour = recordsDatabaseGone;
    const refused = await platform.query<{ generateCreditReport: unknown }>(GENERATE, { id: enterprises[2].id, key: 'outcome-report-2' }, officer);
    expect(refused.errors?.map((e) => [e.path, e.message, e.extensions])).toEqual([
      [['generateCreditReport'], 'the records subgraph lost its database connection: retry later', { code: 'DATABASE_UNAVAILABLE', reason: 'CONNECTION_LOST', serviceName: 'records', retryAfterSeconds: 5, outcome: 'NOT_STORED' }],
    ]);
    expect(await reportsUnder('outcome-report-2')).toEqual([]);
  });
});
