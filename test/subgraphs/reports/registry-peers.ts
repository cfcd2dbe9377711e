import type { DemoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { seedProviders } from '../../../subgraphs/providers/seed';
import { providersSubgraph } from '../../../subgraphs/providers/subgraph';
import type { Peer } from '../../../subgraphs/reports/peers';
import { createReportsSubgraph } from '../../../subgraphs/reports/subgraph';
import type { TestDatabase } from '../../helpers/databases';
import { useSubgraph, type TestSubgraph } from '../../helpers/subgraph';

export interface ReportsWithPeers {
  reports: TestSubgraph;
  providers: TestSubgraph;
  entities: TestSubgraph;
  /** Where the reports subgraph finds each peer, read per call: a test may point one elsewhere for a while. */
  urls: Partial<Record<Peer, string>>;
}

/**
 * The reports subgraph with the peers registration asks (the providers registry, the subjects),
 * each seeded with the world, in one suite's databases named `<suite>_<subgraph>`. The peers
 * start after the reports subgraph, so it reads their URLs per call.
 */
export function useReportsWithPeers(database: TestDatabase, suite: string, world: DemoWorld): ReportsWithPeers {
  const urls: Partial<Record<Peer, string>> = {};
  const reports = useSubgraph(createReportsSubgraph({ url: (peer) => urls[peer] ?? 'http://127.0.0.1:9/graphql', timeoutMs: 2_000 }), database, `${suite}_reports`);
  const providers = useSubgraph(providersSubgraph, database, `${suite}_providers`);
  const entities = useSubgraph(entitiesSubgraph, database, `${suite}_entities`);
  beforeAll(async () => {
    urls.providers = providers.url();
    urls.entities = entities.url();
    await seedProviders(providers.db(), world);
    await seedEntities(entities.db(), world);
  });
  return { reports, providers, entities, urls };
}
