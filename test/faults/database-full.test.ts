import { randomUUID } from 'node:crypto';
import type { DataSource, Logger } from 'typeorm';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import { startSubgraph, type StartedSubgraph } from '../../subgraphs/shared/subgraph';
import { testDatabases } from '../helpers/databases';
import { postGraphQL } from '../helpers/graphql';
import { signedBy, testSigningKey } from '../helpers/identity';
import { TcpProxy } from '../helpers/tcp-proxy';

/**
 * A subgraph whose MySQL/MariaDB server refuses it a connection because it has too many already
 * (max_connections, error 1040), played on a TCP proxy in front of the shared MariaDB (whose own
 * limit other runs share and which is never lowered). The client is told DATABASE_UNAVAILABLE with
 * a message naming that cause, not a lost connection: an operator looks at the server's
 * connections, not at its uptime. MySQL only: SQLite has no connections.
 */
const mysql = testDatabases.find((d) => d.label === 'mysql');

const SUBJECT = /* GraphQL */ `query Subject($id: ID!) { subject(id: $id) { name } }`;

/** The driver's errors are expected here; the subgraph's answers say what the test checks. */
const quiet: Logger = { logQuery() {}, logQueryError() {}, logQuerySlow() {}, logSchemaBuild() {}, logMigration() {}, log() {} };

(mysql ? describe : describe.skip)('a subgraph whose database server has too many connections', () => {
  const suite = 'dbfull';
  let proxy: TcpProxy;
  let db: DataSource;
  let subgraph: StartedSubgraph;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await mysql!.cleanUp(suite);
    const target = mysql!.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }>;
    proxy = await TcpProxy.inFrontOf(target.url);
    db = await openDatabase('entities', { ...target, url: proxy.url(target.url) }, entitiesSubgraph, quiet);
    subgraph = await startSubgraph(entitiesSubgraph, db, { port: 0, signingKey: testSigningKey });
  });
  afterAll(async () => {
    proxy?.recover();
    await subgraph?.stop();
    await db?.destroy();
    await proxy?.stop();
    await mysql!.cleanUp(suite);
    logged.mockRestore();
  });

  const read = async () => postGraphQL<{ subject: { name: string } | null }>(subgraph.url, { query: SUBJECT, variables: { id: randomUUID() } }, await signedBy());

  it('answers DATABASE_UNAVAILABLE saying the database server has too many connections, and answers again once it takes one', async () => {
    expect((await read()).errors).toBeUndefined();

    proxy.full();
    // The pool has seen its connections close: the next query asks the server for a new one.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await read();
    expect(refused.data).toEqual({ subject: null });
    expect(refused.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.retryAfterSeconds])).toEqual([
      ['the entities subgraph could not connect to its database: the database server has too many connections (its max_connections): retry later', 'DATABASE_UNAVAILABLE', 5],
    ]);
    // The operator's log has the server's own words.
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('too many connections'), expect.objectContaining({ message: 'Too many connections', originalError: expect.objectContaining({ code: 'ER_CON_COUNT_ERROR', errno: 1040 }) }));

    proxy.recover();
    const later = await read();
    expect(later.errors).toBeUndefined();
    expect(later.data).toEqual({ subject: null });
  });
});
