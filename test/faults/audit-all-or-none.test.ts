import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { type GraphQLResponse, requestIdOf } from '../helpers/graphql';
import { startPlatform, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';

/**
 * A request covering more subjects than one write of the audit log's group commit carries (500):
 * its entries are stored all or none, so that an answer withheld for want of them
 * (AUDIT_UNAVAILABLE, "nothing is disclosed") has none of them stored, and the client's retry
 * counts nothing twice. The gateway reaches the audit subgraph through a stand-in, which fails the
 * calls it is told to, as the audit database gone would.
 */
const world = demoWorld({ subjects: 700 });
const pages = 6;
const finance: As = {
  caller: { id: 'test-finance-many', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'MANY-1' },
};
const PAGE = /* GraphQL */ `query Page($after: String) { searchSubjects(name: "北戴河", first: 100, after: $after) { edges { node { id } } pageInfo { endCursor } } }`;
/** Six pages of organisations in one request, each an alias. */
const MANY = /* GraphQL */ `
  query Many(${Array.from({ length: pages }, (_, i) => `$after${i}: String`).join(', ')}) {
    ${Array.from({ length: pages }, (_, i) => `page${i}: searchSubjects(name: "北戴河", first: 100, after: $after${i}) { edges { node { id } } }`).join('\n    ')}
  }
`;
type Pages = Record<string, { edges: { node: { id: string } }[] } | null>;
/** What the audit subgraph answers while its database is gone. */
const databaseGone = {
  kind: 'answer' as const,
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify({ data: { appendAuditEntries: null }, errors: [{ message: 'the audit database is gone', extensions: { code: 'DATABASE_UNAVAILABLE' } }] }),
};

describe.each(testDatabases)('the audit entries of a request covering more than 500 subjects ($label)', (database) => {
  const suite = 'allornone';
  let platform: Platform;
  let audit: StandInSubgraph;
  const cursors: Record<string, string | null> = {};
  /** The subjects on the six pages, read one page a request. */
  const listed = new Set<string>();
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    // The failed write is logged as it should be; the test output need not show it.
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await database.cleanUp(suite);
    audit = await StandInSubgraph.start();
    platform = await startPlatform(database.target(suite), { seedSubjects: world.subjects.length, gateway: { subgraphUrls: { audit: audit.url } } });
    audit.upstream = platform.subgraphs.audit.url;
    let after: string | null = null;
    for (let i = 0; i < pages; i++) {
      cursors[`after${i}`] = after;
      const page: GraphQLResponse<{ searchSubjects: { edges: { node: { id: string } }[]; pageInfo: { endCursor: string | null } } }> = await platform.query(PAGE, { after }, finance);
      page.data!.searchSubjects.edges.forEach((edge) => listed.add(edge.node.id));
      after = page.data!.searchSubjects.pageInfo.endCursor;
    }
  });
  afterAll(async () => {
    await platform?.stop();
    await audit?.stop();
    await database.cleanUp(suite);
    logged.mockRestore();
  });
  afterEach(() => {
    audit.passNext(0);
    audit.behaviour = { kind: 'proxy' };
  });

  const readMany = () => platform.query<Pages>(MANY, cursors, finance);
  const subjectsIn = (data: Pages | null | undefined) => new Set(Object.values(data ?? {}).flatMap((page) => page?.edges.map((edge) => edge.node.id) ?? []));
  const stored = async (requestId: string) => {
    const [row] = await platform.databases.audit.query("SELECT COUNT(*) AS n FROM audit_entry WHERE request_id = ? AND outcome = 'DISCLOSED'", [requestId]);
    return Number((row as { n: unknown }).n);
  };
  /** How many entries of `requestId` each append the audit subgraph was sent held. */
  const appendsOf = (requestId: string) =>
    audit.received
      .map((call) => ((call.variables?.entries ?? []) as { requestId: string }[]).filter((entry) => entry.requestId === requestId).length)
      .filter((entries) => entries > 0);

  it('sends them in one append, stored in one transaction: all of them, and the answer released', async () => {
    // Were the entries split between appends, the second would meet the database gone.
    audit.passNext(1);
    audit.behaviour = databaseGone;
    expect(listed.size).toBeGreaterThan(500);
    const result = await readMany();
    expect({ status: result.status, stored: await stored(requestIdOf(result)), appends: appendsOf(requestIdOf(result)) }).toEqual({ status: 200, stored: listed.size, appends: [listed.size] });
    expect(result.errors).toBeUndefined();
    expect(subjectsIn(result.data)).toEqual(listed);
  });

  it('stores none of them when that append fails, and the answer withheld; the retry stores them once', async () => {
    audit.behaviour = databaseGone;
    const withheld = await readMany();
    expect(withheld.status).toBe(503);
    expect(withheld.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['AUDIT_UNAVAILABLE', 'the audit log could not be written, so nothing is disclosed: retry later']]);
    expect(await stored(requestIdOf(withheld))).toBe(0);

    audit.behaviour = { kind: 'proxy' };
    const retried = await readMany();
    expect(retried.errors).toBeUndefined();
    expect(await stored(requestIdOf(retried))).toBe(listed.size);
  });
});
