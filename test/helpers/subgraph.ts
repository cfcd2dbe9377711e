import type { DataSource } from 'typeorm';
import type { RequestIdentity } from '../../lib/access/identity';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import { startSubgraph, type StartedSubgraph, type SubgraphDefinition } from '../../subgraphs/shared/subgraph';
import type { TestDatabase } from './databases';
import { postGraphQL, type GraphQLResponse } from './graphql';
import { signedBy, testSigningKey } from './identity';
import { SqlCounter } from './sql-counter';

/** One subgraph under test: its database, its server and what its database was sent. */
export interface TestSubgraph {
  /** The subgraph's DataSource; only inside hooks and tests (it is opened in beforeAll). */
  db(): DataSource;
  /** The subgraph's GraphQL endpoint; only inside hooks and tests. */
  url(): string;
  /** Every SQL statement the DataSource sends. */
  sql: SqlCounter;
  /** Where the database lives, to open a second connection to it. */
  target: DatabaseTarget;
  /** As the gateway would send it, for a caller holding every field group. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** As the gateway would send it, for this identity. */
  queryAs<T = Record<string, unknown>>(identity: RequestIdentity, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
}

/**
 * Call inside a `describe`: before its tests, opens the subgraph's database of this suite (left
 * over MySQL databases dropped first) and serves the subgraph on a free port; after them, stops
 * both and drops the suite's MySQL databases. A suite's own beforeAll (seeding) runs after this one.
 */
export function useSubgraph<TContext extends object>(definition: SubgraphDefinition<TContext>, database: TestDatabase, suite: string = definition.name): TestSubgraph {
  const sql = new SqlCounter();
  const target = database.target(suite);
  let db: DataSource | undefined;
  let subgraph: StartedSubgraph | undefined;

  beforeAll(async () => {
    await database.cleanUp(suite);
    db = await openDatabase(definition.name, target, definition, sql);
    subgraph = await startSubgraph(definition, db, { port: 0, signingKey: testSigningKey });
  });

  afterAll(async () => {
    await subgraph?.stop();
    await db?.destroy();
    await database.cleanUp(suite);
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${definition.name} subgraph's ${what} is there only once its beforeAll has run`);
    return value;
  };
  const url = () => started(subgraph, 'server').url;
  return {
    db: () => started(db, 'database'),
    url,
    sql,
    target,
    query: async (query, variables) => postGraphQL(url(), { query, variables }, await signedBy()),
    queryAs: async (identity, query, variables) => postGraphQL(url(), { query, variables }, await signedBy(identity)),
  };
}
