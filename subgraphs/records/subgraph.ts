import type { SubgraphDefinition } from '../shared/subgraph';
import { createRecordsContext, type RecordsContext } from './context';
import { CreditRecord } from './entities/credit-record.entity';
import { CreateCreditRecord1764000000100 } from './migrations/1764000000100-create-credit-record';
import { resolvers } from './resolvers';

/** Credit records (信用记录) held about market subjects, and the departments that produce them. */
export const recordsSubgraph: SubgraphDefinition<RecordsContext> = {
  name: 'records',
  entities: [CreditRecord],
  migrations: [CreateCreditRecord1764000000100],
  resolvers,
  subjectOf: { Subject: (s: { id: string }) => s.id, CreditRecord: (r: { subjectId: string }) => r.subjectId },
  createContext: (db) => createRecordsContext(db),
};
