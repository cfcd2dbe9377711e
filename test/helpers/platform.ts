import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import { createGateway } from '../../gateway/gateway';
import { serveGraphQL, type RunningHttpServer } from '../../lib/http-server';
import { subgraphNames, supergraphPath, type SubgraphName } from '../../schema/subgraphs';
import { demoWorld } from '../../scripts/demo/world';
import { seeds } from '../../scripts/seed';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import { startSubgraph, type StartedSubgraph } from '../../subgraphs/shared/subgraph';
import { postGraphQL, type GraphQLResponse } from './graphql';
import { SqlCounter } from './sql-counter';

export interface Platform {
  gatewayUrl: string;
  subgraphs: Record<SubgraphName, StartedSubgraph>;
  databases: Record<SubgraphName, DataSource>;
  sql: Record<SubgraphName, SqlCounter>;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/**
 * The whole platform in this process: five subgraphs on their own databases and the gateway
 * serving the committed supergraph, all on free ports, optionally seeded with the demo world.
 */
export async function startPlatform(target: DatabaseTarget, options: { seedSubjects?: number } = {}): Promise<Platform> {
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const databases = {} as Record<SubgraphName, DataSource>;
    const sql = {} as Record<SubgraphName, SqlCounter>;
    const subgraphs = {} as Record<SubgraphName, StartedSubgraph>;
    for (const name of subgraphNames) {
      sql[name] = new SqlCounter();
      const db = await openDatabase(name, target, subgraphDefinitions[name], sql[name]);
      stops.push(() => db.destroy());
      databases[name] = db;
    }
    // In-memory SQLite lives inside its DataSource, so the seed writes through these same connections.
    if (options.seedSubjects) {
      const world = demoWorld({ subjects: options.seedSubjects });
      for (const name of subgraphNames) await seeds[name](databases[name], world);
    }
    for (const name of subgraphNames) {
      const subgraph = await startSubgraph(subgraphDefinitions[name], databases[name], { port: 0 });
      stops.push(() => subgraph.stop());
      subgraphs[name] = subgraph;
    }
    const gateway = createGateway({
      supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'),
      subgraphUrls: Object.fromEntries(subgraphNames.map((n) => [n, subgraphs[n].url])),
    });
    const http: RunningHttpServer = await serveGraphQL(gateway, { port: 0, context: async () => ({}) });
    stops.push(() => http.stop());
    for (const counter of Object.values(sql)) counter.reset();
    return {
      gatewayUrl: http.url,
      subgraphs,
      databases,
      sql,
      query: (query, variables) => postGraphQL(http.url, { query, variables }),
      stop: async () => {
        // Gateway first, databases last: the reverse of starting.
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
