import type { SubgraphName } from '../schema/subgraphs';
import { auditSubgraph } from './audit/subgraph';
import { entitiesSubgraph } from './entities/subgraph';
import { providersSubgraph } from './providers/subgraph';
import { recordsSubgraph } from './records/subgraph';
import { reportsSubgraph } from './reports/subgraph';
import type { SubgraphDefinition } from './shared/subgraph';

/**
 * All five subgraphs, for the code that handles them alike (seeding, tests). Each has its own
 * context type; code reaching them through this map only passes them to generic functions.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const subgraphDefinitions: Record<SubgraphName, SubgraphDefinition<any>> = {
  entities: entitiesSubgraph,
  records: recordsSubgraph,
  reports: reportsSubgraph,
  providers: providersSubgraph,
  audit: auditSubgraph,
};
